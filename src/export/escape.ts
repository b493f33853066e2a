/* eslint-disable no-control-regex -- quoting is about control characters */
import { stringify } from 'yaml';
import { quoteWord } from '../core/shell.js';
import { InputError, UsageError } from '../errors.js';
import type { Origin } from './plan.js';

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

/** POSIX sh: single quotes, `'` as `'\''` (core/shell.ts). */
export function quoteShell(word: string): string {
  return quoteWord(word);
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
 */
export function commandSupervisord(words: readonly string[], subject: Subject): string {
  for (const word of words) {
    checkSupervisord(word, subject);
    if (/[\n\r]/.test(word)) {
      refuse(subject, 'supervisord', 'it contains a newline', 'write the command on one line');
    }
  }
  return words
    .map((word) => quoteWord(word).replace(/[;#]/g, (char) => `'\\${char}'`))
    .join(' ')
    .replace(/%/g, '%%');
}

/**
 * One value in environment=KEY="value",...: supervisord splits it with non-POSIX shlex (no
 * escapes at all) and then strips every quote character from both ends of the value
 * (supervisor/datatypes.py dict_of_key_value_pairs), so some values cannot be written.
 */
export function envSupervisord(value: string, subject: Subject): string {
  checkSupervisord(value, subject);
  const hint = 'use another format (systemd, runit, compose, kubernetes) or change the value';
  if (/[\n\r]/.test(value)) refuse(subject, 'supervisord', 'it contains a newline', hint);
  if (value.includes('"') && value.includes("'")) {
    refuse(subject, 'supervisord', 'it contains both kinds of quotes', hint);
  }
  if (/^["']|["']$/.test(value)) {
    refuse(subject, 'supervisord', 'it starts or ends with a quote', hint);
  }
  if (INLINE_COMMENT.test(value)) {
    refuse(subject, 'supervisord', 'it has ";" or "#" after whitespace (an INI comment)', hint);
  }
  const quote = value.includes('"') ? "'" : '"';
  return `${quote}${value.replace(/%/g, '%%')}${quote}`;
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

/**
 * One file in a runit env/ folder: chpst -e takes the first line, turns NULs into newlines
 * and strips trailing spaces and tabs; an empty file unsets the variable (chpst(8)).
 */
export function envFileRunit(value: string, subject: Subject): string {
  checkText(value, subject, 'runit');
  if (/[ \t]$/.test(value)) {
    refuse(subject, 'runit', 'chpst strips trailing spaces and tabs', 'trim the value');
  }
  return `${value.replace(/\n/g, '\0')}\n`;
}

/**
 * One value in a compose env_file: double quotes, where Compose (compose-go dotenv) reads
 * `\\`, `\"`, `\n`, `\r` as escapes and `\$` as a literal `$`, and interpolates any other `$`.
 * foreman-ts reads the same text back identically (core/dotenv.ts).
 */
export function envFileCompose(value: string, subject: Subject): string {
  checkText(value, subject, 'compose');
  const body = value.replace(/[\\"$\n\r]/g, (char) =>
    char === '\n' ? '\\n' : char === '\r' ? '\\r' : `\\${char}`,
  );
  return `"${body}"`;
}

/** compose.yaml interpolates `$VAR` in every string; `$$` is a literal `$`. */
export function literalCompose(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/** Kubernetes expands `$(VAR)` in command, args and env values; `$$` is a literal `$`. */
export function literalKubernetes(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/**
 * YAML for compose and Kubernetes. Every string is double-quoted and the YAML 1.1 rules
 * decide which keys need quotes, so no reader (Go's yaml.v2 is 1.1, yaml.v3 is 1.2) turns
 * `no`, `0755` or `1e3` into a boolean or a number. Characters YAML does not allow raw, or
 * that YAML 1.1 reads as line breaks, are written as escapes: all strings are double-quoted,
 * so they can only occur inside a double-quoted scalar.
 */
export function renderYaml(value: unknown): string {
  const text = stringify(value, {
    version: '1.1',
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  });
  return text.replace(/[\x7f-\x9f\u2028\u2029\ufeff]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}
