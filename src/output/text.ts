import { describeEvent } from '../core/events.js';
import {
  SYSTEM,
  formatPrefix,
  formatTime,
  prefixOf,
  widthOf,
  type LineStyle,
  type Prefix,
} from './format.js';
import { joinLines } from './lines.js';
import type { OutputFormat } from './output.js';
import { SYSTEM_COLOR, colorOf } from './palette.js';

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
 * becomes one write of all its prefixed lines (a write per line costs 7x: docs/architecture.md).
 */
export function createTextOutput({
  printer,
  ...options
}: PrefixOptions & { printer: LineWriter }): OutputFormat {
  const prefixer = createPrefixer(options);
  const stamp = (prefix: () => string): Buffer => Buffer.from(prefix());
  return {
    forProcess(name, type) {
      const prefix = prefixer.forProcess(name, type);
      return { write: (lines) => printer.write(joinLines(stamp(prefix), lines, NEWLINE)) };
    },
    event(event) {
      const line = Buffer.from(describeEvent(event));
      printer.write(joinLines(stamp(prefixer.system), [line], NEWLINE));
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
