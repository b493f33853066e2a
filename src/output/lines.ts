const NEWLINE = 0x0a;

/**
 * Split a byte stream into lines without decoding it: invalid UTF-8 and `\r` pass through as
 * they are. A line longer than `maxLineBytes` is cut into pieces, so memory stays bounded
 * whatever a process writes (readline held a 256 MiB line whole: docs/architecture.md).
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes;
  }

  get hasPartial(): boolean {
    return this.pendingBytes > 0;
  }

  /** Complete lines in this chunk (without their `\n`), oversized pieces included. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.take(chunk.subarray(start, end), lines);
      lines.push(this.drain());
      start = end + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start), lines);
    return lines;
  }

  /** The unterminated rest, left in place (a prompt shown while it may still grow). */
  peek(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    this.pending = [this.drain()];
    this.pendingBytes = (this.pending[0] as Buffer).length;
    return this.pending[0];
  }

  /** The unterminated rest, at end of stream or when the process went quiet (a prompt). */
  flush(): Buffer | undefined {
    return this.pendingBytes > 0 ? this.drain() : undefined;
  }

  private take(part: Buffer, lines: Buffer[]): void {
    let rest = part;
    while (this.pendingBytes + rest.length > this.maxLineBytes) {
      const room = this.maxLineBytes - this.pendingBytes;
      this.pending.push(rest.subarray(0, room));
      this.pendingBytes += room;
      lines.push(this.drain());
      rest = rest.subarray(room);
    }
    if (rest.length > 0) {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  private drain(): Buffer {
    const line =
      this.pending.length === 1
        ? (this.pending[0] as Buffer)
        : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}

/**
 * `head + line + tail` for each line, as one Buffer for one write: a chunk's lines cost one
 * syscall, whatever their number. Text mode's `prefix`/`\n` and JSON's record ends alike.
 */
export function joinLines(head: Buffer, lines: readonly Buffer[], tail: Buffer): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const line of lines) {
    parts.push(head, line, tail);
    length += head.length + line.length + tail.length;
  }
  return Buffer.concat(parts, length);
}
