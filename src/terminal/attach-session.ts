import type { Socket } from 'node:net';
import {
  encodeFrame,
  FrameDecoder,
  type AttachedResult,
  type Frame,
} from '../core/attach-protocol.js';
import { EMPTY_EDITOR, editKey, type EditEffect, type LineEditor } from '../core/line-editor.js';
import { formatInputLine } from '../output/input-line.js';
import { Screen } from '../output/screen.js';
import type { TerminalOutput } from './console.js';
import { holdRawMode, readKeys, type KeyReader, type TerminalInput } from './tty-mode.js';

/** The key that ends an attach, as in telnet: Ctrl-]. */
export const DETACH_KEY = 0x1d;
export const DETACH_KEY_NAME = 'Ctrl-]';

type Stdin = TerminalInput & Readonly<{ isTTY?: boolean }>;
type Stdout = TerminalOutput & Readonly<{ write: (data: Buffer | string) => boolean }>;

/** A connection that was answered `attached` (io/attach-client.ts), with frames after it. */
export type Attached = Readonly<{ result: AttachedResult; connection: Socket; rest: Buffer }>;

/** What the running session does with the process's output, and how it stops reading keys. */
type Mode = Readonly<{ show: (data: Buffer) => void; close: () => void }>;

/**
 * `foreman-ts attach NAME` once attached (docs/control.md#attach): the process's output on our
 * terminal and our typing to the process, until Ctrl-] (or EOF when stdin is not a terminal),
 * the process's end, or start's. Resolves with why it ended.
 *
 * - A process on a pseudo-terminal gets our keys raw (Ctrl-C included: its terminal makes it
 *   SIGINT) and our window size; its output is shown as it is, so REPLs draw as at home.
 * - A process on a pipe gets lines, edited here as in start's terminal; Ctrl-C becomes SIGINT
 *   for its process group.
 */
export function runAttach({
  attached: { result, connection, rest },
  stdin,
  stdout,
}: {
  attached: Attached;
  stdin: Stdin;
  stdout: Stdout;
}): Promise<string> {
  return new Promise((resolve) => {
    const send = (frame: Frame): unknown =>
      connection.writable && connection.write(encodeFrame(frame));
    let isOver = false;
    // Called from events only, never while `mode` is being made.
    const finish = (reason: string): void => {
      if (isOver) return;
      isOver = true;
      mode.close();
      // Our input is flushed before the end; start's answering end must not keep us waiting.
      connection.end();
      connection.unref();
      resolve(reason);
    };
    const detach = (): void => finish(`detached from ${result.process}`);
    const mode: Mode =
      stdin.isTTY !== true
        ? streamMode({ stdin, stdout, send, detach })
        : result.isTerminal
          ? rawMode({ stdin, stdout, send, detach })
          : lineMode({ stdin, stdout, send, detach });
    const decoder = new FrameDecoder();
    const onData = (chunk: Buffer): void => {
      const frames = decoder.push(chunk);
      if (frames instanceof Error) return finish(`bad data from start (${frames.message})`);
      for (const frame of frames) {
        if (frame.kind === 'output') mode.show(frame.data);
        if (frame.kind === 'end') finish(frame.reason);
      }
    };
    connection.on('data', onData);
    connection.on('close', () => finish('start went away'));
    connection.on('error', () => connection.destroy());
    if (rest.length > 0) onData(rest);
    connection.resume();
  });
}

type ModeOptions = Readonly<{
  stdin: Stdin;
  stdout: Stdout;
  send: (frame: Frame) => unknown;
  detach: () => void;
}>;

/** stdin is not a terminal (a script, a test): its bytes go as they are; EOF detaches. */
function streamMode({ stdin, stdout, send, detach }: ModeOptions): Mode {
  const onData = (data: Buffer): void => void send({ kind: 'input', data });
  stdin.on('data', onData);
  stdin.once('end', detach);
  stdin.resume();
  return {
    show: (data) => void stdout.write(data),
    close: () => {
      stdin.off('data', onData);
      stdin.off('end', detach);
      stdin.pause();
    },
  };
}

/** A process on a pseudo-terminal: our terminal raw, every byte but Ctrl-] passed on. */
function rawMode({ stdin, stdout, send, detach }: ModeOptions): Mode {
  const sendSize = (): unknown =>
    send({ kind: 'resize', columns: stdout.columns, rows: stdout.rows });
  const onData = (data: Buffer): void => {
    const at = data.indexOf(DETACH_KEY);
    if (at !== 0) send({ kind: 'input', data: at === -1 ? data : data.subarray(0, at) });
    if (at !== -1) detach();
  };
  const raw: KeyReader = holdRawMode({ stdin, onResume: sendSize });
  stdin.on('data', onData);
  stdout.on('resize', sendSize);
  sendSize();
  return {
    show: (data) => void stdout.write(data),
    close: () => {
      stdin.off('data', onData);
      stdout.off('resize', sendSize);
      raw.close();
    },
  };
}

/** A process on a pipe: lines typed with our line editor, its partial line as the prompt. */
function lineMode({ stdin, stdout, send, detach }: ModeOptions): Mode {
  const screen = new Screen(stdout);
  let editor: LineEditor = EMPTY_EDITOR;
  let partial = Buffer.alloc(0);
  const draw = (): void => {
    if (partial.length === 0 && editor.text === '') return screen.show(undefined);
    const { text, cursor } = editor;
    const prompt = partial.toString('utf8');
    screen.show(formatInputLine({ prefix: '', prompt, text, cursor, columns: stdout.columns }));
  };
  const act = (effect: EditEffect): void => {
    if (effect.kind === 'submit') {
      // A pipe does not echo: the line shows after its prompt, as a terminal would show it.
      screen.write(withCrlf(Buffer.concat([partial, Buffer.from(`${effect.line}\n`)])));
      partial = Buffer.alloc(0);
      send({ kind: 'input', data: Buffer.from(`${effect.line}\n`) });
    } else if (effect.kind === 'signal' && effect.signal === 'SIGINT') send({ kind: 'interrupt' });
    else if (effect.kind === 'signal' && effect.signal === 'SIGTSTP') keys.suspend();
    else if (effect.kind === 'redraw') screen.redraw();
  };
  const keys = readKeys({
    stdin,
    onKey: (key) => {
      if (key.sequence === String.fromCharCode(DETACH_KEY)) return detach();
      const [next, effect] = editKey(editor, key);
      editor = next;
      act(effect);
      draw();
    },
    onResume: () => screen.redraw(),
  });
  stdout.on('resize', draw);
  return {
    show: (data) => {
      const all = Buffer.concat([partial, data]);
      const end = all.lastIndexOf(0x0a);
      partial = all.subarray(end + 1);
      if (end !== -1) screen.write(withCrlf(all.subarray(0, end + 1)));
      draw();
    },
    close: () => {
      stdout.off('resize', draw);
      keys.close();
      screen.show(undefined);
    },
  };
}

/** Raw mode turns off the terminal's own LF -> CRLF: a pipe's lines need their CR. */
function withCrlf(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
