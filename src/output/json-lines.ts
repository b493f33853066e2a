import { isUtf8 } from 'node:buffer';
import { joinLines } from './lines.js';
import { LEVELS } from './output.js';

/**
 * A process's lines as JSON records in pino's shape (docs/logging.md), level info:
 * `{"level":30,"time":<epoch ms>,"process":"web.1","type":"web","msg":"..."}`. Pure; our own
 * JSON-lines encoder, not pino: one chunk becomes one buffer and one write (pino per line
 * costs 8-15x more: docs/architecture.md, "Output path").
 *
 * `msg` holds the line's bytes exactly: valid UTF-8 is JSON text (every control character,
 * DEL and C1 included, as a JSON escape), and each byte that is not part of valid UTF-8 is
 * the lone surrogate U+DC00 + byte, written `\udcXX` (PEP 383 "surrogateescape").
 */
const LINE_LEVEL = LEVELS.info;

/** The start of every record of one process at one moment, up to `"msg":`: once per chunk. */
export function formatLinePrefix(time: number, quotedName: string, quotedType: string): string {
  return `{"level":${LINE_LEVEL},"time":${time},"process":${quotedName},"type":${quotedType},"msg":`;
}

/**
 * One chunk's lines as JSON lines, each ending in `\n`, as one Buffer for one write. Plain
 * lines (printable ASCII, no quote or backslash) are JSON text already: records are assembled
 * from buffers, as text mode assembles its lines. Other chunks are escaped byte by byte into
 * one buffer. The unit tests hold the output equal to `JSON.stringify` of the decoded line.
 */
export function formatLineRecords(prefix: string, lines: readonly Buffer[]): Buffer {
  const head = Buffer.from(`${prefix}"`);
  if (lines.every(isPlain)) return joinLines(head, lines, CLOSE);
  let size = 0;
  for (const line of lines) size += head.length + line.length * MAX_GROWTH + CLOSE.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const line of lines) {
    out.set(head, at); // TypedArray#set: cheaper per call than Buffer#copy
    at = escapeInto(out, at + head.length, line);
    out.set(CLOSE, at);
    at += CLOSE.length;
  }
  return out.subarray(0, at);
}

const CLOSE = Buffer.from('"}\n');
/** A byte becomes at most 6 (`\u001b`, or an invalid byte's `\udcXX`). */
const MAX_GROWTH = 6;
const BACKSLASH = 0x5c;
const HEX = Buffer.from('0123456789abcdef');
/** The letter of a two-character JSON escape (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`), or 0. */
const SHORT = new Uint8Array(128);
const SHORT_ESCAPES = [
  [0x22, '"'],
  [0x5c, '\\'],
  [0x08, 'b'],
  [0x0c, 'f'],
  [0x0a, 'n'],
  [0x0d, 'r'],
  [0x09, 't'],
] as const;
for (const [byte, letter] of SHORT_ESCAPES) SHORT[byte] = letter.charCodeAt(0);

/** Bytes that JSON needs escaped, or that are not ASCII: everything but 0x20-0x7e, `"`, `\`. */
const NOT_PLAIN = new Uint8Array(256).map((_, byte) =>
  byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c ? 1 : 0,
);

/** Printable ASCII without quote or backslash: already JSON text. A plain loop beats a regex here. */
function isPlain(line: Buffer): boolean {
  for (let index = 0; index < line.length; index++)
    if (NOT_PLAIN[line[index] as number]) return false;
  return true;
}

/** Write `line` JSON-escaped (without quotes) at `at`; returns the new end. */
function escapeInto(out: Buffer, at: number, line: Buffer): number {
  let end = at;
  let isValid: boolean | undefined;
  for (let index = 0; index < line.length; index++) {
    const byte = line[index] as number;
    if (NOT_PLAIN[byte] === 0) {
      out[end++] = byte;
    } else if (byte >= 0x80) {
      isValid ??= isUtf8(line); // native, once per line: most lines that get here are valid
      const size = isValid ? 1 : sequenceAt(line, index);
      const next = line[index + 1] as number;
      if (size === 0) end = writeUnicodeEscape(out, end, 0xdc00 + byte);
      else if (byte === 0xc2 && next <= 0x9f) {
        end = writeUnicodeEscape(out, end, next); // a C1 control: a terminal may act on it raw
        index += 1;
      } else {
        out[end++] = byte;
        for (let rest = 1; rest < size; rest++) out[end++] = line[++index] as number;
      }
    } else if (SHORT[byte] !== 0) {
      out[end++] = BACKSLASH;
      out[end++] = SHORT[byte] as number;
    } else end = writeUnicodeEscape(out, end, byte);
  }
  return end;
}

/** `\uXXXX`, lowercase hex as JSON.stringify writes it. */
function writeUnicodeEscape(out: Buffer, at: number, code: number): number {
  out[at] = BACKSLASH;
  out[at + 1] = 0x75; // u
  out[at + 2] = HEX[code >> 12] as number;
  out[at + 3] = HEX[(code >> 8) & 15] as number;
  out[at + 4] = HEX[(code >> 4) & 15] as number;
  out[at + 5] = HEX[code & 15] as number;
  return at + 6;
}

/** Length of the well-formed UTF-8 sequence at `index` (RFC 3629 table), or 0. */
function sequenceAt(bytes: Buffer, index: number): number {
  const [size, low, high] = leadOf(bytes[index] as number);
  if (size === 0) return 0;
  const second = bytes[index + 1];
  if (second === undefined || second < low || second > high) return 0;
  for (let offset = 2; offset < size; offset++) {
    const next = bytes[index + offset];
    if (next === undefined || next < 0x80 || next > 0xbf) return 0;
  }
  return size;
}

/** Sequence length and the allowed range of the second byte (no overlongs, no surrogates). */
function leadOf(first: number): readonly [number, number, number] {
  if (first >= 0xc2 && first <= 0xdf) return [2, 0x80, 0xbf];
  if (first === 0xe0) return [3, 0xa0, 0xbf];
  if (first === 0xed) return [3, 0x80, 0x9f];
  if (first >= 0xe1 && first <= 0xef) return [3, 0x80, 0xbf];
  if (first === 0xf0) return [4, 0x90, 0xbf];
  if (first >= 0xf1 && first <= 0xf3) return [4, 0x80, 0xbf];
  if (first === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}
