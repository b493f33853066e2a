import { InputError, throwIfAny } from '../errors.js';
import { escapeText } from './escape-text.js';

export type ProcfileEntry = Readonly<{ name: string; command: string; line: number }>;
export type Procfile = Readonly<{ path: string; entries: readonly ProcfileEntry[] }>;

const ENTRY = /^([^:\s]+)\s*:(.*)$/;
const NAME = /^[A-Za-z0-9_-]+$/;
/** `all` is the formation wildcard (`-m all=2`), so a type cannot be called that. */
const RESERVED = new Set(['all']);

/** Parse Procfile text; every bad line is reported with its line number. */
export function parseProcfile(text: string, file: string): ProcfileEntry[] {
  const entries: ProcfileEntry[] = [];
  const problems: InputError[] = [];
  for (const [index, raw] of stripBom(text).split(/\r?\n/).entries()) {
    const source = raw.trim();
    if (source === '' || source.startsWith('#')) continue;
    const line = index + 1;
    const entry = parseLine(source, line, file, entries);
    if (entry instanceof InputError) problems.push(entry);
    else entries.push(entry);
  }
  if (entries.length === 0 && problems.length === 0) {
    const hint = 'add a line such as "web: node server.js"';
    problems.push(new InputError(file, 1, 'no process types defined', hint));
  }
  throwIfAny(problems);
  return entries;
}

function parseLine(
  source: string,
  line: number,
  file: string,
  seen: readonly ProcfileEntry[],
): ProcfileEntry | InputError {
  const [, name, rest] = ENTRY.exec(source) ?? [];
  if (name === undefined || rest === undefined) {
    const hint = 'write "name: command", with a colon after the process type';
    const problem = `expected "name: command", got "${escapeText(source)}"`;
    return new InputError(file, line, problem, hint);
  }
  if (!NAME.test(name)) {
    const fixed = name.replace(/[^A-Za-z0-9_-]/g, '_');
    const problem = `process type "${escapeText(name)}" may contain only letters, digits, "_" and "-"`;
    return new InputError(file, line, problem, `rename it, e.g. "${fixed}"`);
  }
  if (RESERVED.has(name)) {
    return new InputError(file, line, `"${name}" is reserved`, 'rename the process type');
  }
  const command = rest.trim();
  if (command === '') {
    return new InputError(
      file,
      line,
      `"${name}" has no command`,
      'write the command after the colon',
    );
  }
  const first = seen.find((entry) => entry.name === name);
  if (first !== undefined) {
    const problem = `"${name}" is defined twice (first on line ${first.line})`;
    return new InputError(file, line, problem, 'rename or remove one');
  }
  return { name, command, line };
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
