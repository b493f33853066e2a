import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDotenv } from '../core/dotenv.js';
import type { Defaults } from '../core/defaults.js';
import { isFormationProblem, parseFormation, resolveScale } from '../core/formation.js';
import {
  OPTIONS,
  OPTION_LIST,
  parseEnvTwins,
  type CommandName,
  type Flags,
  type OptionKey,
} from '../core/options.js';
import { checkPolicies, type PolicyDraft } from '../core/policy.js';
import { parseProcfile, type Procfile } from '../core/procfile.js';
import {
  resolveRelease,
  resolveSettings,
  type EnvFile,
  type Layer,
  type Origin,
  type Release,
  type RootSource,
} from '../core/release.js';
import { ForemanError, InputError, UsageError, collect, throwIfAny } from '../errors.js';
import { findAppRoot } from './app-root.js';
import { displayPath, isPresent, readText, type NamedBy } from './read-file.js';

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
  const { root, rootSource, settings, policies, defaultsFile, origins } = location;
  requireFolder(root, named(settings.root === undefined ? 'procfile' : 'root', origins));
  const needsProcfile = request.needsProcfile ?? !OPTIONAL_PROCFILE.includes(request.command);
  const isRequired = needsProcfile || settings.procfile !== undefined;
  const problems: ForemanError[] = [];
  const procfile = collect(problems, () => readProcfile(location, isRequired, cwd));
  const paths = settings.env ?? [join(root, '.env')].filter(isPresent);
  const envFiles = paths.map((path) => collect(problems, () => readEnvFile(path, cwd, origins)));
  if (procfile !== undefined && defaultsFile !== undefined) {
    const types = procfile.entries.map((entry) => entry.name);
    problems.push(...checkPolicies(policies, types, defaultsFile));
  }
  throwIfAny(problems);
  const release = resolveRelease({
    root,
    procfile,
    envFiles: envFiles.filter((file): file is EnvFile => file !== undefined),
    inherited: request.env,
    settings,
    policies,
    rootSource,
  });
  if (OPTIONS.formation.commands.includes(request.command)) checkFormation(release, origins);
  return release;
}

/**
 * A `.foreman` formation that names an unknown type or too many instances is the file's
 * problem, at its line (a `-m` one is a usage error, found when the formation is expanded).
 */
function checkFormation(release: Release, { formation: origin }: Origins): void {
  const { formation } = release.settings;
  if (origin === undefined || formation === undefined || release.procfile === undefined) return;
  // The limits of a live scale from nothing are those of -m: known types, counts, ports.
  const counts = resolveScale(release, new Map(), parseFormation(formation));
  if (!isFormationProblem(counts)) return;
  throw new InputError(origin.file, origin.line, `"formation": ${counts.problem}`, counts.hint);
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
  /** Where `.foreman` set the settings it decided (those no flag or variable overrode). */
  origins: Origins;
}>;

type Origins = Readonly<Partial<Record<OptionKey, Origin>>>;

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
  const origins = defaults === undefined ? {} : originsOf(defaults, early);
  const procfilePath = settings.procfile ?? join(settings.root ?? folder, 'Procfile');
  return {
    root: settings.root ?? dirname(procfilePath),
    rootSource: given !== undefined ? 'given' : found !== undefined ? 'found' : 'cwd',
    procfilePath,
    settings,
    policies: defaults?.policies ?? [],
    defaultsFile: defaults?.file,
    origins,
  };
}

function originsOf({ file, lines }: Defaults, overriding: Flags): Origins {
  const origins: Partial<Record<OptionKey, Origin>> = {};
  for (const { key } of OPTION_LIST) {
    const line = lines[key];
    if (line !== undefined && overriding[key] === undefined) origins[key] = { file, line };
  }
  return origins;
}

async function readDefaults(folder: string, cwd: string): Promise<Defaults | undefined> {
  const path = join(folder, '.foreman');
  if (!isPresent(path)) return undefined;
  // yaml is a 73-file import: only a checkout with a .foreman pays for it (docs/architecture.md).
  const { parseDefaults } = await import('../core/defaults.js');
  const shown = displayPath(path, cwd);
  return parseDefaults(readText(path, { shown, hint: 'fix it, or remove it' }), shown);
}

function readProcfile(
  { procfilePath: path, rootSource, root, settings, origins }: AppLocation,
  isRequired: boolean,
  cwd: string,
): Procfile | undefined {
  if (!isRequired && !isPresent(path)) return undefined;
  if (rootSource === 'cwd' && !isPresent(path)) {
    const hint = "run it in the app's folder, or pass -f/--procfile or -d/--root";
    throw new ForemanError(`no Procfile in ${root} or a folder above it`, { hint });
  }
  const shown = displayPath(path, cwd);
  const namedBy =
    settings.procfile === undefined ? named('root', origins) : named('procfile', origins);
  const hint = 'pass -f/--procfile or -d/--root';
  return { path, entries: parseProcfile(readText(path, { shown, hint, namedBy }), shown) };
}

function readEnvFile(path: string, cwd: string, origins: Origins): EnvFile {
  const shown = displayPath(path, cwd);
  const text = readText(path, { shown, hint: 'check -e/--env', namedBy: named('env', origins) });
  return { path, label: shown, entries: parseDotenv(text, shown) };
}

function named(key: 'root' | 'procfile' | 'env', origins: Origins): NamedBy | undefined {
  const origin = origins[key];
  return origin === undefined ? undefined : { origin, key };
}

function requireFolder(path: string, namedBy: NamedBy | undefined): void {
  const why = folderProblem(path);
  if (why === undefined) return;
  const problem = `root folder ${path} ${why}`;
  if (namedBy === undefined) throw new UsageError(problem, 'check -d/--root or -f/--procfile');
  const { origin, key } = namedBy;
  const fix = `fix "${key}" in ${origin.file}`;
  throw new InputError(origin.file, origin.line, `"${key}": ${problem}`, fix);
}

function folderProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'is not a folder';
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EACCES') return 'cannot be reached (permission denied on a folder above it)';
    if (code === 'ELOOP') return 'is a loop of symlinks';
    return 'does not exist';
  }
}
