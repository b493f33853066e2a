import {
  answered,
  describeHelp,
  describeTarget,
  describeWaiting,
  ended,
  isWaiting,
  NO_ROUTING,
  parseTypedLine,
  pin,
  prompted,
  resolveInputName,
  resumed,
  started,
  targetOf,
  type Routing,
} from '../core/input-routing.js';
import { EMPTY_EDITOR, editKey, type EditEffect } from '../core/line-editor.js';
import { formatInputLine, visibleWidth } from '../output/input-line.js';
import { renderTerminalLine } from '../output/terminal-line.js';
import type { Screen } from '../output/screen.js';
import type { Output, ProcessSink } from '../output/output.js';
import type { Prefixer } from '../output/text.js';
import { readKeys, type TerminalInput } from './tty-mode.js';

/** What the console needs of a running process (the supervisor's child handle has it). */
export type ProcessInput = Readonly<{
  write: (data: string) => void;
  takePartial: () => Buffer | undefined;
  isTerminal: boolean;
  resize?: (columns: number, rows: number) => void;
}>;

export type TerminalOutput = Readonly<{
  columns: number;
  rows: number;
  on: (event: 'resize', listener: () => void) => unknown;
  off: (event: 'resize', listener: () => void) => unknown;
}>;

export type Console = Readonly<{
  /** The text output, with prompts held at the bottom line. */
  output: Output;
  opened: (name: string, input: ProcessInput) => void;
  closed: (name: string) => void;
  /** A line for `name` typed elsewhere (`foreman-ts attach`): shown after its prompt here. */
  typed: (name: string, data: Buffer) => void;
  /** The size a process on a pseudo-terminal gets: our width less the prefix. */
  sizeOf: (name: string) => { columns: number; rows: number };
  close: () => void;
}>;

/**
 * `start` in a terminal (stdin and stdout both terminals, text output): what is typed goes to
 * one process, as docs/interactive.md describes. The policy is in core/input-routing.ts and
 * core/line-editor.ts, the drawing in output/screen.ts; this module connects them to the keys,
 * the processes and the window size.
 */
export function openConsole({
  stdin,
  stdout,
  screen,
  text,
  prefixer,
  attach,
}: {
  stdin: TerminalInput;
  stdout: TerminalOutput;
  screen: Screen;
  text: Output;
  prefixer: Prefixer;
  attach: string | undefined;
}): Console {
  let routing: Routing = attach === undefined ? NO_ROUTING : pin(NO_ROUTING, attach);
  let editor = EMPTY_EDITOR;
  const inputs = new Map<string, ProcessInput>();
  const sinks = new Map<string, ProcessSink>();
  const prefixes = new Map<string, () => string>();
  const prompts = new Map<string, Buffer>();
  const announced = new Set<string>();

  const notice = (message: string): void => text.event({ event: 'notice', message });
  const prefixFor = (name: string | undefined): string =>
    (name === undefined ? undefined : prefixes.get(name))?.() ?? prefixer.system();

  const draw = (): void => {
    const target = targetOf(routing);
    const waiting = target !== undefined && isWaiting(routing, target) ? target : undefined;
    const held = waiting === undefined ? undefined : prompts.get(waiting);
    const prompt =
      waiting === undefined || held === undefined ? undefined : shown(waiting, [held]).at(-1);
    if (prompt === undefined && editor.text === '') return screen.show(undefined);
    screen.show(
      formatInputLine({
        prefix: prefixFor(target),
        prompt: prompt === undefined ? '> ' : prompt.toString('utf8'),
        text: editor.text,
        cursor: editor.cursor,
        columns: stdout.columns,
      }),
    );
  };

  const leavePrompt = (name: string): void => {
    routing = resumed(routing, name);
    prompts.delete(name);
    announced.delete(name);
  };

  /** A terminal's lines as its screen would show them: its cursor moves done, not sent. */
  const shown = (name: string, lines: readonly Buffer[]): readonly Buffer[] =>
    inputs.get(name)?.isTerminal === true
      ? lines.flatMap((line) =>
          renderTerminalLine(line.toString('utf8')).map((each) => Buffer.from(each)),
        )
      : lines;

  const processSink = (name: string, sink: ProcessSink): ProcessSink => ({
    write(lines) {
      if (prompts.has(name)) {
        leavePrompt(name);
        draw();
      }
      sink.write(shown(name, lines));
    },
    prompt(partial) {
      routing = prompted(routing, name);
      prompts.set(name, partial);
      const isTarget = targetOf(routing) === name;
      if (!isTarget && !announced.has(name)) {
        announced.add(name);
        notice(describeWaiting(name, routing));
      }
      draw();
      return isTarget;
    },
  });

  /** A pipe does not echo: the line typed for it is shown after its prompt, as a terminal would. */
  const echo = (name: string, input: ProcessInput, line: Buffer): void => {
    if (input.isTerminal) return;
    const prompt = input.takePartial() ?? prompts.get(name);
    if (prompt !== undefined) sinks.get(name)?.write([Buffer.concat([prompt, line])]);
    leavePrompt(name);
  };

  /** A line for the target: shown after its prompt, then sent. */
  const send = (line: string): void => {
    const target = targetOf(routing);
    const input = target === undefined ? undefined : inputs.get(target);
    if (target === undefined || input === undefined) {
      const why =
        target === undefined ? 'no process is waiting for input' : `${target} is not running`;
      return notice(`${why}: type ~NAME to choose one (~? for help)`);
    }
    echo(target, input, Buffer.from(line));
    leavePrompt(target);
    routing = answered(routing, target);
    input.write(`${line}${input.isTerminal ? '\r' : '\n'}`);
  };

  const onLine = (line: string): void => {
    const typed = parseTypedLine(line);
    switch (typed.kind) {
      case 'text':
        return send(typed.text);
      case 'help':
        return notice(describeHelp(routing));
      case 'follow':
        routing = pin(routing, undefined);
        return notice(describeTarget(routing));
      case 'pin': {
        const name = resolveInputName(typed.name, routing.alive);
        if (name === undefined)
          return notice(
            `no process "${typed.name}" is running (running: ${routing.alive.join(', ')})`,
          );
        routing = pin(routing, name);
        return notice(describeTarget(routing));
      }
    }
  };

  const act = (effect: EditEffect): void => {
    switch (effect.kind) {
      case 'submit':
        return onLine(effect.line);
      case 'signal':
        // The same path as a signal from the terminal: the first stops, the second forces.
        if (effect.signal === 'SIGTSTP') return keys.suspend();
        return void process.kill(process.pid, effect.signal);
      case 'end-of-input': {
        const target = targetOf(routing);
        const input = target === undefined ? undefined : inputs.get(target);
        if (input?.isTerminal === true) input.write('\u0004');
        return;
      }
      case 'redraw':
        return screen.redraw();
      case 'none':
        return;
    }
  };

  const keys = readKeys({
    stdin,
    onKey: (key) => {
      const [next, effect] = editKey(editor, key);
      editor = next;
      act(effect);
      draw();
    },
    onResume: () => screen.redraw(),
  });

  const sizeOf = (name: string): { columns: number; rows: number } => ({
    columns: Math.max(20, stdout.columns - visibleWidth(prefixFor(name))),
    rows: stdout.rows,
  });
  const onResize = (): void => {
    for (const [name, input] of inputs) {
      const { columns, rows } = sizeOf(name);
      input.resize?.(columns, rows);
    }
    screen.redraw();
    draw();
  };
  stdout.on('resize', onResize);

  return {
    output: {
      forProcess(name, type) {
        const sink = text.forProcess(name, type);
        sinks.set(name, sink);
        prefixes.set(name, prefixer.forProcess(name, type));
        return processSink(name, sink);
      },
      event: (event) => text.event(event),
    },
    opened(name, input) {
      inputs.set(name, input);
      routing = started(routing, name);
    },
    closed(name) {
      inputs.delete(name);
      leavePrompt(name);
      routing = ended(routing, name);
      draw();
    },
    typed(name, data) {
      const input = inputs.get(name);
      if (input === undefined) return;
      echo(name, input, data.subarray(0, data.length - (data.at(-1) === 0x0a ? 1 : 0)));
      draw();
    },
    sizeOf,
    close() {
      stdout.off('resize', onResize);
      keys.close();
      screen.show(undefined);
    },
  };
}
