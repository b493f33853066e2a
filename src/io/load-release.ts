import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseDotenv } from '../core/dotenv.js';
import type { Flags } from '../core/options.js';
import { checkPolicies, type PolicyDraft } from '../core/policy.js';
import { parseProcfile, type Procfile } from '../core/procfile.js';
import {
  resolveRelease,
  resolveSettings,
  type EnvFile,
  type Layer,
  type Release,
} from '../core/release.js';
import { ForemanError, UsageError, collect, throwIfAny } from '../errors.js';

export type LoadRequest = Readonly<{
  cwd: string;
  /** The inherited environment: the base of the release env. */
  inherited: Readonly<Record<string, string | undefined>>;
  flags: Flags;
  envFlags: Flags;
  /** `run` works in a checkout with only a .env; everything else needs the Procfile. */
  needsProcfile: boolean;
}>;

/**
 * Find and read the Procfile, env files and `.foreman`, and hand their text to core/.
 * It makes no decisions: every command (start, run, check, env, export) gets its Release
 * here, so a one-off admin process runs in exactly the release the formation gets.
 */
export async function loadRelease(request: LoadRequest): Promise<Release> {
  const { settings, policies, defaultsFile } = await loadSettings(request);
  const { root, procfilePath } = locate(settings, request.cwd);
  requireFolder(root);
  const isRequired = request.needsProcfile || settings.procfile !== undefined;
  const problems: ForemanError[] = [];
  const procfile = collect(problems, () => readProcfile(procfilePath, isRequired, request.cwd));
  const paths = settings.env ?? [join(root, '.env')].filter((path) => existsSync(path));
  const envFiles = paths.map((path) => collect(problems, () => readEnvFile(path, request.cwd)));
  if (procfile !== undefined && defaultsFile !== undefined) {
    const types = procfile.entries.map((entry) => entry.name);
    problems.push(...checkPolicies(policies, types, defaultsFile));
  }
  throwIfAny(problems);
  return resolveRelease({
    root,
    procfile,
    envFiles: envFiles.filter((file): file is EnvFile => file !== undefined),
    inherited: request.inherited,
    settings,
    policies,
  });
}

export type Settings = Readonly<{
  settings: Flags;
  policies: readonly PolicyDraft[];
  /** `.foreman` as shown in messages, when there is one. */
  defaultsFile: string | undefined;
}>;

/** Flags > FOREMAN_TS_* > .foreman; `.foreman` is looked up where the root will be. */
export async function loadSettings({
  cwd,
  flags,
  envFlags,
}: Omit<LoadRequest, 'inherited' | 'needsProcfile'>): Promise<Settings> {
  const cli: Layer = { flags, base: cwd };
  const fromEnv: Layer = { flags: envFlags, base: cwd };
  const early = resolveSettings([fromEnv, cli], resolve);
  const folder = early.root ?? (early.procfile ? dirname(early.procfile) : cwd);
  const defaultsPath = join(folder, '.foreman');
  if (!existsSync(defaultsPath)) return { settings: early, policies: [], defaultsFile: undefined };
  // yaml is a 73-file import: only a checkout with a .foreman pays for it (docs/architecture.md).
  const { parseDefaults } = await import('../core/defaults.js');
  const shown = displayPath(defaultsPath, cwd);
  const defaults = parseDefaults(readText(defaultsPath), shown);
  const settings = resolveSettings(
    [{ flags: defaults.flags, base: folder }, fromEnv, cli],
    resolve,
  );
  return { settings, policies: defaults.policies, defaultsFile: shown };
}

/** The root and the Procfile: `-d`, else the Procfile's folder; `-f`, else Procfile in the root. */
export function locate(settings: Flags, cwd: string): { root: string; procfilePath: string } {
  const procfilePath = settings.procfile ?? join(settings.root ?? cwd, 'Procfile');
  return { root: settings.root ?? dirname(procfilePath), procfilePath };
}

export function readProcfile(path: string, isRequired: boolean, cwd: string): Procfile | undefined {
  if (!isRequired && !existsSync(path)) return undefined;
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
