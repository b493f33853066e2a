import type { InputLine } from './input-line.js';

export type Writer = Readonly<{ write: (data: Buffer | string) => void }>;

const ERASE_LINE = '\r\u001b[K';

/**
 * `start`'s terminal when it takes input (docs/interactive.md): process lines scroll as usual,
 * and one input line (a prompt and what is being typed) stays at the bottom. Before lines are
 * printed the input line is erased, and it is drawn again after them, in the same write, so
 * nothing typed is lost under other processes' output.
 */
export class Screen implements Writer {
  private readonly out: Writer;
  private bottom: InputLine | undefined;

  constructor(out: Writer) {
    this.out = out;
  }

  write(data: Buffer | string): void {
    if (this.bottom === undefined) return this.out.write(data);
    const drawn = drawing(this.bottom);
    this.out.write(Buffer.concat([Buffer.from(ERASE_LINE), toBuffer(data), Buffer.from(drawn)]));
  }

  /** Show this input line (undefined: none) in place of the current one. */
  show(line: InputLine | undefined): void {
    if (line === undefined && this.bottom === undefined) return;
    const same =
      line !== undefined &&
      this.bottom !== undefined &&
      line.text === this.bottom.text &&
      line.column === this.bottom.column;
    if (same) return;
    this.bottom = line;
    this.out.write(line === undefined ? ERASE_LINE : `${ERASE_LINE}${drawing(line)}`);
  }

  /** Draw the input line again (Ctrl-L, a resize, a return from the background). */
  redraw(): void {
    if (this.bottom !== undefined) this.out.write(`${ERASE_LINE}${drawing(this.bottom)}`);
  }
}

function drawing(line: InputLine): string {
  return `${line.text}\u001b[K\r${line.column > 0 ? `\u001b[${line.column}C` : ''}`;
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data) : data;
}
