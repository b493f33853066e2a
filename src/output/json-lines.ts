import { isUtf8 } from 'node:buffer';
import { formatMsg } from './json-msg.js';
import { LEVELS } from './json-record.js';

/**
 * A process's lines as JSON records in pino's shape (docs/logging.md), level info:
 * `{"level":30,"time":<epoch ms>,"process":"web.1","type":"web","msg":"..."}`. Pure; our own
 * JSON-lines writer, not pino: one chunk becomes one buffer and one write (deps.md §4).
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
 * one buffer; a line that is not valid UTF-8 goes through `formatMsg`. The output equals
 * `formatEachLine` (the unit tests check it); this is only faster (bench/json-vs-text.mjs).
 */
export function formatLineRecords(prefix: string, lines: readonly Buffer[]): Buffer {
  const head = Buffer.from(`${prefix}"`);
  if (lines.every(isPlain)) return assemble(head, lines);
  let size = 0;
  for (const line of lines) size += head.length + line.length * MAX_GROWTH + CLOSE.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const line of lines) {
    out.set(head, at); // TypedArray#set: cheaper per call than Buffer#copy
    at += head.length;
    const end = escapeInto(out, at, line);
    at = end >= 0 ? end : at + out.write(formatMsg(line).slice(1, -1), at, 'utf8');
    out.set(CLOSE, at);
    at += CLOSE.length;
  }
  return out.subarray(0, at);
}

/** A byte becomes at most 6 (`\u001b`); an invalid byte's `\udcXX` is 6 too. */
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

/**
 * Write `line` JSON-escaped (without quotes) at `at`; returns the new end, or -1 when the line
 * is not valid UTF-8. Valid multi-byte characters are copied as they are, except the C1
 * controls (U+0080..U+009F, bytes C2 80..C2 9F), which are escaped as `formatMsg` does.
 */
function escapeInto(out: Buffer, at: number, line: Buffer): number {
  let end = at;
  let isChecked = false;
  for (let index = 0; index < line.length; index++) {
    const byte = line[index] as number;
    if (NOT_PLAIN[byte] === 0) {
      out[end++] = byte;
    } else if (byte >= 0x80) {
      if (!isChecked && !isUtf8(line)) return -1;
      isChecked = true;
      const next = line[index + 1] as number;
      if (byte === 0xc2 && next <= 0x9f) {
        end = writeUnicodeEscape(out, end, next);
        index += 1;
      } else out[end++] = byte;
    } else if (SHORT[byte] !== 0) {
      out[end++] = BACKSLASH;
      out[end++] = SHORT[byte] as number;
    } else end = writeUnicodeEscape(out, end, byte);
  }
  return end;
}

/** `\u00XX` for a code point below 0x100, lowercase hex as JSON.stringify writes it. */
function writeUnicodeEscape(out: Buffer, at: number, code: number): number {
  out[at] = BACKSLASH;
  out[at + 1] = 0x75; // u
  out[at + 2] = 0x30;
  out[at + 3] = 0x30;
  out[at + 4] = HEX[code >> 4] as number;
  out[at + 5] = HEX[code & 15] as number;
  return at + 6;
}

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

const CLOSE = Buffer.from('"}\n');

function assemble(head: Buffer, lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const line of lines) {
    parts.push(head, line, CLOSE);
    length += head.length + line.length + CLOSE.length;
  }
  return Buffer.concat(parts, length);
}

/** The reference path, line by line: any bytes, valid UTF-8 or not. */
export function formatEachLine(prefix: string, lines: readonly Buffer[]): string {
  let out = '';
  for (const line of lines) out += `${prefix}${formatMsg(line)}}\n`;
  return out;
}
