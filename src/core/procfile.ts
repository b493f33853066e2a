import { InputError, throwIfAny } from '../errors.js';
import { escapeText } from './escape-text.js';
import { LIMITS, formatBytes, utf8Bytes } from './limits.js';

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
    const entry = parseLine(raw, line, file, entries);
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
  raw: string,
  line: number,
  file: string,
  seen: readonly ProcfileEntry[],
): ProcfileEntry | InputError {
  const fail = (problem: string, hint: string): InputError =>
    new InputError(file, line, problem, hint);
  const nul = raw.indexOf('\0');
  if (nul !== -1)
    return fail(`a NUL byte at column ${nul + 1}`, 'remove it: no program can be given one');
  const source = raw.trim();
  const [, name, rest] = ENTRY.exec(source) ?? [];
  if (name === undefined || rest === undefined) {
    const problem = `expected "name: command", got "${escapeText(shorten(source))}"`;
    return fail(problem, 'write "name: command", with a colon after the process type');
  }
  const command = rest.trim();
  const problem = nameProblem(name) ?? commandProblem(name, command);
  if (problem !== undefined) return fail(...problem);
  const first = seen.find((entry) => entry.name === name);
  if (first !== undefined)
    return fail(`"${name}" is defined twice (first on line ${first.line})`, 'rename or remove one');
  return { name, command, line };
}

type Problem = [problem: string, hint: string];

function nameProblem(name: string): Problem | undefined {
  if (!NAME.test(name)) {
    const fixed = name.replace(/[^A-Za-z0-9_-]/g, '_');
    const problem = `process type "${escapeText(shorten(name))}" may contain only letters, digits, "_" and "-"`;
    return [problem, `rename it, e.g. "${shorten(fixed)}"`];
  }
  if (name.length > LIMITS.typeNameLength) {
    const problem = `process type "${shorten(name)}" is ${name.length} characters long`;
    return [problem, `use at most ${LIMITS.typeNameLength}, so every export can name its units`];
  }
  if (RESERVED.has(name)) return [`"${name}" is reserved`, 'rename the process type'];
  return undefined;
}

function commandProblem(name: string, command: string): Problem | undefined {
  if (command === '') return [`"${name}" has no command`, 'write the command after the colon'];
  const bytes = utf8Bytes(command);
  if (bytes <= LIMITS.stringBytes) return undefined;
  const limit = formatBytes(LIMITS.stringBytes);
  const problem = `the command of "${name}" is ${formatBytes(bytes)}, over the limit of ${limit}`;
  return [problem, 'move it into a script and run that'];
}

/** Long text in a message is cut: the line number says where the rest is. */
function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
