/**
 * The reference for `msg` (docs/logging.md), written the slow and obvious way: decode the
 * line with the platform's strict UTF-8 decoder, one sequence at a time, turning each byte it
 * rejects into U+DC00 + byte, then JSON.stringify, then escape DEL and C1. The shipped encoder
 * (src/output/json-lines.ts) must equal it byte for byte; `bytesOfMsg` is its inverse.
 */
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a BOM is text too
const C1_ALL = /[\u007f-\u009f]/g;
const LOW_SURROGATE = 0xdc00;

/** `"..."`: one line's bytes as a JSON string literal. */
function formatMsg(line: Buffer): string {
  return JSON.stringify(decodeEscaped(line)).replace(
    C1_ALL,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Each line as `prefix + msg + "}\n"`: what the encoder writes for a chunk. */
export function formatEachLine(prefix: string, lines: readonly Buffer[]): string {
  return lines.map((line) => `${prefix}${formatMsg(line)}}\n`).join('');
}

/** Decode UTF-8, mapping each byte that is not part of a valid sequence to U+DC00 + byte. */
export function decodeEscaped(bytes: Buffer): string {
  let text = '';
  let index = 0;
  while (index < bytes.length) {
    const size = sequenceLength(bytes, index);
    text +=
      size === 0
        ? String.fromCharCode(LOW_SURROGATE + (bytes[index] as number))
        : strict.decode(bytes.subarray(index, index + size));
    index += Math.max(size, 1);
  }
  return text;
}

/** The length of the one character the strict decoder accepts at `index`, or 0. */
function sequenceLength(bytes: Buffer, index: number): number {
  for (let size = 1; size <= 4 && index + size <= bytes.length; size++) {
    try {
      strict.decode(bytes.subarray(index, index + size));
      return size;
    } catch {
      // not a whole character yet, or never one
    }
  }
  return 0;
}

/** The inverse of `msg` after JSON.parse: the line's original bytes. */
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
