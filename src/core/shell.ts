/**
 * Shell text we generate: the wrapper each Procfile command runs in, and quoting of words.
 */
import { splitSimpleCommand, type ShellWord } from './shell-words.js';

/**
 * Words that `exec` cannot run, or would run as something else: the shell's reserved words
 * and its builtins, POSIX special and regular ones and those of dash and bash. `exec command
 * echo x` fails with "exec: command: not found"; `exec cd app` likewise. Without exec they
 * run in the wrapper shell, as written.
 */
const NOT_EXECUTABLE = new Set(
  [
    // reserved words (POSIX, and bash's)
    '! { } case do done elif else esac fi for if in then until while [[ ]] function select time coproc',
    // POSIX special builtins
    'break : . continue eval exec exit export readonly return set shift times trap unset',
    // POSIX regular builtins
    'alias bg cd command false fc fg getopts hash jobs kill newgrp pwd read true type ulimit umask unalias wait',
    // builtins of dash and bash that are also programs, or only builtins there
    'echo printf test [ local source declare typeset let builtin enable shopt caller complete compgen compopt disown dirs popd pushd suspend logout mapfile readarray history help bind',
  ]
    .join(' ')
    .split(' '),
);

/**
 * The script given to `/bin/sh -c` for a Procfile command. stderr joins stdout first, so both
 * keep their order on one pipe (docs/logging.md) and even a syntax error lands there. A simple
 * command is exec'd, so the app, not a lingering dash, is our direct child and gets our signals
 * (dash does not exec the last command itself: docs/signals.md, "Why it is built this way"):
 * `node -e "process.on('SIGUSR2', ...)"` included, whose `(` and `;` are inside quotes.
 */
export function wrapCommand(command: string): string {
  const start = execPosition(command);
  return `exec 2>&1\n${start === undefined ? command : `${command.slice(0, start)}exec ${command.slice(start)}`}`;
}

/** Where `exec` goes (before the command word, after assignments), or undefined: keep the shell. */
export function execPosition(command: string): number | undefined {
  const words = splitSimpleCommand(command);
  const first = words?.find((word) => word.kind === 'word');
  if (first === undefined || !canExec(first)) return undefined;
  return first.start;
}

function canExec(word: ShellWord): boolean {
  if (NOT_EXECUTABLE.has(word.text.replace(/["'\\]/g, ''))) return false;
  // `$CMD args` could name a builtin, or nothing; `$HOME/bin/app` is a path.
  return !word.hasExpansion || word.text.includes('/');
}

/** Quote one word for POSIX sh, only when it needs it. */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
