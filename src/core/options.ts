/**
 * Every option, declared once: its flag, its environment twin (FOREMAN_TS_*), whether
 * `.foreman` may set it, which commands take it, and its help line. args.ts parses flags from
 * this table, defaults.ts validates `.foreman` keys against it, release.ts layers the values.
 */
export type CommandName =
  'start' | 'run' | 'check' | 'env' | 'export' | 'status' | 'restart' | 'stop' | 'scale' | 'quit';
export type OptionKind = 'string' | 'number' | 'port' | 'boolean' | 'list' | 'choice' | 'formation';

export type OptionSpec = Readonly<{
  key: keyof Flags;
  long: string;
  short?: string;
  kind: OptionKind;
  arg?: string;
  choices?: readonly string[];
  /** Settable from `.foreman` and FOREMAN_TS_*: release-shaping options, not per-call ones. */
  layered: boolean;
  /** Relative paths in this option are resolved against the layer's own folder. */
  isPath?: boolean;
  commands: readonly CommandName[];
  help: string;
}>;

export type Flags = Partial<{
  procfile: string;
  root: string;
  env: readonly string[];
  envOverride: boolean;
  formation: string;
  port: number;
  timeout: number;
  color: boolean;
  timestamp: boolean;
  release: boolean;
  logFormat: string;
  logLevel: string;
  canDie: readonly string[];
  restart: readonly string[];
  ready: boolean;
  control: boolean;
  attach: string;
  json: boolean;
  showSecrets: boolean;
  app: string;
  user: string;
  log: string;
  image: string;
  run: string;
}>;

const RELEASE: readonly CommandName[] = ['start', 'run', 'check', 'env', 'export'];
/** Clients of a running start find it by its root. */
const LOCATING: readonly CommandName[] = [...RELEASE, 'status', 'restart', 'stop', 'scale', 'quit'];
const START_LIKE: readonly CommandName[] = ['start', 'env', 'export'];

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'procfile',
    long: 'procfile',
    short: 'f',
    kind: 'string',
    arg: 'FILE',
    layered: true,
    isPath: true,
    commands: LOCATING,
    help: 'the Procfile (default: ./Procfile, or Procfile in --root)',
  },
  {
    key: 'root',
    long: 'root',
    short: 'd',
    kind: 'string',
    arg: 'DIR',
    layered: true,
    isPath: true,
    commands: LOCATING,
    help: "the app's folder, where processes run (default: the Procfile's folder)",
  },
  {
    key: 'env',
    long: 'env',
    short: 'e',
    kind: 'list',
    arg: 'FILES',
    layered: true,
    isPath: true,
    commands: RELEASE,
    help: 'env files, comma-separated or repeated; later files win (default: .env in the root)',
  },
  {
    key: 'envOverride',
    long: 'env-override',
    kind: 'boolean',
    layered: true,
    commands: RELEASE,
    help: 'env files win over the inherited environment (default: the environment wins)',
  },
  {
    key: 'formation',
    long: 'formation',
    short: 'm',
    kind: 'formation',
    arg: 'SPEC',
    layered: true,
    commands: START_LIKE,
    help: 'how many of each type, e.g. web=2,worker=1 or all=1 (default: one of each)',
  },
  {
    key: 'port',
    long: 'port',
    short: 'p',
    kind: 'port',
    arg: 'N',
    layered: true,
    commands: ['start', 'run', 'env', 'export'],
    help: 'base port; type i, instance n gets base + 100*i + n-1 (default: $PORT or 5000)',
  },
  {
    key: 'timeout',
    long: 'timeout',
    short: 't',
    kind: 'number',
    arg: 'SECONDS',
    layered: true,
    commands: ['start', 'export'],
    help: 'grace period between SIGTERM and SIGKILL when stopping (default: 5)',
  },
  {
    key: 'color',
    long: 'color',
    short: 'c',
    kind: 'boolean',
    layered: true,
    commands: ['start'],
    help: 'force colours on (--no-color: off; default: on for a terminal, honours NO_COLOR)',
  },
  {
    key: 'timestamp',
    long: 'timestamp',
    kind: 'boolean',
    layered: true,
    commands: ['start'],
    help: 'prefix each line with HH:MM:SS (default: on; --no-timestamp to drop it)',
  },
  {
    key: 'release',
    long: 'release',
    kind: 'boolean',
    layered: true,
    commands: ['start'],
    help: 'run the release: process type before the formation (default: on; --no-release)',
  },
  {
    key: 'canDie',
    long: 'can-die',
    kind: 'list',
    arg: 'TYPES',
    layered: false,
    commands: ['start'],
    help: 'these types may exit without stopping the others (comma-separated, or all)',
  },
  {
    key: 'restart',
    long: 'restart',
    kind: 'list',
    arg: 'TYPES',
    layered: false,
    commands: ['start'],
    help: 'restart these types when they fail, with backoff (comma-separated, or all)',
  },
  {
    key: 'ready',
    long: 'ready',
    kind: 'boolean',
    layered: true,
    commands: ['start'],
    help: 'honour ready: probes and after: ordering waits (default: on; --no-ready)',
  },
  {
    key: 'control',
    long: 'control',
    kind: 'boolean',
    layered: true,
    commands: ['start'],
    help: 'listen on the control socket for status/restart/stop/scale/quit (default: on)',
  },
  {
    key: 'attach',
    long: 'attach',
    kind: 'string',
    arg: 'NAME',
    layered: true,
    commands: ['start'],
    help: 'in a terminal, send what you type to NAME (web = web.1) instead of following prompts',
  },
  {
    key: 'logFormat',
    long: 'log-format',
    kind: 'choice',
    choices: ['text', 'json'],
    arg: 'FORMAT',
    layered: true,
    commands: ['start'],
    help: 'text (default) or json: one JSON record per line, for log collectors',
  },
  {
    key: 'logLevel',
    long: 'log-level',
    kind: 'choice',
    choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    arg: 'LEVEL',
    layered: true,
    commands: ['start'],
    help: 'show our own records from LEVEL up (default: info); process lines always show',
  },
  {
    key: 'json',
    long: 'json',
    kind: 'boolean',
    layered: false,
    commands: ['env', 'status'],
    help: 'print JSON instead of text',
  },
  {
    key: 'showSecrets',
    long: 'show-secrets',
    kind: 'boolean',
    layered: false,
    commands: ['env'],
    help: 'print secret-looking values instead of masking them',
  },
  {
    key: 'app',
    long: 'app',
    short: 'a',
    kind: 'string',
    arg: 'NAME',
    layered: true,
    commands: ['export'],
    help: "the app's name in exported units (default: the root folder's name)",
  },
  {
    key: 'user',
    long: 'user',
    short: 'u',
    kind: 'string',
    arg: 'USER',
    layered: true,
    commands: ['export'],
    help: "the user exported processes run as (default: the engine's; kubernetes: a uid)",
  },
  {
    key: 'log',
    long: 'log',
    short: 'l',
    kind: 'string',
    arg: 'DIR',
    layered: true,
    isPath: true,
    commands: ['export'],
    help: 'log folder for supervisord, launchd and runit (systemd logs to the journal)',
  },
  {
    key: 'image',
    long: 'image',
    kind: 'string',
    arg: 'IMAGE',
    layered: true,
    commands: ['export'],
    help: 'container image; required for compose and kubernetes',
  },
  {
    key: 'run',
    long: 'run',
    kind: 'string',
    arg: 'COMMAND',
    layered: false,
    commands: ['export'],
    help: 'kubernetes: render a one-off admin Job running COMMAND',
  },
];

export function findOption(name: string): OptionSpec | undefined {
  return OPTIONS.find((spec) => spec.long === name || spec.short === name);
}

/** `.foreman` keys are the long names, with `_` or `-` between words. */
export function findLayeredOption(key: string): OptionSpec | undefined {
  const long = key.replace(/_/g, '-');
  return OPTIONS.find((spec) => spec.layered && spec.long === long);
}

export function envTwinOf(spec: OptionSpec): string {
  return `FOREMAN_TS_${spec.long.replace(/-/g, '_').toUpperCase()}`;
}

export type Coerced = { ok: true; value: Flags[keyof Flags] } | { ok: false; expected: string };

/** Turn a raw value (a flag's text, an env twin, a YAML scalar) into the option's type. */
export function coerceOption(spec: OptionSpec, raw: unknown): Coerced {
  switch (spec.kind) {
    case 'string':
      return typeof raw === 'string' && raw !== ''
        ? { ok: true, value: raw }
        : { ok: false, expected: 'a non-empty string' };
    case 'choice':
      return typeof raw === 'string' && (spec.choices ?? []).includes(raw)
        ? { ok: true, value: raw }
        : { ok: false, expected: `one of ${(spec.choices ?? []).join(', ')}` };
    case 'number':
      return coerceNumber(raw, (n) => n >= 0, 'a number of seconds (0 or more)');
    case 'port':
      return coerceNumber(
        raw,
        (n) => Number.isInteger(n) && n >= 1 && n <= 65535,
        'a port (1-65535)',
      );
    case 'boolean':
      return coerceBoolean(raw);
    case 'list':
      return coerceList(raw);
    case 'formation':
      return coerceFormation(raw);
  }
}

/** A formation is text (`web=2,worker=1`) or, in `.foreman`, a map of type to count. */
function coerceFormation(raw: unknown): Coerced {
  if (typeof raw === 'string' && raw.trim() !== '') return { ok: true, value: raw };
  const expected = 'a formation such as "web=2,worker=1" or a map of type: count';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, expected };
  const pairs = Object.entries(raw);
  if (pairs.length === 0 || !pairs.every(([, count]) => Number.isInteger(count))) {
    return { ok: false, expected };
  }
  return { ok: true, value: pairs.map(([name, count]) => `${name}=${String(count)}`).join(',') };
}

function coerceNumber(raw: unknown, isValid: (n: number) => boolean, expected: string): Coerced {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && raw.trim() !== ''
        ? Number(raw)
        : NaN;
  return Number.isFinite(n) && isValid(n) ? { ok: true, value: n } : { ok: false, expected };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function coerceBoolean(raw: unknown): Coerced {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  const text = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (TRUE.has(text)) return { ok: true, value: true };
  if (FALSE.has(text)) return { ok: true, value: false };
  return { ok: false, expected: 'true or false' };
}

function coerceList(raw: unknown): Coerced {
  const items = Array.isArray(raw) ? raw : [raw];
  if (!items.every((item) => typeof item === 'string')) {
    return { ok: false, expected: 'a file name or a list of file names' };
  }
  const list = items.flatMap((item: string) => item.split(',')).map((item) => item.trim());
  return list.every((item) => item !== '')
    ? { ok: true, value: list }
    : { ok: false, expected: 'comma-separated file names' };
}
