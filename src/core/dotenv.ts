import { InputError, throwIfAny } from '../errors.js';
import { LIMITS, findNul } from './limits.js';
import { Cursor, Segments } from './dotenv-cursor.js';
import type { Segment, Value } from './dotenv-expand.js';
import { stripBom } from './procfile.js';

/**
 * The env-file dialect (docs/env.md): a superset of Ruby foreman's, with dotenv's quoting,
 * `export`, inline comments and `${VAR}` expansion. Parsing is pure and keeps expansions as
 * references; `expandValue` (dotenv-expand.ts) resolves them once the caller knows what each name means.
 */
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

/**
 * Where an error is: the file, the line and the key being read. Messages name the key and a
 * column, never the text itself: env files hold secrets, and errors end up in CI logs.
 */
type At = Readonly<{ file: string; line: number; key: string }>;

function fail(at: At, problem: string, hint?: string): InputError {
  return new InputError(at.file, at.line, `${subjectOf(at)}${problem}`, hint);
}

function subjectOf(at: At): string {
  return at.key === '' ? '' : `${at.key}: `;
}

export function parseDotenv(text: string, file: string): DotenvEntry[] {
  const cursor = new Cursor(stripBom(text).replace(/\r\n?/g, '\n'));
  const nul = findNul(cursor.text);
  if (nul !== undefined) {
    const hint = 'remove it: no program can be given a NUL byte';
    throw new InputError(file, nul.line, `a NUL byte at column ${nul.column}`, hint);
  }
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
  if (match === null) return skipOrFail(cursor, { file, line, key: '' });
  cursor.pos = ASSIGN.lastIndex;
  const at: At = { file, line, key: match[2] ?? '' };
  const quote = cursor.peek();
  if (quote === "'") return { key: at.key, value: [readSingleQuoted(cursor, at)] };
  if (quote === '"') return { key: at.key, value: readDoubleQuoted(cursor, at) };
  const afterBlank = (match[3] ?? '') !== '';
  const start = cursor.pos;
  const raw = cursor.restOfLine();
  return {
    key: at.key,
    value: parseUnquoted(raw, afterBlank, { at, column: cursor.column(start) }),
  };
}

/**
 * A blank line or a comment is skipped; anything else is not `KEY=value`. Nothing of the line
 * is quoted, not even its first word: a line without "=" may be a pasted token.
 */
function skipOrFail(cursor: Cursor, at: At): undefined {
  cursor.skipBlanks();
  const column = cursor.column();
  const rest = cursor.restOfLine().trim();
  if (rest === '' || rest.startsWith('#')) return undefined;
  const hint = 'write KEY=value (names: letters, digits and "_", not starting with a digit)';
  const what = /^[A-Za-z_]/.test(rest)
    ? `the name at column ${column} is not followed by "="`
    : `no name at column ${column}`;
  throw fail(at, `expected KEY=value: ${what}`, hint);
}

function readSingleQuoted(cursor: Cursor, at: At): string {
  const column = cursor.column();
  cursor.next();
  const end = cursor.text.indexOf("'", cursor.pos);
  if (end === -1) throw unterminated(at, "'", column);
  let value = '';
  while (cursor.pos < end) value += cursor.next();
  cursor.next();
  expectLineEnd(cursor, { at, quote: "'", column });
  return value;
}

function readDoubleQuoted(cursor: Cursor, at: At): Value {
  const column = cursor.column();
  const segments = new Segments();
  let problem: InputError | undefined;
  cursor.next();
  for (;;) {
    if (cursor.done) throw unterminated(at, '"', column);
    const char = cursor.next();
    if (char === '"') break;
    if (char === '\\' && !cursor.done) {
      const escaped = cursor.next();
      segments.text(DQ_ESCAPES[escaped] ?? `\\${escaped}`);
    } else if (char === '$') {
      // A bad reference is reported once the value is read: the next line is not inside it.
      const reference = attempt(() => readReference(cursor, { at, depth: 0 }));
      if (reference instanceof InputError) problem ??= reference;
      else segments.push(reference);
    } else {
      segments.text(char);
    }
  }
  expectLineEnd(cursor, { at, quote: '"', column });
  if (problem !== undefined) throw problem;
  return segments.value();
}

/** Unquoted: whitespace then `#` starts a comment (so `a#b` stays whole), trailing blanks go. */
function parseUnquoted(
  raw: string,
  afterBlank: boolean,
  { at, column }: { at: At; column: number },
): Value {
  const comment = afterBlank ? /(^|[ \t])#.*$/ : /[ \t]#.*$/;
  return parseSegments(raw.replace(comment, '').trimEnd(), { at, depth: 0, column });
}

type Context = Readonly<{ at: At; depth: number; column?: number }>;

function parseSegments(text: string, context: Context): Value {
  const cursor = new Cursor(text);
  const segments = new Segments();
  while (!cursor.done) {
    const char = cursor.next();
    if (char === '\\' && cursor.peek() === '$') segments.text(cursor.next());
    else if (char === '$') segments.push(readReference(cursor, context));
    else segments.text(char);
  }
  return segments.value();
}

/** After `$`: `${NAME}`, `${NAME:-fallback}`, `${NAME-fallback}`, `$NAME`, else a literal `$`. */
function readReference(cursor: Cursor, context: Context): Segment {
  if (cursor.peek() === '{') return readBraced(cursor, context);
  BARE_NAME.lastIndex = cursor.pos;
  const bare = BARE_NAME.exec(cursor.text);
  if (bare === null) return '$';
  cursor.pos = BARE_NAME.lastIndex;
  return { name: bare[0], ifEmpty: false };
}

function readBraced(cursor: Cursor, { at, depth, column = 1 }: Context): Segment {
  // `column` is where this text began on its line: a fallback's text is parsed on its own.
  const dollar = column + cursor.column() - 2;
  if (depth >= LIMITS.nestingDepth) {
    const problem = `"\${...}" nested more than ${LIMITS.nestingDepth} deep, at column ${dollar}`;
    throw fail(at, problem, 'set the inner values on lines of their own');
  }
  const close = findClosingBrace(cursor.text, cursor.pos);
  if (close === -1) {
    const hint = 'add "}" or write "\\$" for a dollar';
    throw fail(at, `unclosed "\${" at column ${dollar}`, hint);
  }
  const inner = cursor.text.slice(cursor.pos + 1, close);
  while (cursor.pos <= close) cursor.next();
  const [, name, colon = '', fallback] = BRACED.exec(inner) ?? [];
  if (name === undefined) {
    const hint = 'use ${NAME}, ${NAME:-default}, or write "\\$" for a dollar';
    throw fail(at, `bad substitution at column ${dollar}`, hint);
  }
  if (fallback === undefined) return { name, ifEmpty: false };
  const fallbackColumn = dollar + '${'.length + name.length + colon.length + '-'.length;
  const parsed = parseSegments(fallback, { at, depth: depth + 1, column: fallbackColumn });
  return { name, ifEmpty: colon === ':', fallback: parsed };
}

function attempt<T>(read: () => T): T | InputError {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
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

/** After a closing quote, only blanks or a comment: else say where the quote began. */
function expectLineEnd(
  cursor: Cursor,
  { at, quote, column }: { at: At; quote: string; column: number },
): void {
  const closedOn = cursor.line;
  cursor.skipBlanks();
  const after = cursor.column();
  const rest = cursor.restOfLine().trim();
  if (rest === '' || rest.startsWith('#')) return;
  if (closedOn === at.line) {
    const hint = 'put the whole value inside the quotes, or start a comment with " #"';
    throw fail(at, `unexpected text after the closing quote, at column ${after}`, hint);
  }
  const problem = `the ${quote} at column ${column} is not closed on this line, and the next ${quote} (line ${closedOn}) has text after it`;
  throw fail(at, problem, closeHint(quote));
}

class Unterminated extends InputError {}

function unterminated(at: At, quote: string, column: number): InputError {
  const problem = `${subjectOf(at)}unterminated ${quote} quote at column ${column}`;
  return new Unterminated(at.file, at.line, problem, closeHint(quote));
}

function closeHint(quote: string): string {
  return quote === "'"
    ? `close it with '; single quotes have no escapes, so a value with a ' in it needs double quotes`
    : 'close it with ", or write a " inside the value as \\"';
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
