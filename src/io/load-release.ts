import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseDotenv } from '../core/dotenv.js';
import type { Defaults } from '../core/defaults.js';
import { parseEnvTwins, type CommandName, type Flags } from '../core/options.js';
import { checkPolicies, type PolicyDraft } from '../core/policy.js';
import { parseProcfile, type Procfile } from '../core/procfile.js';
import {
  resolveRelease,
  resolveSettings,
  type EnvFile,
  type Layer,
  type Release,
  type RootSource,
} from '../core/release.js';
import { ForemanError, UsageError, collect, throwIfAny } from '../errors.js';
import { findAppRoot } from './app-root.js';

export type LoadRequest = Readonly<{
  cwd: string;
  /** The inherited environment: the base of the release env, and where FOREMAN_TS_* are read. */
  env: Readonly<Record<string, string | undefined>>;
  command: CommandName;
  /** The command line's options. */
  flags: Flags;
  /** Whether a missing Procfile is an error: for every command but `run` and `env` by default. */
  needsProcfile?: boolean;
}>;

/**
 * Find and read the Procfile, env files and `.foreman`, and hand their text to core/.
 * It makes no decisions: every command (start, run, check, env, export) gets its Release
 * here, so a one-off admin process runs in exactly the release the formation gets.
 */
export async function loadRelease(request: LoadRequest): Promise<Release> {
  const { cwd } = request;
  const location = await locateApp(request);
  const { root, rootSource, settings, policies, defaultsFile } = location;
  requireFolder(root);
  const needsProcfile = request.needsProcfile ?? !OPTIONAL_PROCFILE.includes(request.command);
  const isRequired = needsProcfile || settings.procfile !== undefined;
  const problems: ForemanError[] = [];
  const procfile = collect(problems, () => readProcfile(location, isRequired, cwd));
  const paths = settings.env ?? [join(root, '.env')].filter((path) => existsSync(path));
  const envFiles = paths.map((path) => collect(problems, () => readEnvFile(path, cwd)));
  if (procfile !== undefined && defaultsFile !== undefined) {
    const types = procfile.entries.map((entry) => entry.name);
    problems.push(...checkPolicies(policies, types, defaultsFile));
  }
  throwIfAny(problems);
  return resolveRelease({
    root,
    procfile,
    envFiles: envFiles.filter((file): file is EnvFile => file !== undefined),
    inherited: request.env,
    settings,
    policies,
    rootSource,
  });
}

/** `run` works in a checkout with only a .env, and `env` prints what `run` would get. */
const OPTIONAL_PROCFILE: readonly CommandName[] = ['run', 'env'];

/** Where the app is, and the settings that say so: what every command, clients included, reads. */
export type AppLocation = Readonly<{
  root: string;
  rootSource: RootSource;
  procfilePath: string;
  settings: Flags;
  policies: readonly PolicyDraft[];
  /** `.foreman` as shown in messages, when there is one. */
  defaultsFile: string | undefined;
}>;

/**
 * The app's root and Procfile, and the settings: flags > FOREMAN_TS_* > `.foreman`, with
 * `.foreman` looked up where the root will be. The root is `-d`, else the Procfile's folder;
 * the Procfile is `-f`, else Procfile in the root. Without `-d`/`-f`, the root is the nearest
 * folder from `cwd` up with a Procfile or a `.foreman` (findAppRoot), else `cwd`.
 */
export async function locateApp({
  cwd,
  env,
  command,
  flags,
}: Omit<LoadRequest, 'needsProcfile'>): Promise<AppLocation> {
  const cli: Layer = { flags, base: cwd };
  const fromEnv: Layer = { flags: parseEnvTwins(env, command), base: cwd };
  const early = resolveSettings([fromEnv, cli], resolve);
  const given = early.root ?? (early.procfile ? dirname(early.procfile) : undefined);
  const found = given === undefined ? findAppRoot(cwd) : undefined;
  const folder = given ?? found ?? cwd;
  const defaults = await readDefaults(folder, cwd);
  const settings =
    defaults === undefined
      ? early
      : resolveSettings([{ flags: defaults.flags, base: folder }, fromEnv, cli], resolve);
  const procfilePath = settings.procfile ?? join(settings.root ?? folder, 'Procfile');
  return {
    root: settings.root ?? dirname(procfilePath),
    rootSource: given !== undefined ? 'given' : found !== undefined ? 'found' : 'cwd',
    procfilePath,
    settings,
    policies: defaults?.policies ?? [],
    defaultsFile: defaults?.file,
  };
}

async function readDefaults(folder: string, cwd: string): Promise<Defaults | undefined> {
  const path = join(folder, '.foreman');
  if (!existsSync(path)) return undefined;
  // yaml is a 73-file import: only a checkout with a .foreman pays for it (docs/architecture.md).
  const { parseDefaults } = await import('../core/defaults.js');
  return parseDefaults(readText(path), displayPath(path, cwd));
}

function readProcfile(
  { procfilePath: path, rootSource, root }: AppLocation,
  isRequired: boolean,
  cwd: string,
): Procfile | undefined {
  if (!isRequired && !existsSync(path)) return undefined;
  if (rootSource === 'cwd' && !existsSync(path)) {
    const hint = "run it in the app's folder, or pass -f/--procfile or -d/--root";
    throw new ForemanError(`no Procfile in ${root} or a folder above it`, { hint });
  }
  const shown = displayPath(path, cwd);
  return {
    path,
    entries: parseProcfile(readText(path, 'pass -f/--procfile or -d/--root', shown), shown),
  };
}

function readEnvFile(path: string, cwd: string): EnvFile {
  const shown = displayPath(path, cwd);
  return {
    path,
    label: shown,
    entries: parseDotenv(readText(path, 'check -e/--env', shown), shown),
  };
}

/** Paths in messages: relative to where the user stands, when that is shorter. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function requireFolder(path: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new UsageError(`root folder ${path} does not exist`, 'check -d/--root or -f/--procfile');
  }
}

export function readText(path: string, hint?: string, shown = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code;
    throw new ForemanError(`${shown}: ${problem ?? 'cannot read'}`, {
      cause: error,
      ...(hint ? { hint } : {}),
    });
  }
}
