/* eslint-disable no-control-regex -- quoting is about control characters */
import { quoteWord } from '../core/shell.js';
import { InputError, UsageError } from '../errors.js';
import type { Origin } from '../core/release.js';

/**
 * Quoting for each consumer of exported files. Each function returns text the consumer reads
 * back as exactly `text`, or refuses with an error naming the value: a value an engine cannot
 * carry must never be exported changed. Rules cite the consumer's own parser.
 */

/** What is being escaped, for the error: "the value of SECRET", with its env file line. */
export type Subject = Readonly<{ what: string; origin?: Origin | undefined }>;

export function refuse(subject: Subject, format: string, reason: string, hint: string): never {
  const problem = `${format} cannot carry ${subject.what}: ${reason}`;
  if (subject.origin !== undefined) {
    throw new InputError(subject.origin.file, subject.origin.line, problem, hint);
  }
  throw new UsageError(problem, hint);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Checks every format shares: the text must be valid UTF-8 and fit in a C string. */
function checkText(text: string, subject: Subject, format: string): void {
  if (text.includes('\0')) refuse(subject, format, 'it contains a NUL byte', 'remove it');
  if (LONE_SURROGATE.test(text))
    refuse(subject, format, 'it is not valid UTF-8', 'fix the encoding');
}

const C_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * One double-quoted word in a unit file (Environment=, ExecStart=): systemd unquotes it with
 * C escapes, expands `%` specifiers everywhere and, in Exec lines only, `$VAR`.
 */
export function quoteSystemd(
  text: string,
  subject: Subject,
  { isCommand = false }: { isCommand?: boolean } = {},
): string {
  checkText(text, subject, 'systemd');
  const body = text.replace(/[\\"\n\r\t%$\x01-\x1f\x7f]/g, (char) => {
    if (char === '%') return '%%';
    if (char === '$') return isCommand ? '$$' : '$';
    return C_ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${body}"`;
}

/** A whole-line unit setting (Description=, WorkingDirectory=, User=): only `%` is special. */
export function plainSystemd(text: string, subject: Subject): string {
  checkText(text, subject, 'systemd');
  checkLine(text, subject, 'systemd');
  if (text.endsWith('\\')) {
    refuse(subject, 'systemd', 'it ends with "\\", which continues the line', 'remove it');
  }
  return text.replace(/%/g, '%%');
}

function checkLine(text: string, subject: Subject, format: string): void {
  if (/[\x00-\x1f\x7f]/.test(text)) {
    refuse(subject, format, 'it contains a newline or control character', 'remove it');
  }
  if (text.trim() !== text) {
    refuse(subject, format, 'it starts or ends with whitespace', 'trim it');
  }
}

/**
 * One value in an EnvironmentFile=: systemd's env-file parser (src/basic/env-file.c) keeps
 * everything inside double quotes but `\` before one of "\`$ and takes newlines literally.
 */
export function envFileSystemd(value: string, subject: Subject): string {
  checkText(value, subject, 'systemd');
  return `"${value.replace(/[\\"`$]/g, (char) => `\\${char}`)}"`;
}

/** Inline comments in supervisord's INI files: `;` or `#` after any whitespace (configparser). */
const INLINE_COMMENT = /[\s\x1c-\x1f\x85][;#]/;

/**
 * Checks for every supervisord value. It replaces the text `%(here)s` in included files before
 * `%` formatting (supervisor/options.py expand_here), so even `%%(here)s` loses its meaning.
 */
function checkSupervisord(text: string, subject: Subject): void {
  checkText(text, subject, 'supervisord');
  if (text.includes('%(here)s')) {
    refuse(
      subject,
      'supervisord',
      'it contains "%(here)s", which supervisord replaces',
      'change it',
    );
  }
}

/** A plain supervisord value (directory=, user=, logfile=): `%` is Python formatting there. */
export function plainSupervisord(text: string, subject: Subject): string {
  checkSupervisord(text, subject);
  checkLine(text, subject, 'supervisord');
  if (INLINE_COMMENT.test(text) || /^[;#]/.test(text)) {
    refuse(subject, 'supervisord', 'it contains a comment marker after whitespace', 'change it');
  }
  return text.replace(/%/g, '%%');
}

/**
 * supervisord's command=: split by Python shlex (POSIX rules) after `%` expansion. Words are
 * quoted for sh (they can only hold `;` and `#` inside single quotes), and those two go outside
 * the quotes as `\;` and `\#`, so no whitespace in the INI line is followed by a comment marker.
 * A `{ here: NAME }` word is NAME in the config file's folder: supervisord replaces `%(here)s`.
 */
export function commandSupervisord(
  words: readonly (string | Readonly<{ here: string }>)[],
  subject: Subject,
): string {
  return words
    .map((word) => {
      if (typeof word !== 'string') return `'%(here)s/${word.here}'`;
      checkSupervisord(word, subject);
      if (/[\n\r]/.test(word)) {
        refuse(subject, 'supervisord', 'it contains a newline', 'write the command on one line');
      }
      return quoteWord(word)
        .replace(/[;#]/g, (char) => `'\\${char}'`)
        .replace(/%/g, '%%');
    })
    .join(' ');
}

/** Text in a plist <string> or <key>: XML 1.0, where a bare CR would be read back as LF. */
export function textXml(text: string, subject: Subject): string {
  checkText(text, subject, 'launchd');
  if (/[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(text)) {
    refuse(subject, 'launchd', 'it contains a control character XML cannot hold', 'remove it');
  }
  return text.replace(/[&<>\r]/g, (char) =>
    char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : '&#13;',
  );
}

/** Text for a generated sh script, single-quoted by the caller: only NUL and broken UTF-8 fail. */
export function checkShellText(text: string, subject: Subject, format: string): string {
  checkText(text, subject, format);
  return text;
}

/**
 * One line of a POSIX sh env file, which the host engines' commands source as root before they
 * drop to -u: inside single quotes sh keeps every byte (newlines, quotes of the other kind,
 * `$`, trailing spaces), so no value the env-file dialect can hold is refused.
 */
export function envLineShell(key: string, value: string, subject: Subject): string {
  checkText(value, subject, 'sh');
  return `export ${key}=${quoteWord(value)}`;
}

/**
 * `$$` for every `$`: compose interpolates `$VAR` in every string of compose.yaml (docker
 * compose v2, docker-compose 1.29 and podman-compose alike), Kubernetes expands `$(VAR)` in
 * command, args and env values; both read `$$` as one literal `$`.
 */
export function literalDollars(text: string): string {
  return text.replace(/\$/g, '$$$$');
}
