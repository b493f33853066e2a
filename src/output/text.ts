import { describeEvent, type SystemEvent } from '../core/events.js';
import {
  SYSTEM,
  formatPrefix,
  formatTime,
  prefixOf,
  widthOf,
  type LineStyle,
  type Prefix,
} from './format.js';
import { SYSTEM_COLOR, colorOf } from './palette.js';

/** Where supervised output goes: lines of a process, and the supervisor's own events. */
export type Output = Readonly<{
  forProcess: (name: string, type: string) => ProcessSink;
  event: (event: SystemEvent) => void;
}>;
export type ProcessSink = Readonly<{
  write: (lines: readonly Buffer[]) => void;
  /**
   * A partial line that stayed quiet (a prompt such as `(Pdb) `). True: the sink shows it and
   * the relay holds it, so the rest of the line joins it; false or absent: it is written as a
   * line at once (byte-exact logs need no more).
   */
  prompt?: (partial: Buffer) => boolean;
}>;

const NEWLINE = Buffer.from('\n');

/** Where the lines go: the Printer, or the terminal's Screen in front of it. */
export type LineWriter = Readonly<{ write: (data: Buffer | string) => void }>;

type PrefixOptions = Readonly<{
  names: readonly string[];
  types: readonly string[];
  style: Omit<LineStyle, 'width'>;
  now: () => Date;
}>;

/**
 * The foreman look: `HH:MM:SS web.1  | line`, one colour per type. Each chunk from a child
 * becomes one write of all its prefixed lines (7x fewer syscalls than a write per line: deps.md §4).
 */
export function createTextOutput({
  printer,
  ...options
}: PrefixOptions & { printer: LineWriter }): Output {
  const prefixer = createPrefixer(options);
  const system = prefixer.system;
  return {
    forProcess(name, type) {
      const prefix = prefixer.forProcess(name, type);
      return { write: (lines) => printer.write(joinLines(Buffer.from(prefix()), lines)) };
    },
    event(event) {
      printer.write(joinLines(Buffer.from(system()), [Buffer.from(describeEvent(event))]));
    },
  };
}

export type Prefixer = Readonly<{
  forProcess: (name: string, type: string) => () => string;
  system: () => string;
}>;

/** Each process's prefix, computed once; the time in it once per second. */
export function createPrefixer({ names, types, style, now }: PrefixOptions): Prefixer {
  const full: LineStyle = { ...style, width: widthOf(names) };
  const clock = secondsClock(now);
  const stamp = (prefix: Prefix) => () =>
    formatPrefix(prefix, full.isTimestamped ? clock() : undefined);
  return {
    forProcess: (name, type) =>
      stamp(prefixOf(name, colorOf(Math.max(0, types.indexOf(type))), full)),
    system: stamp(prefixOf(SYSTEM, SYSTEM_COLOR, full)),
  };
}

function joinLines(prefix: Buffer, lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const line of lines) {
    parts.push(prefix, line, NEWLINE);
    length += prefix.length + line.length + 1;
  }
  return Buffer.concat(parts, length);
}

/** HH:MM:SS, formatted at most once per second however many lines arrive. */
function secondsClock(now: () => Date): () => string {
  let second = -1;
  let text = '';
  return () => {
    const date = now();
    const current = Math.floor(date.getTime() / 1000);
    if (current !== second) {
      second = current;
      text = formatTime(date);
    }
    return text;
  };
}
