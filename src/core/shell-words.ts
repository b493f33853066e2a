/**
 * Just enough of the POSIX shell's token recognition (XCU 2.3) to tell whether a Procfile
 * command is one simple command (2.9.1): words, assignments and redirections, with quotes,
 * escapes and `$(...)`/`${...}`/backquotes read as the shell reads them, so that a `;` or
 * `(` inside `node -e "..."` is text, not syntax. Anything it does not understand makes the
 * command "not simple", which only means the wrapper shell stays: always safe.
 */
export type ShellWord = Readonly<{
  kind: 'word' | 'assignment' | 'redirect';
  /** Where the word starts in the command (an IO number counts as part of its redirection). */
  start: number;
  text: string;
  /** An unquoted or double-quoted `$` or backquote: what runs may differ from the text. */
  hasExpansion: boolean;
}>;

const BLANK = new Set([' ', '\t']);
/** Control operators and newlines: a list, a pipeline, a subshell, a background job. */
const OPERATOR = new Set([';', '&', '|', '(', ')', '\n']);
const REDIRECT = new Set(['<', '>']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const SPECIAL_PARAMETER = /[A-Za-z0-9_@*#?$!-]/;

type Scanned = Readonly<{ end: number; hasExpansion: boolean }>;

/** The words of `command` if it is one simple command, else undefined. */
export function splitSimpleCommand(command: string): ShellWord[] | undefined {
  const words: ShellWord[] = [];
  let index = 0;
  let isCommandSeen = false;
  while (index < command.length) {
    const char = command[index] ?? '';
    if (BLANK.has(char)) {
      index += 1;
      continue;
    }
    if (char === '#') break; // a comment runs to the end of the line
    if (OPERATOR.has(char)) return undefined;
    const word = REDIRECT.has(char) ? scanRedirect(command, index) : scanWord(command, index);
    if (word === undefined) return undefined;
    const text = command.slice(index, word.end);
    const kind = kindOf(text, command[word.end], isCommandSeen);
    const end = kind === 'redirect' && !REDIRECT.has(char) ? scanRedirect(command, word.end) : word;
    if (end === undefined) return undefined;
    words.push({
      kind,
      start: index,
      text: command.slice(index, end.end),
      ...expansionOf(word, end),
    });
    if (kind === 'word') isCommandSeen = true;
    index = end.end;
  }
  return words;
}

function kindOf(text: string, next: string | undefined, isCommandSeen: boolean): ShellWord['kind'] {
  if (REDIRECT.has(text[0] ?? '')) return 'redirect';
  // `2>&1`: digits right before a redirection operator are its file descriptor.
  if (next !== undefined && REDIRECT.has(next) && /^\d+$/.test(text)) return 'redirect';
  return !isCommandSeen && ASSIGNMENT.test(text) ? 'assignment' : 'word';
}

function expansionOf(word: Scanned, end: Scanned): { hasExpansion: boolean } {
  return { hasExpansion: word.hasExpansion || end.hasExpansion };
}

/** `<`, `>`, `>>`, `<&`, `>&`, `<>`, `>|` and their target word; a here-document is not simple. */
function scanRedirect(command: string, start: number): Scanned | undefined {
  const operator = /^(?:<<|>>|<&|>&|<>|>\||<|>)/.exec(command.slice(start, start + 2))?.[0];
  if (operator === undefined || operator === '<<') return undefined;
  let index = start + operator.length;
  while (BLANK.has(command[index] ?? '')) index += 1;
  const target = command[index];
  if (target === undefined || OPERATOR.has(target) || REDIRECT.has(target)) return undefined;
  return scanWord(command, index);
}

/** One word: up to an unquoted blank, operator or redirection. */
function scanWord(command: string, start: number): Scanned | undefined {
  let index = start;
  let hasExpansion = false;
  while (index < command.length) {
    const char = command[index] ?? '';
    if (BLANK.has(char) || OPERATOR.has(char) || REDIRECT.has(char)) break;
    const part = scanPart(command, index);
    if (part === undefined) return undefined;
    hasExpansion ||= part.hasExpansion;
    index = part.end;
  }
  return index === start ? undefined : { end: index, hasExpansion };
}

/** One character, escape, quoted string or expansion, starting at `index`. */
function scanPart(command: string, index: number): Scanned | undefined {
  switch (command.charAt(index)) {
    case '\\':
      return index + 1 < command.length ? { end: index + 2, hasExpansion: false } : undefined;
    case "'": {
      const close = command.indexOf("'", index + 1);
      return close === -1 ? undefined : { end: close + 1, hasExpansion: false };
    }
    case '"':
      return scanDoubleQuoted(command, index);
    case '`':
      return scanBackquoted(command, index);
    case '$':
      return scanDollar(command, index);
    default:
      return { end: index + 1, hasExpansion: false };
  }
}

function scanDoubleQuoted(command: string, start: number): Scanned | undefined {
  let index = start + 1;
  let hasExpansion = false;
  while (index < command.length) {
    const char = command[index];
    if (char === '"') return { end: index + 1, hasExpansion };
    const part =
      char === '\\'
        ? { end: index + 2, hasExpansion: false }
        : char === '`' || char === '$'
          ? scanPart(command, index)
          : { end: index + 1, hasExpansion: false };
    if (part === undefined) return undefined;
    hasExpansion ||= part.hasExpansion;
    index = part.end;
  }
  return undefined;
}

function scanBackquoted(command: string, start: number): Scanned | undefined {
  for (let index = start + 1; index < command.length; index++) {
    if (command[index] === '\\') index += 1;
    else if (command[index] === '`') return { end: index + 1, hasExpansion: true };
  }
  return undefined;
}

/** `$(...)`, `$((...))`, `${...}`, `$name`, `$1`, `$@`...; a lone `$` is text. */
function scanDollar(command: string, start: number): Scanned | undefined {
  const next = command[start + 1] ?? '';
  if (next === '(') return scanBalanced(command, start + 1, '(', ')');
  if (next === '{') return scanBalanced(command, start + 1, '{', '}');
  return { end: start + 1, hasExpansion: SPECIAL_PARAMETER.test(next) };
}

/** From an opening bracket to its match, skipping quoted text and escapes inside. */
function scanBalanced(
  command: string,
  open: number,
  opening: string,
  closing: string,
): Scanned | undefined {
  let depth = 0;
  let index = open;
  while (index < command.length) {
    const char = command[index] ?? '';
    if (char === opening) depth += 1;
    if (char === closing && --depth === 0) return { end: index + 1, hasExpansion: true };
    const isQuote = char === "'" || char === '"' || char === '`' || char === '\\';
    const part = isQuote ? scanPart(command, index) : { end: index + 1 };
    if (part === undefined) return undefined;
    index = part.end;
  }
  return undefined;
}
