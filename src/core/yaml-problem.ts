import { escapeText } from './escape-text.js';
import type { ErrorCode } from 'yaml';

/** A YAML problem in our words: what is wrong, and the fix. */
export type YamlProblem = Readonly<{ problem: string; hint: string }>;

const TOO_MANY_ALIASES: YamlProblem = {
  problem: 'too many aliases (*name) to expand',
  hint: 'write the values out instead of aliasing them',
};

/**
 * The yaml library's errors, said for someone editing `.foreman`: its messages name its own
 * API ("please use YAML.parseAllDocuments()") and grammar terms ("compact mappings").
 */
const WORDS: Readonly<Partial<Record<ErrorCode, YamlProblem>>> = {
  MULTIPLE_DOCS: {
    problem: 'a second YAML document starts here ("---")',
    hint: '.foreman is one map of settings: remove the "---" line',
  },
  DUPLICATE_KEY: { problem: 'this key is already set above', hint: 'keep one of the two' },
  TAB_AS_INDENT: { problem: 'a tab in the indentation', hint: 'indent with spaces only' },
  BLOCK_AS_IMPLICIT_KEY: {
    problem: 'a value holding ": ", or a key indented under a value',
    hint: 'quote such a value (key: "a: b"); put nested keys under a key alone on its line',
  },
  MULTILINE_IMPLICIT_KEY: {
    problem: 'this line does not read as "key: value" here',
    hint: 'check its indentation and colon',
  },
  BAD_INDENT: {
    problem: 'this line is not indented as the lines above it expect',
    hint: 'line up the keys of one map; close a [ or { list on the line that opens it',
  },
  UNEXPECTED_TOKEN: {
    problem: 'unexpected text for YAML here',
    hint: 'write "key: value" lines, and quote values with special characters',
  },
  BAD_DQ_ESCAPE: {
    problem: 'an unknown \\ escape in a "double-quoted" value',
    hint: 'write \\\\ for a backslash, or use single quotes',
  },
  RESOURCE_EXHAUSTION: TOO_MANY_ALIASES,
};

const FALLBACK_HINT = 'fix the YAML syntax (quote values with special characters)';

export function describeYamlError(error: { code: ErrorCode; message: string }): YamlProblem {
  return WORDS[error.code] ?? { problem: ownWords(error.message), hint: FALLBACK_HINT };
}

/** The library's first line, without its position (we give ours) and its API advice. */
function ownWords(message: string): string {
  const [first = ''] = message.split('\n');
  const plain = first
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/; please use .*$/, '')
    .trim();
  // The library may quote the offending text: shown escaped, like everything from a file.
  return plain === ''
    ? 'bad YAML'
    : escapeText(`${plain.charAt(0).toLowerCase()}${plain.slice(1)}`);
}

/** What the library throws when it expands aliases (`*name`), in our words. */
export function describeAliasError(message: string): YamlProblem {
  const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
  if (unresolved === null) return TOO_MANY_ALIASES;
  const name = escapeText(unresolved[1] ?? '');
  return {
    problem: `alias *${name} has no anchor &${name} before it`,
    hint: 'set the anchor on an earlier value, or write the value out',
  };
}
