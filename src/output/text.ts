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
import type { Printer } from './printer.js';

const NEWLINE = Buffer.from('\n');

/**
 * The foreman look: `HH:MM:SS web.1  | line`, one colour per type. Each chunk from a child
 * becomes one write of all its prefixed lines (a write per line costs 7x: docs/architecture.md).
 */
export function createTextOutput({
  printer,
  names,
  types,
  style,
  now,
}: {
  printer: Printer;
  names: readonly string[];
  types: readonly string[];
  style: Omit<LineStyle, 'width'>;
  now: () => Date;
}): OutputFormat {
  const full: LineStyle = { ...style, width: widthOf(names) };
  const clock = secondsClock(now);
  const stamp = (prefix: Prefix): Buffer =>
    Buffer.from(formatPrefix(prefix, full.isTimestamped ? clock() : undefined));
  const system = prefixOf(SYSTEM, SYSTEM_COLOR, full);
  return {
    forProcess(name, type) {
      const prefix = prefixOf(name, colorOf(Math.max(0, types.indexOf(type))), full);
      return { write: (lines) => printer.write(joinLines(stamp(prefix), lines, NEWLINE)) };
    },
    event(event) {
      printer.write(joinLines(stamp(system), [Buffer.from(describeEvent(event))], NEWLINE));
    },
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
