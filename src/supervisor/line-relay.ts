import { LineSplitter } from '../output/lines.js';
import type { Printer } from '../output/printer.js';
import type { ProcessSink } from '../output/output.js';

/** Longer lines are cut into pieces of this size: a 1 MB line survives whole, memory stays bounded. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** A partial line (a prompt) is shown once its process has been quiet this long. */
const IDLE_FLUSH_MS = 300;
const CR = 0x0d;

/** A child's output: its pipe, or its pseudo-terminal. */
export type ByteSource = Readonly<{
  onData: (listener: (chunk: Buffer) => void) => void;
  /** Once, when the output has ended (or was destroyed). */
  onEnd: (listener: () => void) => void;
  pause: () => void;
  resume: () => void;
  isPaused: () => boolean;
}>;

export type LineRelay = Readonly<{
  /** Resolves once the output has ended and its last partial line was written. */
  ended: Promise<void>;
  /** The partial line held back as a prompt, now taken (it was answered). */
  takePartial: () => Buffer | undefined;
  /** The partial line so far, left in place (for an attach client arriving at a prompt). */
  peekPartial: () => Buffer | undefined;
}>;

/**
 * Split a child's output into lines for its sink, under the Printer's backpressure. A partial
 * line that stays quiet is a prompt: the sink may hold it (`prompt` returns true: the terminal
 * shows it and the rest of the line joins it later) or it is written as a line at once. A
 * terminal's lines end in CRLF (its driver's ONLCR): the CR is dropped so logs do not gain it.
 */
export function relayLines({
  source,
  sink,
  printer,
  isTerminal,
}: {
  source: ByteSource;
  sink: ProcessSink;
  printer: Printer;
  isTerminal: boolean;
}): LineRelay {
  const relay = new Relay(source, sink, isTerminal);
  const detach = printer.attach({
    pause: source.pause,
    resume: () => {
      source.resume();
      relay.resumed();
    },
  });
  source.onData((chunk) => relay.push(chunk));
  const ended = new Promise<void>((resolve) => {
    source.onEnd(() => {
      relay.end();
      detach();
      resolve();
    });
  });
  return {
    ended,
    takePartial: () => relay.takePartial(),
    peekPartial: () => relay.splitter.peek(),
  };
}

/** One child's lines and its pending partial line (a prompt, once quiet). */
class Relay {
  readonly splitter = new LineSplitter(MAX_LINE_BYTES);
  private idle: NodeJS.Timeout | undefined;
  private reads = 0;
  private isHeld = false;

  private readonly source: ByteSource;
  private readonly sink: ProcessSink;
  private readonly isTerminal: boolean;

  constructor(source: ByteSource, sink: ProcessSink, isTerminal: boolean) {
    this.source = source;
    this.sink = sink;
    this.isTerminal = isTerminal;
  }

  push(chunk: Buffer): void {
    clearTimeout(this.idle);
    this.reads += 1;
    const lines = this.splitter.push(chunk);
    if (lines.length > 0) {
      this.isHeld = false;
      this.write(lines);
    }
    // A held prompt that grows (a terminal echoing typed keys) is offered again at once.
    if (this.isHeld) this.offerPrompt();
    else if (this.splitter.hasPartial) this.armIdle();
  }

  resumed(): void {
    if (this.splitter.hasPartial) this.armIdle();
  }

  end(): void {
    clearTimeout(this.idle);
    this.flushPartial();
  }

  takePartial(): Buffer | undefined {
    this.isHeld = false;
    const rest = this.splitter.flush();
    return rest !== undefined && this.isTerminal ? withoutCr(rest) : rest;
  }

  private write(lines: Buffer[]): void {
    this.sink.write(this.isTerminal ? lines.map(withoutCr) : lines);
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    if (!this.isHeld) this.idle = setTimeout(() => this.onIdle(), IDLE_FLUSH_MS);
  }

  // Quiet, not merely held up by us: only then is a partial line a prompt. While our output
  // blocks, the child is blocked too; after a resume it gets a whole quiet period again, and
  // the flush waits for the poll phase, so data that arrived while our event loop was busy is
  // read first (a timer runs before the poll phase: a mid-line pause would split the line).
  private onIdle(): void {
    if (this.source.isPaused()) return this.armIdle();
    const seen = this.reads;
    setImmediate(() => {
      if (this.reads === seen) this.offerPrompt();
    });
  }

  private offerPrompt(): void {
    const partial = this.splitter.peek();
    if (partial === undefined) return;
    this.isHeld = this.sink.prompt?.(this.isTerminal ? withoutCr(partial) : partial) ?? false;
    if (!this.isHeld) this.flushPartial();
  }

  private flushPartial(): void {
    const rest = this.splitter.flush();
    if (rest !== undefined) this.write([rest]);
  }
}

function withoutCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
}

export type SharedSource = ByteSource &
  Readonly<{
    /** Pause until the returned function is called; it runs again once nobody holds it. */
    hold: () => () => void;
    /** See every chunk as it is read (an attach stream); call the result to stop. */
    tap: (listener: (chunk: Buffer) => void) => () => void;
  }>;

/**
 * A child's output shared by the relay and attach streams: each may pause it (the Printer
 * through the relay's pause/resume, a slow attach client through `hold`), and it reads again
 * only once nobody holds it.
 */
export function shareSource(source: ByteSource): SharedSource {
  let holds = 0;
  const taps = new Set<(chunk: Buffer) => void>();
  const hold = (): (() => void) => {
    holds += 1;
    if (holds === 1) source.pause();
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      holds -= 1;
      if (holds === 0) source.resume();
    };
  };
  let printerHold: (() => void) | undefined;
  return {
    onData: (listener) =>
      source.onData((chunk) => {
        for (const tap of taps) tap(chunk);
        listener(chunk);
      }),
    onEnd: source.onEnd,
    pause: () => {
      printerHold ??= hold();
    },
    resume: () => {
      printerHold?.();
      printerHold = undefined;
    },
    isPaused: () => holds > 0,
    hold,
    tap: (listener) => {
      taps.add(listener);
      return () => void taps.delete(listener);
    },
  };
}
