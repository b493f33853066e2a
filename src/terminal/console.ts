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
import {
  EMPTY_EDITOR,
  editKey,
  type EditEffect,
  type Key,
  type LineEditor,
} from '../core/line-editor.js';
import { formatInputLine, visibleWidth } from '../output/input-line.js';
import { movesCursor, renderTerminalLine } from '../output/terminal-line.js';
import type { Screen } from '../output/screen.js';
import type { Output, ProcessSink } from '../output/output.js';
import type { Prefixer } from '../output/text.js';
import { readKeys, type KeyReader, type TerminalInput } from './tty-mode.js';

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

type ConsoleOptions = Readonly<{
  stdin: TerminalInput;
  stdout: TerminalOutput;
  screen: Screen;
  text: Output;
  prefixer: Prefixer;
  attach: string | undefined;
}>;

/**
 * `start` in a terminal (stdin and stdout both terminals, text output): what is typed goes to
 * one process, as docs/interactive.md describes. The policy is in core/input-routing.ts and
 * core/line-editor.ts, the drawing in output/screen.ts; this module connects them to the keys,
 * the processes and the window size.
 */
export function openConsole(options: ConsoleOptions): Console {
  const terminal = new TerminalConsole(options);
  return {
    output: {
      forProcess: (name, type) => terminal.forProcess(name, type),
      event: (event) => options.text.event(event),
    },
    opened: (name, input) => terminal.opened(name, input),
    closed: (name) => terminal.closed(name),
    typed: (name, data) => terminal.typed(name, data),
    sizeOf: (name) => terminal.sizeOf(name),
    close: () => terminal.close(),
  };
}

class TerminalConsole {
  private readonly options: ConsoleOptions;
  private routing: Routing;
  private editor: LineEditor = EMPTY_EDITOR;
  private readonly inputs = new Map<string, ProcessInput>();
  private readonly sinks = new Map<string, ProcessSink>();
  private readonly prefixes = new Map<string, () => string>();
  /** The prompt each waiting process shows. */
  private readonly prompts = new Map<string, Buffer>();
  /** Waiting processes already announced as such. */
  private readonly announced = new Set<string>();
  /** Prompts we just declined to hold: written at once as a line, which is not an answer. */
  private readonly refused = new Map<string, Buffer>();
  private readonly keys: KeyReader;
  private readonly onResize = (): void => this.resized();

  constructor(options: ConsoleOptions) {
    this.options = options;
    this.routing = options.attach === undefined ? NO_ROUTING : pin(NO_ROUTING, options.attach);
    this.keys = readKeys({
      stdin: options.stdin,
      onKey: (key) => this.onKey(key),
      onResume: () => options.screen.redraw(),
    });
    options.stdout.on('resize', this.onResize);
  }

  forProcess(name: string, type: string): ProcessSink {
    const sink = this.options.text.forProcess(name, type);
    this.sinks.set(name, sink);
    this.prefixes.set(name, this.options.prefixer.forProcess(name, type));
    return {
      write: (lines) => {
        // A prompt we did not hold comes back at once as a line: it still waits for an answer.
        const refused = this.refused.get(name);
        this.refused.delete(name);
        const isRefused = refused !== undefined && lines.length === 1 && isSame(lines[0], refused);
        if (this.prompts.has(name) && !isRefused) {
          this.leavePrompt(name);
          this.draw();
        }
        sink.write(this.shown(name, lines));
      },
      prompt: (partial) => this.prompted(name, partial),
    };
  }

  opened(name: string, input: ProcessInput): void {
    this.inputs.set(name, input);
    this.routing = started(this.routing, name);
  }

  closed(name: string): void {
    this.inputs.delete(name);
    this.leavePrompt(name);
    this.routing = ended(this.routing, name);
    this.draw();
  }

  typed(name: string, data: Buffer): void {
    const input = this.inputs.get(name);
    if (input === undefined) return;
    this.echo(name, input, data.subarray(0, data.length - (data.at(-1) === 0x0a ? 1 : 0)));
    this.draw();
  }

  sizeOf(name: string): { columns: number; rows: number } {
    const { columns, rows } = this.options.stdout;
    return { columns: Math.max(20, columns - visibleWidth(this.prefixFor(name))), rows };
  }

  close(): void {
    this.options.stdout.off('resize', this.onResize);
    this.keys.close();
    this.options.screen.show(undefined);
  }

  /** A quiet partial line of `name`: held and shown at the bottom if typing goes to it. */
  private prompted(name: string, partial: Buffer): boolean {
    this.routing = prompted(this.routing, name);
    this.prompts.set(name, partial);
    const isTarget = targetOf(this.routing) === name;
    if (!isTarget) this.refused.set(name, partial);
    if (!isTarget && !this.announced.has(name)) {
      this.announced.add(name);
      this.notice(describeWaiting(name, this.routing));
    }
    this.draw();
    return isTarget;
  }

  private onKey(key: Key): void {
    const [next, effect] = editKey(this.editor, key);
    this.editor = next;
    this.act(effect);
    this.draw();
  }

  private act(effect: EditEffect): void {
    switch (effect.kind) {
      case 'submit':
        return this.onLine(effect.line);
      case 'signal':
        // The same path as a signal from the terminal: the first stops, the second forces.
        if (effect.signal === 'SIGTSTP') return this.keys.suspend();
        return void process.kill(process.pid, effect.signal);
      case 'end-of-input': {
        const input = this.inputOf(targetOf(this.routing));
        if (input?.isTerminal === true) input.write('\u0004');
        return;
      }
      case 'redraw':
        return this.options.screen.redraw();
      case 'none':
        return;
    }
  }

  private onLine(line: string): void {
    const typed = parseTypedLine(line);
    switch (typed.kind) {
      case 'text':
        return this.send(typed.text);
      case 'help':
        return this.notice(describeHelp(this.routing));
      case 'follow':
        this.routing = pin(this.routing, undefined);
        return this.notice(describeTarget(this.routing));
      case 'pin':
        return this.pin(typed.name);
    }
  }

  private pin(wanted: string): void {
    const { alive } = this.routing;
    const name = resolveInputName(wanted, alive);
    if (name === undefined)
      return this.notice(`no process "${wanted}" is running (running: ${alive.join(', ')})`);
    this.routing = pin(this.routing, name);
    this.notice(describeTarget(this.routing));
  }

  /** A line for the target: shown after its prompt, then sent. */
  private send(line: string): void {
    const target = targetOf(this.routing);
    const input = this.inputOf(target);
    if (target === undefined || input === undefined) {
      const why =
        target === undefined ? 'no process is waiting for input' : `${target} is not running`;
      return this.notice(`${why}: type ~NAME to choose one (~? for help)`);
    }
    this.echo(target, input, Buffer.from(line));
    this.routing = answered(this.routing, target);
    input.write(`${line}${input.isTerminal ? '\r' : '\n'}`);
  }

  /** A pipe does not echo: the line typed for it is shown after its prompt, as a terminal would. */
  private echo(name: string, input: ProcessInput, line: Buffer): void {
    if (!input.isTerminal) {
      const prompt = input.takePartial() ?? this.prompts.get(name);
      if (prompt !== undefined) this.sinks.get(name)?.write([Buffer.concat([prompt, line])]);
    }
    this.leavePrompt(name);
  }

  private leavePrompt(name: string): void {
    this.routing = resumed(this.routing, name);
    this.prompts.delete(name);
    this.announced.delete(name);
  }

  /** The bottom line: the target's prompt and what is being typed, or nothing. */
  private draw(): void {
    const target = targetOf(this.routing);
    const held =
      target !== undefined && isWaiting(this.routing, target)
        ? this.prompts.get(target)
        : undefined;
    const prompt =
      target === undefined || held === undefined ? undefined : this.shown(target, [held]).at(-1);
    const { text, cursor } = this.editor;
    if (prompt === undefined && text === '') return this.options.screen.show(undefined);
    this.options.screen.show(
      formatInputLine({
        prefix: this.prefixFor(target),
        prompt: prompt === undefined ? '> ' : prompt.toString('utf8'),
        text,
        cursor,
        columns: this.options.stdout.columns,
      }),
    );
  }

  /**
   * Lines as a screen would show them: their cursor moves done, not sent, since behind our
   * prefix a `\r` or `\b` lands on the prefix (`node inspect` starts lines with `\b`). A
   * terminal's lines always (reline redraws); a pipe's only when they move the cursor.
   */
  private shown(name: string, lines: readonly Buffer[]): readonly Buffer[] {
    const terminal = this.inputs.get(name)?.isTerminal === true;
    return lines.flatMap((line) => {
      const text = line.toString('utf8');
      if (!terminal && !movesCursor(text)) return [line];
      return renderTerminalLine(text).map((each) => Buffer.from(each));
    });
  }

  private resized(): void {
    for (const [name, input] of this.inputs) {
      const { columns, rows } = this.sizeOf(name);
      input.resize?.(columns, rows);
    }
    this.options.screen.redraw();
    this.draw();
  }

  private inputOf(name: string | undefined): ProcessInput | undefined {
    return name === undefined ? undefined : this.inputs.get(name);
  }

  private prefixFor(name: string | undefined): string {
    const prefix = name === undefined ? undefined : this.prefixes.get(name);
    return prefix?.() ?? this.options.prefixer.system();
  }

  private notice(message: string): void {
    this.options.text.event({ event: 'notice', message });
  }
}

function isSame(line: Buffer | undefined, other: Buffer): boolean {
  return line?.equals(other) === true;
}
