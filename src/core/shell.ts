/**
 * Shell text we generate: the wrapper each Procfile command runs in, and quoting of words.
 */

/** Anything that makes a command more than one simple command keeps its shell. */
const COMPOUND = /[;&|()<>`\n]|\$\(/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=[^'"\\\s]*$/;
const PLAIN_WORD = /^[A-Za-z0-9_./~+-]+$/;
/** First words that are shell syntax or builtins: `exec` in front of them would break them. */
const NOT_EXECUTABLE = new Set(
  'exec cd export trap if for while until case set unset eval source . { ! [[ time ulimit umask alias readonly local wait'.split(
    ' ',
  ),
);

/**
 * The script given to `/bin/sh -c` for a Procfile command. stderr joins stdout first, so both
 * keep their order on one pipe (docs/logging.md) and even a syntax error lands there. A simple
 * command is exec'd, so the app, not a lingering dash, is our direct child (dash does not exec
 * the last command itself: docs/signals.md, "Why it is built this way").
 */
export function wrapCommand(command: string): string {
  return `exec 2>&1\n${canExec(command) ? insertExec(command) : command}`;
}

function canExec(command: string): boolean {
  if (COMPOUND.test(command)) return false;
  const words = command.trim().split(/\s+/);
  const first = words.find((word) => !ASSIGNMENT.test(word));
  return first !== undefined && PLAIN_WORD.test(first) && !NOT_EXECUTABLE.has(first);
}

/** `A=1 B=2 cmd args` -> `A=1 B=2 exec cmd args`: assignments stay in front of exec. */
function insertExec(command: string): string {
  const match = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*=[^'"\\\s]*\s+)*)(.*)$/s.exec(command);
  return `${match?.[1] ?? ''}exec ${match?.[2] ?? command}`;
}

/** Quote one word for POSIX sh, only when it needs it. */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
