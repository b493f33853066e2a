/**
 * Well-formed UTF-8 (RFC 3629), byte by byte: what escape-text.ts shows as `\xNN`, and what
 * the file readers refuse with its line and column. Node hands a program's arguments and
 * environment over as UTF-8, so a byte that is not part of it would reach the program as
 * U+FFFD: a command or value silently different from the file's.
 */

/** The length of the well-formed UTF-8 sequence at `index`, or 0 when the byte there starts none. */
export function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] ?? 0;
  const at = (n: number): number => bytes[index + n] ?? 0;
  const isTail = (n: number, low = 0x80, high = 0xbf): boolean => at(n) >= low && at(n) <= high;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return isTail(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    // E0 needs A0..BF (no overlongs); ED needs 80..9F (no surrogates).
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return isTail(1, low, high) && isTail(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return isTail(1, low, high) && isTail(2) && isTail(3) ? 4 : 0;
  }
  return 0;
}

/** Where the first byte that is not UTF-8 is: its 1-based line and column (in characters). */
export type BadByte = Readonly<{ line: number; column: number; byte: number }>;

export function findInvalidUtf8(bytes: Uint8Array): BadByte | undefined {
  let line = 1;
  let column = 1;
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length === 0) return { line, column, byte: bytes[index] ?? 0 };
    if (bytes[index] === 0x0a) {
      line += 1;
      column = 1;
    } else column += length === 4 ? 2 : 1; // as JavaScript counts: an astral character is two
    index += length;
  }
  return undefined;
}
