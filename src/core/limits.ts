/**
 * What a release may hold, so that `check` refuses up front, with `file:line`, what `start`,
 * `run` or `export` could not carry out (docs/env.md#limits, docs/procfile.md#limits).
 *
 * Linux's exec refuses any one argument or `KEY=value` string over 128 KiB (MAX_ARG_STRLEN:
 * 131,072 bytes with its NUL), and argv and the environment together over a quarter of the
 * stack limit (2 MiB with the usual 8 MiB), counting each string, its NUL and an 8-byte pointer.
 */
export const LIMITS = {
  /** One Procfile command, or one `KEY=value` of the environment, in UTF-8 bytes. */
  stringBytes: 128_000,
  /** The whole environment of a process, counted as exec counts it (see envEntryBytes). */
  envBytes: 1024 * 1024,
  /** `${A:-${B:-...}}`: fallbacks inside fallbacks. */
  nestingDepth: 16,
  /** A process type's name: a DNS label's 63, so every export format can name units after it. */
  typeNameLength: 63,
} as const;

/** The exact per-string limit of exec, in bytes, NUL excluded. */
export const EXEC_STRING_BYTES = 131_071;

/** The UTF-8 length of `text`, without encoding it. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** What one variable costs exec: `KEY=value`, its NUL and its pointer. */
export function envEntryBytes(key: string, value: string): number {
  return utf8Bytes(key) + 1 + utf8Bytes(value) + 1 + 8;
}

/** Sizes in messages, exact: `128,001 bytes`. */
export function formatBytes(bytes: number): string {
  return `${String(bytes).replace(/\B(?=(\d{3})+$)/g, ',')} bytes`;
}

export type Position = Readonly<{ line: number; column: number }>;

/** Where the first NUL byte is (1-based line and column), if any: no program can be given one. */
export function findNul(text: string): Position | undefined {
  const index = text.indexOf('\0');
  if (index === -1) return undefined;
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: index - lineStart + 1 };
}
