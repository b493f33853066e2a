import { sequenceLength } from './utf8.js';

/**
 * Text from outside (a Procfile line, an env file, a control request) shown in one line of a
 * message, safely: a terminal must not act on it. Control characters (C0, DEL, C1, which
 * include every escape sequence's introducer), line and paragraph separators, bidirectional
 * overrides (which reorder what the reader sees) and lone surrogates are shown as escapes;
 * bytes that are not UTF-8 are shown as `\xNN`. Everything else, other scripts and emoji
 * included, stays as it is. Backslashes are not doubled: this is for reading, not for parsing
 * back.
 */
export function escapeText(input: string | Uint8Array): string {
  if (typeof input !== 'string') return decodeEscaped(input);
  let out = '';
  for (const char of input) out += escapeChar(char);
  return out;
}

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Bidi embeddings, overrides and isolates (the "Trojan Source" characters), LS and PS. */
const INVISIBLE_ORDER = /^[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]$/;

function escapeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const named = NAMED[char];
  if (named !== undefined) return named;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `\\x${hex(code, 2)}`;
  if (INVISIBLE_ORDER.test(char) || (code >= 0xd800 && code <= 0xdfff)) return `\\u${hex(code, 4)}`;
  return char;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** UTF-8 bytes to escaped text: each well-formed sequence as its character, others as \xNN. */
function decodeEscaped(bytes: Uint8Array): string {
  let out = '';
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length === 0) {
      out += `\\x${hex(bytes[index] ?? 0, 2)}`;
      index += 1;
      continue;
    }
    out += escapeChar(String.fromCodePoint(codePointAt(bytes, index, length)));
    index += length;
  }
  return out;
}

function codePointAt(bytes: Uint8Array, index: number, length: number): number {
  const lead = bytes[index] ?? 0;
  let code = length === 1 ? lead : lead & (0xff >> (length + 1));
  for (let n = 1; n < length; n++) code = (code << 6) | ((bytes[index + n] ?? 0) & 0x3f);
  return code;
}
