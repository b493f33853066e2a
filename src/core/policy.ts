import { InputError } from '../errors.js';
import {
  accept,
  boolean,
  choice,
  list,
  reject,
  seconds,
  type Coerced,
  type Coercer,
} from './coerce.js';
import { escapeText } from './escape-text.js';

/**
 * Per-type policies (`.foreman` `processes:` and the flags): readiness, ordering, restarts,
 * stop signal. Pure: parsing their values, checking them against the Procfile, and the
 * backoff and crash-loop arithmetic the supervisor's reducer uses.
 */
export type ReadyProbe =
  | { readonly kind: 'port' }
  | { readonly kind: 'output'; readonly pattern: RegExp }
  | { readonly kind: 'http'; readonly path: string };

export type RestartPolicy = 'no' | 'on-failure' | 'always';

export type ProcessPolicy = Readonly<{
  ready: ReadyProbe | undefined;
  readyTimeoutMs: number;
  stopSignal: string;
  after: readonly string[];
  restart: RestartPolicy;
  canDie: boolean;
  /** Run on a pseudo-terminal (docs/interactive.md). */
  tty: boolean;
}>;

export type Policies = ReadonlyMap<string, ProcessPolicy>;

/** What `.foreman` said about one type, with lines for errors found later. */
export type PolicyDraft = Readonly<{
  type: string;
  line: number;
  afterLine: number;
  values: Partial<ProcessPolicy>;
}>;

export const DEFAULT_POLICY: ProcessPolicy = {
  ready: undefined,
  readyTimeoutMs: 60_000,
  stopSignal: 'SIGTERM',
  after: [],
  restart: 'no',
  canDie: false,
  tty: false,
};

export const STOP_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGKILL',
] as const;
export const RESTART_POLICIES: readonly RestartPolicy[] = ['no', 'on-failure', 'always'];

type PolicySetting<T> = Readonly<{ name: string; coerce: Coercer<T> }>;

/**
 * The settings of `.foreman` `processes: TYPE:`, by policy field: the key written in YAML and
 * its coercer (shared with the options, so `can_die: yes` reads as `--color=yes` does).
 */
export const POLICY_SETTINGS: {
  readonly [K in keyof ProcessPolicy]: PolicySetting<NonNullable<ProcessPolicy[K]>>;
} = {
  ready: { name: 'ready', coerce: coerceProbe },
  readyTimeoutMs: { name: 'ready_timeout', coerce: inMs(seconds({ isZeroAllowed: false })) },
  stopSignal: { name: 'stop_signal', coerce: coerceSignal },
  after: { name: 'after', coerce: list('process types') },
  restart: { name: 'restart', coerce: coerceRestart },
  canDie: { name: 'can_die', coerce: boolean },
  tty: { name: 'tty', coerce: boolean },
};

export type PolicyValues = { -readonly [K in keyof ProcessPolicy]?: ProcessPolicy[K] };

/** Coerce `raw` for the setting `field` and set it in `values`; returns the coercion. */
export function setPolicy<K extends keyof ProcessPolicy>(
  values: PolicyValues,
  field: K,
  raw: unknown,
): Coerced<NonNullable<ProcessPolicy[K]>> {
  const coerced = POLICY_SETTINGS[field].coerce(raw);
  if (coerced.ok) values[field] = coerced.value;
  return coerced;
}

function coerceProbe(raw: unknown): Coerced<ReadyProbe> {
  const probe = typeof raw === 'string' ? parseReadyProbe(raw) : 'port, /regex/ or http:/path';
  return typeof probe === 'string' ? reject(probe) : accept(probe);
}

function coerceSignal(raw: unknown): Coerced<string> {
  const name = typeof raw === 'string' ? raw.toUpperCase() : '';
  const signal = STOP_SIGNALS.find((candidate) => candidate === name);
  return signal === undefined ? reject(`one of ${STOP_SIGNALS.join(', ')}`) : accept(signal);
}

const restartChoice = choice(RESTART_POLICIES);

/** YAML 1.1 habits: a bare `no` may arrive as `false`. */
function coerceRestart(raw: unknown): Coerced<RestartPolicy> {
  return restartChoice(raw === false ? 'no' : raw);
}

function inMs(coerce: Coercer<number>): Coercer<number> {
  return (raw) => {
    const coerced = coerce(raw);
    return coerced.ok ? accept(Math.round(coerced.value * 1000)) : coerced;
  };
}

/** `port`, `/regex/flags` (a line of output matches) or `http:/path` (GET returns 2xx). */
export function parseReadyProbe(text: string): ReadyProbe | string {
  if (text === 'port') return { kind: 'port' };
  if (text.startsWith('http:/')) {
    const path = text.slice('http:'.length);
    // What an HTTP request line can carry as it is (Node refuses the rest with an exception).
    if (/[^\u0021-\u00ff]/.test(path))
      return 'http:/path without spaces or control characters (percent-encode them)';
    return { kind: 'http', path };
  }
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (regex === null) return 'port, /regex/ or http:/path';
  try {
    return { kind: 'output', pattern: new RegExp(regex[1] ?? '', regex[2]) };
  } catch (error) {
    return `a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
}

export function describeProbe(probe: ReadyProbe): string {
  switch (probe.kind) {
    case 'port':
      return 'its port accepts connections';
    case 'output':
      return `its output matches ${String(probe.pattern)}`;
    case 'http':
      return `GET ${probe.path} returns 2xx`;
  }
}

/**
 * Check drafts against the Procfile's types: unknown types, unknown `after:` names, and
 * cycles in `after:` are errors at load time, each with the `.foreman` line.
 */
export function checkPolicies(
  drafts: readonly PolicyDraft[],
  types: readonly string[],
  file: string,
): InputError[] {
  const problems: InputError[] = [];
  const known = `known: ${types.join(', ')}`;
  for (const draft of drafts) {
    if (!types.includes(draft.type)) {
      problems.push(
        new InputError(
          file,
          draft.line,
          `processes: unknown process type "${escapeText(draft.type)}"`,
          known,
        ),
      );
    }
    for (const name of draft.values.after ?? []) {
      if (!types.includes(name)) {
        problems.push(
          new InputError(
            file,
            draft.afterLine,
            `${escapeText(draft.type)}: after: unknown process type "${escapeText(name)}"`,
            known,
          ),
        );
      }
    }
  }
  const cycle = findCycle(drafts);
  if (cycle !== undefined) {
    const line = drafts.find((draft) => draft.type === cycle[0])?.afterLine ?? 1;
    const hint = 'remove one of these after: entries';
    problems.push(new InputError(file, line, `after: forms a cycle: ${cycle.join(' -> ')}`, hint));
  }
  return problems;
}

function findCycle(drafts: readonly PolicyDraft[]): string[] | undefined {
  const edges = new Map(drafts.map((draft) => [draft.type, draft.values.after ?? []]));
  const visit = (type: string, path: readonly string[]): string[] | undefined => {
    const at = path.indexOf(type);
    if (at !== -1) return [...path.slice(at), type];
    for (const next of edges.get(type) ?? []) {
      const cycle = visit(next, [...path, type]);
      if (cycle !== undefined) return cycle;
    }
    return undefined;
  };
  for (const type of edges.keys()) {
    const cycle = visit(type, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** Drafts and flags (`--can-die`, `--restart`, `--tty`, `--no-ready`) into one policy per type. */
export function resolvePolicies({
  types,
  drafts,
  canDie = [],
  restart = [],
  tty = [],
  isReadyChecked = true,
}: {
  types: readonly string[];
  drafts: readonly PolicyDraft[];
  canDie?: readonly string[];
  restart?: readonly string[];
  tty?: readonly string[];
  isReadyChecked?: boolean;
}): Policies {
  const policies = new Map<string, ProcessPolicy>();
  for (const type of types) {
    const values = drafts.find((draft) => draft.type === type)?.values ?? {};
    const policy: ProcessPolicy = { ...DEFAULT_POLICY, ...values };
    policies.set(type, {
      ...policy,
      ready: isReadyChecked ? policy.ready : undefined,
      canDie: policy.canDie || canDie.includes(type) || canDie.includes('all'),
      restart: restart.includes(type) || restart.includes('all') ? 'on-failure' : policy.restart,
      tty: policy.tty || tty.includes(type) || tty.includes('all'),
    });
  }
  return policies;
}

export function policyOf(policies: Policies, type: string): ProcessPolicy {
  return policies.get(type) ?? DEFAULT_POLICY;
}

/** Exponential backoff before restart number `attempt` (1-based): 1 s, 2 s, 4 s ... 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** A crash loop: this many restarts within the window, after which we give up. */
export const CRASH_LOOP = { restarts: 5, windowMs: 60_000 } as const;

export function isCrashLoop(restartTimes: readonly number[], now: number): boolean {
  return restartTimes.filter((at) => now - at < CRASH_LOOP.windowMs).length >= CRASH_LOOP.restarts;
}
