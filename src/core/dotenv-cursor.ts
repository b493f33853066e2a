import type { Segment, Value } from './dotenv-expand.js';

/** A position in env-file text, with its line: the parser's reading head. */
export class Cursor {
  pos = 0;
  line = 1;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  /** The 1-based column of `pos` (by default, the cursor's) on its line. */
  column(pos = this.pos): number {
    return pos - this.text.lastIndexOf('\n', pos - 1);
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  next(): string {
    const char = this.text[this.pos++] ?? '';
    if (char === '\n') this.line += 1;
    return char;
  }
  /** The rest of the current physical line, consuming its newline. */
  restOfLine(): string {
    const end = this.text.indexOf('\n', this.pos);
    const stop = end === -1 ? this.text.length : end;
    const rest = this.text.slice(this.pos, stop);
    this.pos = stop;
    if (end !== -1) this.next();
    return rest;
  }
  /** Skip blanks on this line: where the next text starts. */
  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
  }
}

/** A value being read: text runs and references, adjacent text merged. */
export class Segments {
  private readonly parts: Segment[] = [];
  private pending = '';
  text(text: string): void {
    this.pending += text;
  }
  push(segment: Segment): void {
    if (typeof segment === 'string') return this.text(segment);
    if (this.pending !== '') this.parts.push(this.pending);
    this.pending = '';
    this.parts.push(segment);
  }
  value(): Value {
    if (this.pending !== '' || this.parts.length === 0) this.parts.push(this.pending);
    return this.parts;
  }
}
