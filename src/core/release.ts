import { InputError, UsageError, throwIfAny, type ForemanError } from '../errors.js';
import type { DotenvEntry } from './dotenv.js';
import { escapeText } from './escape-text.js';
import { expandBounded, type Value } from './dotenv-expand.js';
import { checkEnvSize, checkValueSize, type Origin } from './env-size.js';
import { LIMITS } from './limits.js';
import { OPTION_LIST, copyOption, mapPaths, type Flags, type MutableFlags } from './options.js';
import type { PolicyDraft } from './policy.js';
import type { Procfile } from './procfile.js';

/** Where an env-file key was set (last): defined with the size checks that point at it. */
export type { Origin } from './env-size.js';

/**
 * One release: what every command (start, run, check, env, export) runs against, so a one-off
 * admin process and the long-running processes cannot drift apart (twelve-factor XII).
 */
export type Release = Readonly<{
  root: string;
  rootSource: RootSource;
  procfile: Procfile | undefined;
  envFiles: readonly string[];
  /** The environment every process gets, before its own PORT and PS. */
  env: Readonly<Record<string, string>>;
  basePort: number;
  graceMs: number;
  settings: Flags;
  /** The keys the env files set, with where: what `export` writes, what errors point at. */
  envOrigins: ReadonlyMap<string, Origin>;
  /** Per-type policies from `.foreman` `processes:`, checked against the Procfile. */
  policies: readonly PolicyDraft[];
}>;

/**
 * How the root was chosen: `given` by -d/-f (or their FOREMAN_TS_* twins), `found` by the
 * search from the current folder up to the nearest Procfile or `.foreman`, or the current
 * folder, `cwd`, when that search found nothing (docs/procfile.md).
 */
export type RootSource = 'given' | 'found' | 'cwd';

/** A source of option values: the command line, FOREMAN_TS_* variables, or `.foreman`. */
export type Layer = Readonly<{ flags: Flags; base: string }>;

/** An env file read: `label` is how messages name it (relative to where the user stands). */
export type EnvFile = Readonly<{ path: string; label: string; entries: readonly DotenvEntry[] }>;

export const DEFAULT_PORT = 5000;
export const DEFAULT_TIMEOUT_S = 5;

/** Merge layers, lowest priority first; relative paths resolve against their own layer's folder. */
export function resolveSettings(
  layers: readonly Layer[],
  resolvePath: (base: string, path: string) => string,
): Flags {
  const merged: MutableFlags = {};
  for (const { flags, base } of layers) {
    const resolved = mapPaths(flags, (path) => resolvePath(base, path));
    for (const { key } of OPTION_LIST) copyOption(merged, resolved, key);
  }
  return merged;
}

export type ComposedEnv = Readonly<{
  env: Record<string, string>;
  /** Every key the env files set, in order, with where it was set last. */
  origins: ReadonlyMap<string, Origin>;
}>;

/**
 * The inherited environment beats env files, as dotenv and docker compose do, unless
 * `override` (--env-override). Expansion sees the value that will win, so `B=$A` agrees
 * with what the process will find in `A`.
 */
export function composeEnv({
  inherited,
  files,
  override,
}: {
  inherited: Readonly<Record<string, string | undefined>>;
  files: readonly EnvFile[];
  override: boolean;
}): ComposedEnv {
  const fromFiles = new Map<string, string>();
  const origins = new Map<string, Origin>();
  const lookup = (name: string): string | undefined =>
    override ? (fromFiles.get(name) ?? inherited[name]) : (inherited[name] ?? fromFiles.get(name));
  const problems: ForemanError[] = [];
  for (const file of files) {
    for (const entry of file.entries) {
      const origin = { file: file.label, line: entry.line };
      const value = isLiteral(entry.value)
        ? entry.value.join('')
        : expandBounded(entry.value, lookup, LIMITS.stringBytes);
      const problem = checkValueSize(entry.key, value, origin);
      if (problem !== undefined) problems.push(problem);
      fromFiles.set(entry.key, value ?? '');
      origins.delete(entry.key); // keep the order of the last assignment
      origins.set(entry.key, origin);
    }
  }
  throwIfAny(problems);
  const env: Record<string, string> = {};
  const base = Object.entries(inherited).filter(
    (pair): pair is [string, string] => pair[1] !== undefined,
  );
  for (const [key, value] of override ? base : fromFiles) env[key] = value;
  for (const [key, value] of override ? fromFiles : base) env[key] = value;
  return { env, origins };
}

function isLiteral(value: Value): value is readonly string[] {
  return value.every((segment) => typeof segment === 'string');
}

export function resolveRelease({
  root,
  procfile,
  envFiles,
  inherited,
  settings,
  policies = [],
  rootSource = 'given',
}: {
  root: string;
  rootSource?: RootSource;
  procfile: Procfile | undefined;
  envFiles: readonly EnvFile[];
  inherited: Readonly<Record<string, string | undefined>>;
  settings: Flags;
  policies?: readonly PolicyDraft[];
}): Release {
  const composed = composeEnv({
    inherited,
    files: envFiles,
    override: settings.envOverride ?? false,
  });
  const { origins } = composed;
  const isPortFromFile = (settings.envOverride ?? false) || inherited.PORT === undefined;
  // Processes run in the root: PWD must say so, whoever runs them (/bin/sh would fix it anyway).
  const env: Record<string, string> = { ...composed.env, PWD: root };
  throwIfAny([checkEnvSize(env, origins)].filter((problem) => problem !== undefined));
  const basePort =
    settings.port ??
    portFromEnv(env.PORT, isPortFromFile ? origins.get('PORT') : undefined) ??
    DEFAULT_PORT;
  const graceMs = Math.round((settings.timeout ?? DEFAULT_TIMEOUT_S) * 1000);
  return {
    root,
    rootSource,
    procfile,
    envFiles: envFiles.map((file) => file.path),
    env,
    basePort,
    graceMs,
    settings,
    envOrigins: origins,
    policies,
  };
}

function portFromEnv(text: string | undefined, origin: Origin | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  const problem = `PORT is "${escapeText(text)}", expected a port number (1-65535)`;
  if (origin !== undefined)
    throw new InputError(origin.file, origin.line, problem, 'fix PORT or pass -p');
  throw new UsageError(`the inherited ${problem}`, 'unset PORT or pass -p/--port');
}

/**
 * What `run` and `env` say on stderr when they found no app at all (no Procfile or `.foreman`
 * here or above, no .env here): a migration run from the wrong folder must not silently get
 * only the inherited environment.
 */
export function formatNoAppNotice(release: Release): string | undefined {
  if (release.rootSource !== 'cwd' || release.envFiles.length > 0) return undefined;
  return (
    `no Procfile or .foreman in ${release.root} or a folder above it, and no .env there: ` +
    "using the inherited environment only (hint: run it in the app's folder, or pass -d/--root)"
  );
}

/** Where `env` says (on stderr, so its output stays machine-readable) it found the app. */
export function formatFoundRoot(release: Release, cwd: string): string | undefined {
  if (release.rootSource !== 'found' || release.root === cwd) return undefined;
  return `the app in ${release.root} (the nearest folder above with a Procfile or .foreman)`;
}
