import { InputError, throwIfAny } from '../errors.js';
import { stripBom } from './procfile.js';
import { isSecretName } from './secret-names.js';

/**
 * The env-file dialect (docs/env.md): a superset of Ruby foreman's, with dotenv's quoting,
 * `export`, inline comments and `${VAR}` expansion. Parsing is pure and keeps expansions as
 * references; `expandValue` resolves them once the caller knows what each name means.
 */
export type Reference = Readonly<{ name: string; fallback?: Value; ifEmpty: boolean }>;
export type Segment = string | Reference;
export type Value = readonly Segment[];
export type DotenvEntry = Readonly<{ key: string; value: Value; line: number }>;

const ASSIGN = /[ \t]*(export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=([ \t]*)/y;
const BARE_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-(.*))?$/s;
const DQ_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
  $: '$',
};

class Cursor {
  pos = 0;
  line = 1;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
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
}

export function parseDotenv(text: string, file: string): DotenvEntry[] {
  const cursor = new Cursor(stripBom(text).replace(/\r\n?/g, '\n'));
  const entries: DotenvEntry[] = [];
  const problems: InputError[] = [];
  while (!cursor.done) {
    const line = cursor.line;
    try {
      const entry = parseStatement(cursor, file);
      if (entry !== undefined) entries.push({ ...entry, line });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error);
      if (error instanceof Unterminated) break; // the rest of the file is inside the quote
    }
  }
  throwIfAny(problems);
  return entries;
}

function parseStatement(cursor: Cursor, file: string): Omit<DotenvEntry, 'line'> | undefined {
  const line = cursor.line;
  ASSIGN.lastIndex = cursor.pos;
  const match = ASSIGN.exec(cursor.text);
  if (match === null) {
    const rest = cursor.restOfLine().trim();
    if (rest === '' || rest.startsWith('#')) return undefined;
    const hint = 'write KEY=value (names: letters, digits and "_", not starting with a digit)';
    throw new InputError(file, line, `expected KEY=value, got "${rest}"`, hint);
  }
  cursor.pos = ASSIGN.lastIndex;
  const key = match[2] ?? '';
  const quote = cursor.peek();
  if (quote === "'") return { key, value: [readSingleQuoted(cursor, file, key)] };
  if (quote === '"') return { key, value: readDoubleQuoted(cursor, file, key) };
  const afterBlank = (match[3] ?? '') !== '';
  return { key, value: parseUnquoted(cursor.restOfLine(), afterBlank, { file, line }) };
}

function readSingleQuoted(cursor: Cursor, file: string, key: string): string {
  const line = cursor.line;
  cursor.next();
  const end = cursor.text.indexOf("'", cursor.pos);
  if (end === -1) throw unterminated(file, line, "'");
  let value = '';
  while (cursor.pos < end) value += cursor.next();
  cursor.next();
  expectLineEnd(cursor, file, key);
  return value;
}

function readDoubleQuoted(cursor: Cursor, file: string, key: string): Value {
  const line = cursor.line;
  const segments = new Segments();
  cursor.next();
  for (;;) {
    if (cursor.done) throw unterminated(file, line, '"');
    const char = cursor.next();
    if (char === '"') break;
    if (char === '\\' && !cursor.done) {
      const escaped = cursor.next();
      segments.text(DQ_ESCAPES[escaped] ?? `\\${escaped}`);
    } else if (char === '$') {
      segments.push(readReference(cursor, file, line));
    } else {
      segments.text(char);
    }
  }
  expectLineEnd(cursor, file, key);
  return segments.value();
}

/** Unquoted: whitespace then `#` starts a comment (so `a#b` stays whole), trailing blanks go. */
function parseUnquoted(
  raw: string,
  afterBlank: boolean,
  at: { file: string; line: number },
): Value {
  const comment = afterBlank ? /(^|[ \t])#.*$/ : /[ \t]#.*$/;
  return parseSegments(raw.replace(comment, '').trimEnd(), at.file, at.line);
}

function parseSegments(text: string, file: string, line: number): Value {
  const cursor = new Cursor(text);
  const segments = new Segments();
  while (!cursor.done) {
    const char = cursor.next();
    if (char === '\\' && cursor.peek() === '$') segments.text(cursor.next());
    else if (char === '$') segments.push(readReference(cursor, file, line));
    else segments.text(char);
  }
  return segments.value();
}

/** After `$`: `${NAME}`, `${NAME:-fallback}`, `${NAME-fallback}`, `$NAME`, else a literal `$`. */
function readReference(cursor: Cursor, file: string, line: number): Segment {
  if (cursor.peek() === '{') {
    const close = findClosingBrace(cursor.text, cursor.pos);
    if (close === -1) {
      throw new InputError(file, line, 'unclosed "${"', 'add "}" or write "\\$" for a dollar');
    }
    const inner = cursor.text.slice(cursor.pos + 1, close);
    while (cursor.pos <= close) cursor.next();
    const [, name, colon, fallback] = BRACED.exec(inner) ?? [];
    if (name === undefined) {
      const hint = 'use ${NAME}, ${NAME:-default}, or write "\\$" for a dollar';
      throw new InputError(file, line, `bad substitution "\${${inner}}"`, hint);
    }
    if (fallback === undefined) return { name, ifEmpty: false };
    return { name, ifEmpty: colon === ':', fallback: parseSegments(fallback, file, line) };
  }
  BARE_NAME.lastIndex = cursor.pos;
  const bare = BARE_NAME.exec(cursor.text);
  if (bare === null) return '$';
  cursor.pos = BARE_NAME.lastIndex;
  return { name: bare[0], ifEmpty: false };
}

function findClosingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const char = text[index];
    if (char === '\n') return -1;
    if (char === '{') depth += 1;
    if (char === '}' && --depth === 0) return index;
  }
  return -1;
}

/** What follows a secret's closing quote is most likely the rest of the secret: not shown. */
function expectLineEnd(cursor: Cursor, file: string, key: string): void {
  const line = cursor.line;
  const rest = cursor.restOfLine().trim();
  if (rest === '' || rest.startsWith('#')) return;
  const hint = 'put the whole value inside the quotes, or start a comment with " #"';
  const shown = isSecretName(key) ? `(not shown: ${key} looks secret)` : `"${rest}"`;
  throw new InputError(file, line, `unexpected text after the closing quote: ${shown}`, hint);
}

class Unterminated extends InputError {}

function unterminated(file: string, line: number, quote: string): InputError {
  const hint = `close it with ${quote}, or escape it (\\${quote}) inside a quoted value`;
  return new Unterminated(file, line, `unterminated ${quote} quote`, hint);
}

class Segments {
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

/** Resolve references; an unknown name is empty, as in the shell. `$(cmd)` is never run. */
export function expandValue(value: Value, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (const segment of value) {
    if (typeof segment === 'string') {
      out += segment;
      continue;
    }
    const found = lookup(segment.name);
    const missing = found === undefined || (segment.ifEmpty && found === '');
    out +=
      missing && segment.fallback !== undefined
        ? expandValue(segment.fallback, lookup)
        : (found ?? '');
  }
  return out;
}

const PLAIN = /^[A-Za-z0-9_@%+=:,./*-]*$/;
const FORMAT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  $: '\\$',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
};

/** One `KEY=value` line that parseDotenv reads back to exactly `value`. */
export function formatDotenvLine(key: string, value: string): string {
  if (PLAIN.test(value)) return `${key}=${value}`;
  return `${key}="${value.replace(/[\\"$\n\t\r]/g, (char) => FORMAT_ESCAPES[char] ?? char)}"`;
}
