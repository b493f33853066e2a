import { isUtf8 } from 'node:buffer';

/**
 * A line's bytes as a JSON string (`msg`), exactly: valid UTF-8 becomes JSON text (control
 * characters as JSON escapes, DEL and C1 too), and each byte that is not part of valid UTF-8
 * becomes the lone surrogate U+DC80..U+DCFF (PEP 383 "surrogateescape"), written `\udcXX`.
 * Valid UTF-8 never decodes to a surrogate, so the mapping is reversible: Python's
 * `msg.encode('utf-8', 'surrogateescape')` returns the original bytes, and `bytesOfMsg` below
 * does the same in JavaScript (docs/logging.md).
 */

/** DEL and the C1 controls: JSON allows them raw, but a terminal may act on them. */
const C1 = /[\u007f-\u009f]/;
const C1_ALL = /[\u007f-\u009f]/g;
const LOW_SURROGATE = 0xdc00;

/** `"..."`: one line's bytes as a JSON string literal. */
export function formatMsg(line: Buffer): string {
  const text = isUtf8(line) ? line.toString('utf8') : decodeEscaped(line);
  const json = JSON.stringify(text);
  return C1.test(json) ? json.replace(C1_ALL, escapeChar) : json;
}

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Decode UTF-8, mapping each byte of an invalid sequence to U+DC00 + byte. */
export function decodeEscaped(bytes: Buffer): string {
  let text = '';
  let run = 0;
  let index = 0;
  while (index < bytes.length) {
    const size = sequenceAt(bytes, index);
    if (size > 0) {
      index += size;
      continue;
    }
    const byte = bytes[index] ?? 0;
    text += bytes.toString('utf8', run, index) + String.fromCharCode(LOW_SURROGATE + byte);
    index += 1;
    run = index;
  }
  return text + bytes.toString('utf8', run, bytes.length);
}

/** Length of the well-formed UTF-8 sequence at `index` (RFC 3629 table), or 0. */
function sequenceAt(bytes: Buffer, index: number): number {
  const first = bytes[index] ?? 0;
  if (first < 0x80) return 1;
  const [size, low, high] = leadOf(first);
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

/** The inverse of `formatMsg` after JSON.parse: the line's original bytes. */
export function bytesOfMsg(msg: string): Buffer {
  const parts: Buffer[] = [];
  let run = 0;
  for (let index = 0; index < msg.length; index++) {
    const unit = msg.charCodeAt(index);
    if (unit < 0xdc80 || unit > 0xdcff) continue;
    const isPaired = index > 0 && isHighSurrogate(msg.charCodeAt(index - 1));
    if (isPaired) continue;
    parts.push(Buffer.from(msg.slice(run, index), 'utf8'), Buffer.of(unit - LOW_SURROGATE));
    run = index + 1;
  }
  parts.push(Buffer.from(msg.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
