/**
 * How a raw setting becomes a typed value: one coercer per kind of value. The raw value is a
 * flag's text, a FOREMAN_TS_* variable or a YAML value from `.foreman`, so every coercer takes
 * text and, where YAML has one, the native form (`true`, `3`, `[a, b]`). Options and per-type
 * settings share these, so one kind of value obeys one rule wherever it is written.
 */
export type Coerced<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

export type Coercer<T> = (raw: unknown) => Coerced<T>;

export function accept<T>(value: T): Coerced<T> {
  return { ok: true, value };
}

export function reject(expected: string): Coerced<never> {
  return { ok: false, expected };
}

/** YAML's "\0" escape can put a NUL in `.foreman`: no path, name or argument can hold one. */
const NUL_FREE = 'text without NUL bytes';

export const text: Coercer<string> = (raw) => {
  if (typeof raw !== 'string' || raw === '') return reject('a non-empty string');
  return raw.includes('\0') ? reject(NUL_FREE) : accept(raw);
};

/** One of a fixed set of words, as written. */
export function choice<const C extends string>(choices: readonly C[]): Coercer<C> {
  return (raw) => {
    const found = choices.find((item) => item === raw);
    return found === undefined ? reject(`one of ${choices.join(', ')}`) : accept(found);
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** YAML booleans, and the words shells and YAML 1.1 use for them (`yes`, `off`, `1`...). */
export const boolean: Coercer<boolean> = (raw) => {
  if (typeof raw === 'boolean') return accept(raw);
  const word = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (TRUE.has(word)) return accept(true);
  if (FALSE.has(word)) return accept(false);
  return reject('true or false');
};

function numberOf(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  return typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
}

/**
 * The longest wait a Node timer can hold: 2^31-1 ms, about 24.8 days. A longer one fires at
 * once (Node warns and waits 1 ms), which would turn a generous grace period into a SIGKILL.
 */
export const MAX_SECONDS = 2_147_483;

/** A duration in seconds (fractions allowed), from 0 (or above 0) to MAX_SECONDS. */
export function seconds({ isZeroAllowed }: { isZeroAllowed: boolean }): Coercer<number> {
  const least = isZeroAllowed ? 'from 0' : 'above 0';
  const expected = `a number of seconds ${least} to ${MAX_SECONDS} (about 24 days)`;
  return (raw) => {
    const n = numberOf(raw);
    const isLowOk = isZeroAllowed ? n >= 0 : n > 0;
    return Number.isFinite(n) && isLowOk && n <= MAX_SECONDS ? accept(n) : reject(expected);
  };
}

export const port: Coercer<number> = (raw) => {
  const n = numberOf(raw);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? accept(n) : reject('a port (1-65535)');
};

/**
 * A list: comma-separated text, repeated flags, or a YAML list (of comma-separated items).
 * `noun` names the items in messages ("file names", "process types").
 */
export function list(noun: string): Coercer<readonly string[]> {
  return (raw) => {
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    const words = items.flatMap((item) =>
      typeof item === 'string' ? item.split(',').map((word) => word.trim()) : [''],
    );
    if (words.some((word) => word.includes('\0'))) return reject(NUL_FREE);
    return words.length > 0 && words.every((word) => word !== '')
      ? accept(words)
      : reject(`${noun}, comma-separated (no empty items)`);
  };
}
