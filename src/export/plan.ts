import { ADMIN_NAME, adminEnv, resolveAdmin } from '../core/admin.js';
import {
  expandFormation,
  expandReleasePhase,
  type Formation,
  type ProcessSpec,
} from '../core/formation.js';
import type { Origin, Release } from '../core/release.js';
import { secretRule } from '../core/secrets.js';
import { quoteWord, wrapCommand } from '../core/shell.js';
import { InputError, UsageError } from '../errors.js';

/**
 * One entry an exporter writes, relative to the export folder: a file (the default), a folder
 * with its mode, or a symlink to `content`. io/write-files.ts (FileToWrite) says how each is
 * made safely.
 */
export type ExportFile = Readonly<{
  path: string;
  content: string;
  mode?: number;
  kind?: 'file' | 'folder' | 'symlink';
}>;
export type Renderer = (plan: ExportPlan) => ExportFile[];

/** `isSecret`: the one classifier's verdict (core/secrets.ts), with the user's marks. */
export type EnvVar = Readonly<{ key: string; value: string; origin?: Origin; isSecret?: boolean }>;

/** One process to run: an instance of the formation, the release phase, or a one-off. */
export type ExportProcess = Readonly<{
  /** `web.1`: the instance name used in PS and in unit names. */
  name: string;
  type: string;
  instance: number;
  /** The script for `/bin/sh -c`: a simple command is exec'd, so it gets the signals itself. */
  script: string;
  /** Its own PORT; undefined for the release phase and one-offs without -p. */
  port: number | undefined;
  /** Where its command is, for errors: `Procfile:3`. */
  origin: Origin | undefined;
}>;

/** A Procfile command as `DIR/<app>-run TYPE ARGS...` runs it: the arguments appended. */
export type ExportCommand = Readonly<{ type: string; script: string; origin: Origin }>;

/** One process type with its count, for engines that scale replicas (compose, kubernetes). */
export type ExportType = Readonly<{
  type: string;
  script: string;
  count: number;
  /** The type's first port: every replica gets it, each in its own container. */
  port: number;
}>;

export type ExportPlan = Readonly<{
  app: string;
  user: string | undefined;
  /** The app's folder, absolute: where processes run on a host. */
  root: string;
  logDir: string | undefined;
  image: string | undefined;
  /** The stop timeout, whole seconds, at least 1 (0 means "no timeout" to systemd). */
  graceSeconds: number;
  /** The release env shared by every process: env-file keys only, without PORT and PS. */
  env: readonly EnvVar[];
  processes: readonly ExportProcess[];
  types: readonly ExportType[];
  release: ExportProcess | undefined;
  /** `--run COMMAND`: a one-off admin process in the same release. */
  oneOff: ExportProcess | undefined;
  /** Every Procfile type, for the admin wrapper (`DIR/<app>-run web`). */
  commands: readonly ExportCommand[];
  /** PORT of an admin process: only with -p, as for `foreman-ts run`. */
  adminPort: number | undefined;
}>;

/** The type that gets a published port, as on Heroku. */
export const WEB_TYPE = 'web';

/** Variables set per process, never in the shared env. */
const PER_PROCESS = new Set(['PORT', 'PS']);
const PORTABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const APP_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const MAX_APP_LENGTH = 40;

/**
 * Release + formation + export options -> what to export. `fileEnv` lists the env-file keys
 * with where they were set; values come from the release, as `start` would see them.
 */
export function planExport({
  release,
  formation,
  fileEnv,
  run,
  procfileLabel = 'Procfile',
}: {
  release: Release;
  formation: Formation | undefined;
  fileEnv: readonly Readonly<{ key: string; origin: Origin }>[];
  run?: string | undefined;
  /** How errors name the Procfile (relative to where the user stands). */
  procfileLabel?: string;
}): ExportPlan {
  const { settings } = release;
  const specs = expandFormation(release, { formation });
  const phase = expandReleasePhase(release);
  const entries = release.procfile?.entries ?? [];
  const originOf = (type: string): Origin | undefined => {
    const entry = entries.find((candidate) => candidate.name === type);
    return entry === undefined ? undefined : { file: procfileLabel, line: entry.line };
  };
  const toProcess = (spec: ProcessSpec): ExportProcess => {
    const { name, type, instance, port } = spec;
    return { name, type, instance, script: scriptOf(spec.command), port, origin: originOf(type) };
  };
  return {
    app: resolveAppName(settings.app, release.root),
    user: settings.user,
    root: release.root,
    logDir: settings.log,
    image: settings.image,
    graceSeconds: Math.max(1, Math.ceil(release.graceMs / 1000)),
    env: sharedEnv(release, fileEnv),
    processes: specs.map(toProcess),
    types: typesOf(specs),
    release: phase === undefined ? undefined : { ...toProcess(phase), port: undefined },
    oneOff: run === undefined ? undefined : oneOffOf(release, run),
    commands: entries.map(({ name, command, line }) => ({
      type: name,
      script: `${scriptOf(command)} "$@"`,
      origin: { file: procfileLabel, line },
    })),
    adminPort: release.settings.port,
  };
}

/** start's wrapper without its `exec 2>&1`: each engine decides where stderr goes. */
export function scriptOf(command: string): string {
  return wrapCommand(command).replace(/^exec 2>&1\n/, '');
}

function typesOf(specs: readonly ProcessSpec[]): ExportType[] {
  const types: ExportType[] = [];
  for (const spec of specs) {
    const known = types.find((entry) => entry.type === spec.type);
    if (known !== undefined) {
      types[types.indexOf(known)] = { ...known, count: known.count + 1 };
      continue;
    }
    types.push({ type: spec.type, script: scriptOf(spec.command), count: 1, port: spec.port });
  }
  return types;
}

/** A one-off runs like `foreman-ts run`: a process type's command, or the text through sh. */
function oneOffOf(release: Release, text: string): ExportProcess {
  const admin = resolveAdmin([text], release.procfile);
  const command =
    admin.kind === 'shell' ? admin.script : [admin.file, ...admin.args].map(quoteWord).join(' ');
  const port = adminEnv({}, release.settings.port).PORT;
  const [type, instance] = ADMIN_NAME.split('.');
  return {
    name: ADMIN_NAME,
    type: type ?? 'run',
    instance: Number(instance ?? 1),
    script: scriptOf(command),
    port: port === undefined ? undefined : Number(port),
    origin: undefined,
  };
}

/**
 * Only the keys the env files set: the exporting user's own shell (PATH, HOME, SSH_AUTH_SOCK)
 * must not leak into units that run elsewhere. A key also set in the shell keeps the value
 * the release gives it, as `start` and `env` show it.
 */
function sharedEnv(
  release: Release,
  fileEnv: readonly Readonly<{ key: string; origin: Origin }>[],
): EnvVar[] {
  const env: EnvVar[] = [];
  const { isSecret } = secretRule(release.settings);
  for (const { key, origin } of fileEnv) {
    if (PER_PROCESS.has(key) || env.some((entry) => entry.key === key)) continue;
    if (!PORTABLE_NAME.test(key)) {
      const problem = `"${key}" is not a portable variable name, which exported units need`;
      throw new InputError(origin.file, origin.line, problem, 'use letters, digits and "_" only');
    }
    const value = release.env[key];
    if (value !== undefined) env.push({ key, value, origin, isSecret: isSecret(key, value) });
  }
  return env;
}

/** -a, or the root folder's name made safe for unit, service and Kubernetes names. */
export function resolveAppName(flag: string | undefined, root: string): string {
  if (flag !== undefined) {
    if (!APP_NAME.test(flag) || flag.length > MAX_APP_LENGTH) {
      throw new UsageError(
        `bad app name "${flag}"`,
        `use at most ${MAX_APP_LENGTH} lowercase letters, digits and "-", e.g. "${slug(flag)}"`,
      );
    }
    return flag;
  }
  const folder =
    root
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop() ?? '';
  return slug(folder);
}

function slug(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_APP_LENGTH)
    .replace(/^-+|-+$/g, '');
  return name === '' ? 'app' : name;
}

/** Every process an engine runs, release first: for formats that render all alike. */
export function allProcesses(plan: ExportPlan): ExportProcess[] {
  return [...(plan.release ? [plan.release] : []), ...plan.processes];
}

export function requireImage(plan: ExportPlan, format: string): string {
  if (plan.image !== undefined) return plan.image;
  throw new UsageError(
    `${format} needs the image to run`,
    'pass --image, e.g. --image registry.example.com/app:1.0',
  );
}

/** The variables one process gets on top of the shared env. */
export function ownEnv(process: ExportProcess): EnvVar[] {
  const port = process.port === undefined ? [] : [{ key: 'PORT', value: String(process.port) }];
  return [...port, { key: 'PS', value: process.name }];
}
