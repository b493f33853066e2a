import { RESET } from './palette.js';

/**
 * The look of a line: `HH:MM:SS web.1  | text`. Pure: the time comes in as a Date, and each
 * process's prefix is computed once, so the per-line cost on the hot path is a concatenation.
 */
export type LineStyle = Readonly<{ width: number; isTimestamped: boolean; isColored: boolean }>;

export const SYSTEM = 'system';

export function formatTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** The column every prefix pads to: the longest name, and never narrower than "system". */
export function widthOf(names: readonly string[]): number {
  return Math.max(SYSTEM.length, ...names.map((name) => name.length));
}

/** The prefix without the time: `web.1  | ` (coloured as a whole, as foreman does). */
export type Prefix = Readonly<{ color: string; label: string }>;

export function prefixOf(name: string, color: string, style: LineStyle): Prefix {
  const label = `${name.padEnd(style.width)} | `;
  if (!style.isColored) return { color: '', label };
  return { color, label: `${name.padEnd(style.width)} |${RESET} ` };
}

/** The full prefix for one moment: computed once per chunk, shared by its lines. */
export function formatPrefix(prefix: Prefix, time: string | undefined): string {
  return time === undefined
    ? `${prefix.color}${prefix.label}`
    : `${prefix.color}${time} ${prefix.label}`;
}
