import { UsageError } from '../errors.js';
import {
  accept,
  boolean,
  choice,
  list,
  port,
  reject,
  seconds,
  text,
  type Coerced,
  type Coercer,
} from './coerce.js';
import { isFormationProblem, tryParseFormation } from './formation.js';

/**
 * Every option, declared once: how its value is coerced, its flag (the long name is the key in
 * kebab-case), its environment twin (FOREMAN_TS_*), whether `.foreman` may set it, which
 * commands take it, and its help line. The `Flags` type is derived from this table: adding an
 * option is adding an entry. args.ts parses flags with it, defaults.ts `.foreman` keys,
 * `parseEnvTwins` the FOREMAN_TS_* variables, and release.ts layers the values.
 */
/** Every command, in the order help lists them. */
export const COMMANDS = [
  'start',
  'run',
  'check',
  'env',
  'export',
  'status',
  'restart',
  'stop',
  'scale',
  'quit',
  'attach',
] as const;
export type CommandName = (typeof COMMANDS)[number];

type CommonSpec = Readonly<{
  short?: string;
  /** Settable from `.foreman` and FOREMAN_TS_*: release-shaping options, not per-call ones. */
  layered: boolean;
  commands: readonly CommandName[];
  help: string;
  /** The help line for commands where the option means something else than `help` says. */
  helpIn?: Readonly<Partial<Record<CommandName, string>>>;
}>;

/** A switch takes no value on the command line: `--color`, `--no-color`, `--color=false`. */
type SwitchSpec = CommonSpec & Readonly<{ coerce: Coercer<boolean>; arg?: undefined }>;

/** An option with a value (`-p 3000`, `--port=3000`), shown as `arg` in the help. */
type ValueSpec<T> = CommonSpec &
  Readonly<{
    coerce: Coercer<T>;
    arg: string;
    /** How a repeated flag adds up (`-e a.env -e b.env`); without it, the last one wins. */
    combine?(earlier: T, later: T): T;
    /** For paths: relative ones are resolved against the folder of the layer that set them. */
    resolvePaths?(value: T, resolvePath: (path: string) => string): T;
  }>;

export type OptionSpec = SwitchSpec | ValueSpec<unknown>;

const concat = (earlier: readonly string[], later: readonly string[]): readonly string[] => [
  ...earlier,
  ...later,
];

const onePath = (path: string, resolvePath: (path: string) => string): string => resolvePath(path);
const eachPath = (
  paths: readonly string[],
  resolvePath: (path: string) => string,
): readonly string[] => paths.map((path) => resolvePath(path));

const FORMATION = 'a formation such as "web=2,worker=1" or a map of type: count';

/** A formation is text (`web=2,worker=1`) or, in `.foreman`, a map of type to count. */
const formation: Coercer<string> = (raw) => {
  const spec = typeof raw === 'string' ? raw.trim() : formationTextOf(raw);
  return spec !== undefined && !isFormationProblem(tryParseFormation(spec))
    ? accept(spec)
    : reject(FORMATION);
};

function formationTextOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  return Object.entries(raw)
    .map(([name, count]) => `${name}=${String(count)}`)
    .join(',');
}

const RELEASE: readonly CommandName[] = ['start', 'run', 'check', 'env', 'export'];
/** Clients of a running start find it by its root. */
const LOCATING: readonly CommandName[] = COMMANDS;
/** What decides the formation: `check` checks it as `start` would run it. */
const START_LIKE: readonly CommandName[] = ['start', 'check', 'env', 'export'];

export const OPTIONS = {
  procfile: {
    short: 'f',
    coerce: text,
    arg: 'FILE',
    layered: true,
    resolvePaths: onePath,
    commands: LOCATING,
    help: 'the Procfile (default: ./Procfile, or Procfile in --root)',
  },
  root: {
    short: 'd',
    coerce: text,
    arg: 'DIR',
    layered: true,
    resolvePaths: onePath,
    commands: LOCATING,
    help: "the app's folder, where processes run (default: the Procfile's folder)",
  },
  env: {
    short: 'e',
    coerce: list('file names'),
    combine: concat,
    arg: 'FILES',
    layered: true,
    resolvePaths: eachPath,
    commands: RELEASE,
    help: 'env files, comma-separated or repeated; later files win (default: .env in the root)',
  },
  envOverride: {
    coerce: boolean,
    layered: true,
    commands: RELEASE,
    help: 'env files win over the inherited environment (default: the environment wins)',
  },
  formation: {
    short: 'm',
    coerce: formation,
    arg: 'SPEC',
    layered: true,
    commands: START_LIKE,
    help: 'how many of each type, e.g. web=2,worker=1 or all=1 (default: one of each)',
  },
  port: {
    short: 'p',
    coerce: port,
    arg: 'N',
    layered: true,
    commands: ['start', 'run', 'check', 'env', 'export'],
    help: 'base port; type i, instance n gets base + 100*i + n-1 (default: $PORT or 5000)',
    helpIn: {
      run: 'set PORT=N for the command (default: none of its own; a PORT in the release stays)',
      env: "without PROCESS, PORT=N as run gets it; with PROCESS, start's base port",
    },
  },
  timeout: {
    short: 't',
    coerce: seconds({ isZeroAllowed: true }),
    arg: 'SECONDS',
    layered: true,
    commands: ['start', 'export'],
    help: 'grace period between SIGTERM and SIGKILL when stopping (default: 5)',
  },
  color: {
    short: 'c',
    coerce: boolean,
    layered: true,
    commands: ['start'],
    help: 'force colours on (--no-color: off; default: on for a terminal, honours NO_COLOR)',
  },
  timestamp: {
    coerce: boolean,
    layered: true,
    commands: ['start'],
    help: 'prefix each line with HH:MM:SS (default: on; --no-timestamp to drop it)',
  },
  release: {
    coerce: boolean,
    layered: true,
    commands: ['start', 'env'],
    help: 'run the release: process type before the formation (default: on; --no-release)',
    // `env --release` is a flag of the command line only: `.foreman` keeps meaning start's.
    helpIn: { env: "print the release's id (docs/run.md#releases) instead of the environment" },
  },
  canDie: {
    coerce: list('process types'),
    combine: concat,
    arg: 'TYPES',
    layered: false,
    commands: ['start'],
    help: 'these types may exit without stopping the others (comma-separated, or all)',
  },
  restart: {
    coerce: list('process types'),
    combine: concat,
    arg: 'TYPES',
    layered: false,
    commands: ['start'],
    help: 'restart these types when they fail, with backoff (comma-separated, or all)',
  },
  tty: {
    coerce: list('process types'),
    combine: concat,
    arg: 'TYPES',
    layered: false,
    commands: ['start'],
    help: 'run these types on a pseudo-terminal (needs the optional @lydell/node-pty)',
  },
  ready: {
    coerce: boolean,
    layered: true,
    commands: ['start'],
    help: 'honour ready: probes and after: ordering waits (default: on; --no-ready)',
  },
  control: {
    coerce: boolean,
    layered: true,
    commands: ['start'],
    help: 'listen on the control socket for status/restart/stop/scale/quit (default: on)',
  },
  attach: {
    coerce: text,
    arg: 'NAME',
    layered: true,
    commands: ['start'],
    help: 'in a terminal, send what you type to NAME (web = web.1) instead of following prompts',
  },
  logFormat: {
    coerce: choice(['text', 'json']),
    arg: 'FORMAT',
    layered: true,
    commands: ['start'],
    help: 'text (default) or json: one JSON record per line, for log collectors',
  },
  logLevel: {
    coerce: choice(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    arg: 'LEVEL',
    layered: true,
    commands: ['start'],
    help: 'show our own records from LEVEL up (default: info); process lines always show',
  },
  json: {
    coerce: boolean,
    layered: false,
    commands: ['env', 'status'],
    help: 'print JSON instead of text',
  },
  strictRelease: {
    coerce: boolean,
    layered: true,
    commands: ['run'],
    help: "refuse to run when the release differs from the running start's (docs/run.md#drift)",
  },
  detach: {
    coerce: boolean,
    layered: false,
    commands: ['run'],
    help: 'have the running start run the command as run.N, in its release; print run.N and return',
  },
  showSecrets: {
    coerce: boolean,
    layered: false,
    commands: ['env'],
    help: 'print secret-looking values instead of masking them',
  },
  secrets: {
    coerce: list('variable names'),
    combine: concat,
    arg: 'NAMES',
    layered: true,
    commands: ['env', 'export'],
    help: 'variables that are secret whatever their names say (comma-separated, * for any text)',
  },
  notSecrets: {
    coerce: list('variable names'),
    combine: concat,
    arg: 'NAMES',
    layered: true,
    commands: ['env', 'export'],
    help: 'variables that are not secret whatever their names or values look like',
  },
  app: {
    short: 'a',
    coerce: text,
    arg: 'NAME',
    layered: true,
    commands: ['export'],
    help: "the app's name in exported units (default: the root folder's name)",
  },
  user: {
    short: 'u',
    coerce: text,
    arg: 'USER',
    layered: true,
    commands: ['export'],
    help: "the user exported processes run as (default: the engine's; kubernetes: a uid)",
  },
  log: {
    short: 'l',
    coerce: text,
    arg: 'DIR',
    layered: true,
    resolvePaths: onePath,
    commands: ['export'],
    help: 'log folder for supervisord, launchd and runit (systemd logs to the journal)',
  },
  image: {
    coerce: text,
    arg: 'IMAGE',
    layered: true,
    commands: ['export'],
    help: 'container image; required for compose and kubernetes',
  },
  run: {
    coerce: text,
    arg: 'COMMAND',
    layered: false,
    commands: ['export'],
    help: 'kubernetes: render a one-off admin Job running COMMAND',
  },
} as const satisfies Readonly<Record<string, OptionSpec>>;

export type OptionKey = keyof typeof OPTIONS;

/** The value each option holds once coerced, read off its coercer. */
export type OptionValues = {
  [K in OptionKey]: (typeof OPTIONS)[K] extends { coerce: Coercer<infer T> } ? T : never;
};

/** Options as given by one source (flags, FOREMAN_TS_*, `.foreman`) or merged from them all. */
export type Flags = Readonly<Partial<OptionValues>>;
export type MutableFlags = Partial<OptionValues>;

export type Option = Readonly<{ key: OptionKey; long: string; spec: OptionSpec }>;

export const OPTION_LIST: readonly Option[] = (Object.keys(OPTIONS) as OptionKey[]).map((key) => ({
  key,
  long: key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`),
  spec: OPTIONS[key],
}));

export function findOption(name: string): Option | undefined {
  return OPTION_LIST.find((option) => option.long === name || option.spec.short === name);
}

/** `.foreman` keys are the long names, with `_` or `-` between words. */
export function findLayeredOption(key: string): Option | undefined {
  const long = key.replace(/_/g, '-');
  return OPTION_LIST.find((option) => option.spec.layered && option.long === long);
}

export function envTwinOf(option: Option): string {
  return `FOREMAN_TS_${option.long.replace(/-/g, '_').toUpperCase()}`;
}

/** The entry of `key` typed by its own value: the one place the compiler needs telling. */
function specOf<K extends OptionKey>(key: K): ValueSpec<OptionValues[K]> {
  return OPTIONS[key] as unknown as ValueSpec<OptionValues[K]>;
}

/**
 * Coerce `raw` (a flag's text, an env twin, a YAML value) into `key`'s type and set it in
 * `flags`, combined with an earlier value of a repeatable flag. Returns the coercion, so a
 * caller can word the error for where the value came from.
 */
export function setOption<K extends OptionKey>(
  flags: MutableFlags,
  key: K,
  raw: unknown,
): Coerced<OptionValues[K]> {
  const spec = specOf(key);
  const coerced = spec.coerce(raw);
  if (!coerced.ok) return coerced;
  const earlier = flags[key];
  flags[key] =
    earlier === undefined || spec.combine === undefined
      ? coerced.value
      : spec.combine(earlier, coerced.value);
  return coerced;
}

/** Copy `key` from one set of flags to another, when it is set there. */
export function copyOption<K extends OptionKey>(into: MutableFlags, from: Flags, key: K): void {
  const value = from[key];
  if (value !== undefined) into[key] = value;
}

/** Resolve the paths of the path options (`-f`, `-d`, `-e`, `-l`) with `resolvePath`. */
export function mapPaths(flags: Flags, resolvePath: (path: string) => string): Flags {
  const mapped: MutableFlags = { ...flags };
  for (const { key } of OPTION_LIST) mapPath(mapped, key, resolvePath);
  return mapped;
}

function mapPath<K extends OptionKey>(
  flags: MutableFlags,
  key: K,
  resolvePath: (path: string) => string,
): void {
  const spec = specOf(key);
  const value = flags[key];
  if (spec.resolvePaths !== undefined && value !== undefined)
    flags[key] = spec.resolvePaths(value, resolvePath);
}

/** FOREMAN_TS_* twins of this command's layered options (an empty variable counts as unset). */
export function parseEnvTwins(
  env: Readonly<Record<string, string | undefined>>,
  command: CommandName,
): Flags {
  const flags: MutableFlags = {};
  for (const option of OPTION_LIST) {
    const raw = env[envTwinOf(option)];
    const { spec } = option;
    if (!spec.layered || !spec.commands.includes(command) || raw === undefined || raw === '')
      continue;
    const coerced = setOption(flags, option.key, raw);
    if (!coerced.ok)
      throw new UsageError(`${envTwinOf(option)} must be ${coerced.expected}, got "${raw}"`);
  }
  return flags;
}
