import { UsageError } from '../errors.js';
import { escapeText } from './escape-text.js';
import type { ProcessSpec } from './formation.js';
import type { Procfile } from './procfile.js';
import type { Release } from './release.js';
import { isSecretName } from './secret-names.js';
import { MASK, maskShapes } from './secret-values.js';
import type { SecretRule } from './secrets.js';
import { quoteWord } from './shell.js';

/**
 * What `foreman-ts run ARGV...` executes. A process type runs its Procfile command with the
 * arguments appended as quoted words (as `heroku run worker 42` does); anything else runs as
 * argv, untouched: no re-splitting, globbing or `$` expansion by us. A lone argument written
 * in shell syntax (`run 'rake db:migrate && rake db:seed'`) goes through /bin/sh -c.
 */
export type AdminCommand =
  | { readonly kind: 'argv'; readonly file: string; readonly args: readonly string[] }
  | { readonly kind: 'shell'; readonly script: string; readonly type: string | undefined };

const SHELL_SYNTAX = /[\s;&|<>()$`*?[\]{}'"\\~]/;

export function resolveAdmin(
  argv: readonly string[],
  procfile: Procfile | undefined,
): AdminCommand {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('run needs a command');
  if (first === '') {
    const hint = 'name a program or a process type, e.g. "foreman-ts run rake db:migrate"';
    throw new UsageError('run: the command is an empty string', hint);
  }
  const entry = procfile?.entries.find((candidate) => candidate.name === first);
  if (entry !== undefined) {
    const script = [entry.command, ...rest.map(quoteWord)].join(' ');
    return { kind: 'shell', script, type: entry.name };
  }
  if (rest.length === 0 && SHELL_SYNTAX.test(first))
    return { kind: 'shell', script: first, type: undefined };
  return { kind: 'argv', file: first, args: rest };
}

/** A process type the user may have meant (`run wbe` -> web), for the not-found hint. */
export function similarType(word: string, procfile: Procfile | undefined): string | undefined {
  const names = procfile?.entries.map((entry) => entry.name) ?? [];
  return names.find((name) => distance(name, word) <= (name.length >= 5 ? 2 : 1));
}

/** Edit distance counting a swap of neighbours as one edit (wbe -> web). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The one-off's name, after Heroku's one-off dynos (`DYNO=run.N`); start's are `web.1`. */
export const ADMIN_NAME = 'run.1';

/**
 * The env of an admin process: the release env the formation gets, with PS=run.1, and PORT
 * only when a port was asked for (-p or .foreman `port`): one-off dynos get none on Heroku.
 */
export function adminEnv(
  env: Readonly<Record<string, string>>,
  port: number | undefined,
): Record<string, string> {
  return port === undefined
    ? { ...env, PS: ADMIN_NAME }
    : { ...env, PORT: String(port), PS: ADMIN_NAME };
}

/** What `run --detach` runs under `start`: the command as `run` would, with PS=run.N. */
export function expandAdmin(
  release: Release,
  { name, command }: { name: string; command: readonly string[] },
): ProcessSpec {
  const admin = resolveAdmin(command, release.procfile);
  const script =
    admin.kind === 'shell' ? admin.script : [admin.file, ...admin.args].map(quoteWord).join(' ');
  const instance = Number(name.slice(name.indexOf('.') + 1));
  return {
    name,
    type: ADMIN_TYPE,
    instance,
    command: script,
    port: 0,
    env: { ...adminEnv(release.env, undefined), PS: name },
  };
}

/** Admin processes are `run.N` in the log stream and `status`, numbered per start. */
export const ADMIN_TYPE = 'run';

/** Longest word and most words of a command as the log shows it. */
const MAX_LOGGED_WORD = 512;
const MAX_LOGGED_WORDS = 64;

/**
 * A command as the log stream may keep it (docs/run.md#the-audit-trail): each word masked by
 * the one secrets classifier (token and URL shapes, NAME=value pairs with a secret name), any
 * word holding the value of one of the release's secret variables masked whole, the word
 * after an option with a secret name (`--password x`) masked, and its size bounded.
 */
export function maskArgv(
  argv: readonly string[],
  { env, rule }: { env: Readonly<Record<string, string>>; rule: SecretRule },
): string[] {
  const secrets = Object.entries(env)
    .filter(([key, value]) => value.length >= MIN_SECRET_LENGTH && rule.isSecret(key, value))
    .map(([, value]) => value);
  const words = argv.slice(0, MAX_LOGGED_WORDS).map((word, index) => {
    const option = /^--?([A-Za-z][\w-]*)$/.exec(argv[index - 1] ?? '')?.[1];
    if (option !== undefined && isSecretName(option.replace(/-/g, '_'))) return MASK;
    if (secrets.some((secret) => word.includes(secret))) return MASK;
    return shorten(maskShapes(word));
  });
  const more = argv.length - words.length;
  return more > 0 ? [...words, `...(${more} more words)`] : words;
}

/** Shorter secret values would mask ordinary words (`1`, `true`). */
const MIN_SECRET_LENGTH = 6;

function shorten(word: string): string {
  return word.length <= MAX_LOGGED_WORD ? word : `${word.slice(0, MAX_LOGGED_WORD)}...`;
}

/** A command in one line of the log: words quoted as a shell would need, escaped, bounded. */
export function formatArgv(argv: readonly string[]): string {
  const text = argv
    .map((word) => escapeText(SAFE_WORD.test(word) ? word : quoteWord(word)))
    .join(' ');
  return text.length <= MAX_LOGGED_LINE ? text : `${text.slice(0, MAX_LOGGED_LINE)}...`;
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/;
const MAX_LOGGED_LINE = 300;
