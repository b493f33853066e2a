import type {
  AdminRun,
  ControlAnswer,
  ControlCommand,
  DoneResult,
  StatusRow,
  StatusView,
} from '../control.js';
import type { Lingered, StopCause, SystemEvent } from '../events.js';
import type { Formation, ProcessSpec } from '../formation.js';
import { describe, type Outcome } from '../outcome.js';
import type { Policies } from '../policy.js';
import type { Release } from '../release.js';
import { summaryOf, type ReleaseIdentity } from '../release-id.js';
import type { SpawnFailure } from '../spawn-failure.js';

/**
 * The supervisor's policy as one pure reducer: child exits, readiness, timers, signals and
 * control requests come in as events; the shell (supervisor/supervisor.ts) performs the
 * actions that come out. Policies (restart, can_die, after, stop signal) are branches here.
 *
 * Exit status (docs/exit-codes.md): the first process that ends on its own and is not allowed
 * to (no can_die, no restart left) decides: its code, or 128+n for signal n. A stop asked for
 * (signal, `quit`) ends 0 when everything stopped within the grace period, 1 when something
 * had to be killed; a process never ready in time ends 1; a closed stdout ends 141.
 */
export type InstanceStatus =
  'waiting' | 'starting' | 'running' | 'stopping' | 'backoff' | 'stopped' | 'exited';

export type Instance = Readonly<{
  spec: ProcessSpec;
  status: InstanceStatus;
  pid: number | undefined;
  startedAt: number | undefined;
  restarts: number;
  restartTimes: readonly number[];
  /** When the system last refused to start it (a shortage: EMFILE...), within the window. */
  failedSpawns: readonly number[];
  lastExit: Outcome | undefined;
  /** What follows a stop asked for this one instance (`stop`, `restart`, a `scale` down). */
  afterStop: AfterStop | undefined;
  isReady: boolean;
  /** A detached admin process (`run --detach`): run once, never restarted, never decisive. */
  admin: AdminRun | undefined;
}>;

export type AfterStop = 'stay-stopped' | 'restart' | 'remove';

export type Phase = 'running' | 'stopping' | 'killing' | 'done';

export type SupervisorState = Readonly<{
  /** Our own pid, for `status`. */
  pid: number;
  phase: Phase;
  instances: readonly Instance[];
  policies: Policies;
  release: Release;
  /** The release's fingerprint, as `start` showed it (docs/run.md#releases). */
  identity: ReleaseIdentity | undefined;
  /** Admin processes numbered so far (`run.N`), attached or detached, for this start. */
  runs: number;
  graceMs: number;
  isTreeEmpty: boolean;
  cause: StopCause | undefined;
  exitCode: number | undefined;
  isForced: boolean;
  /**
   * In the release phase's run only: the formation it gates, as a count for every type, at
   * the scale last asked for. It starts once the release has exited 0 (docs/run.md).
   */
  gatedFormation: Formation | undefined;
}>;

export type SupervisorEvent =
  | { readonly type: 'boot' }
  | { readonly type: 'spawned'; readonly name: string; readonly pid: number; readonly at: number }
  /** The system refused to start it: no process, no pid. */
  | {
      readonly type: 'spawn-failed';
      readonly name: string;
      readonly failure: SpawnFailure;
      readonly at: number;
    }
  | { readonly type: 'ready'; readonly name: string }
  | { readonly type: 'ready-timeout'; readonly name: string }
  | {
      readonly type: 'exited';
      readonly name: string;
      readonly outcome: Outcome;
      readonly at: number;
      readonly lingered?: Lingered;
    }
  | { readonly type: 'backoff-over'; readonly name: string }
  | { readonly type: 'instance-grace-expired'; readonly name: string }
  | {
      readonly type: 'control';
      readonly id: number;
      readonly command: ControlCommand;
      readonly at: number;
    }
  | { readonly type: 'signal'; readonly signal: string }
  | { readonly type: 'output-lost'; readonly error: string }
  | { readonly type: 'grace-expired' }
  | { readonly type: 'killed'; readonly count: number; readonly isEarly: boolean }
  | { readonly type: 'tree-empty' }
  /** Still alive well after SIGKILL (uninterruptible sleep): the stop cannot wait for them. */
  | { readonly type: 'stuck'; readonly pids: readonly number[] };

export type ExitedEvent = Extract<SupervisorEvent, { type: 'exited' }>;

export type TimerEvent = Extract<
  SupervisorEvent,
  { type: 'ready-timeout' | 'backoff-over' | 'instance-grace-expired' | 'grace-expired' }
>;

/** A timer of one instance: its readiness deadline, its restart backoff, its stop's grace. */
export type InstanceTimer = 'ready' | 'backoff' | 'stop';
export type TimerKey = 'grace' | `${InstanceTimer}:${string}`;

export type Action =
  | { readonly type: 'report'; readonly event: SystemEvent }
  | { readonly type: 'spawn'; readonly spec: ProcessSpec }
  | { readonly type: 'probe'; readonly spec: ProcessSpec }
  | { readonly type: 'signal-instance'; readonly name: string; readonly signal: string }
  /** The instance's own process only, not its tree: a forwarded SIGUSR1/SIGUSR2. */
  | { readonly type: 'signal-process'; readonly name: string; readonly signal: string }
  | { readonly type: 'stop-trees'; readonly signals: ReadonlyMap<string, string> }
  | { readonly type: 'kill-trees'; readonly isEarly: boolean }
  | {
      readonly type: 'arm-timer';
      readonly key: TimerKey;
      readonly ms: number;
      readonly event: TimerEvent;
    }
  | { readonly type: 'cancel-timer'; readonly key: TimerKey }
  | { readonly type: 'watch-tree' }
  | { readonly type: 'reply'; readonly id: number; readonly result: ControlAnswer }
  | {
      readonly type: 'finish';
      readonly code: number;
      readonly cause: StopCause;
      readonly gatedFormation: Formation | undefined;
      readonly runs: number;
    };

export type Step = readonly [SupervisorState, readonly Action[]];

/** Statuses in which the instance has a live process (our direct child). */
export const ALIVE: ReadonlySet<InstanceStatus> = new Set(['starting', 'running', 'stopping']);

export function initialState({
  pid,
  specs,
  policies,
  release,
  identity,
  runs = 0,
  graceMs,
  gatedFormation,
}: {
  pid: number;
  specs: readonly ProcessSpec[];
  policies: Policies;
  release: Release;
  identity?: ReleaseIdentity | undefined;
  /** Carried from the release phase's run to the formation's: numbers go on. */
  runs?: number;
  graceMs: number;
  gatedFormation?: Formation | undefined;
}): SupervisorState {
  return {
    pid,
    phase: 'running',
    instances: specs.map(newInstance),
    policies,
    release,
    identity,
    runs,
    graceMs,
    isTreeEmpty: false,
    cause: undefined,
    exitCode: undefined,
    isForced: false,
    gatedFormation,
  };
}

export function newInstance(spec: ProcessSpec): Instance {
  const base = {
    pid: undefined,
    startedAt: undefined,
    restarts: 0,
    restartTimes: [],
    failedSpawns: [],
    lastExit: undefined,
  };
  return {
    ...base,
    spec,
    status: 'waiting',
    afterStop: undefined,
    isReady: false,
    admin: undefined,
  };
}

export function instanceOf(state: SupervisorState, name: string): Instance | undefined {
  return state.instances.find((instance) => instance.spec.name === name);
}

export function update(
  state: SupervisorState,
  name: string,
  change: Partial<Instance>,
): SupervisorState {
  const instances = state.instances.map((instance) =>
    instance.spec.name === name ? { ...instance, ...change } : instance,
  );
  return { ...state, instances };
}

/** Forget an instance: scaled down, it leaves `status` and its name may be reused. */
export function removeInstance(state: SupervisorState, name: string): SupervisorState {
  return { ...state, instances: state.instances.filter((other) => other.spec.name !== name) };
}

/** The `exited` report of an instance, with what of its group lived on. */
export function reportExit(event: ExitedEvent): Action {
  const { name, outcome, lingered } = event;
  const rest =
    lingered === undefined ? {} : { lingered: lingered.count, lingeredUntil: lingered.until };
  return report({ event: 'exited', process: name, outcome, ...rest });
}

/** Take `step` for each item in turn: the last state, and every action in order. */
export function fold<T>(
  state: SupervisorState,
  items: Iterable<T>,
  step: (state: SupervisorState, item: T) => Step,
): Step {
  let after = state;
  const actions: Action[] = [];
  for (const item of items) {
    const [next, more] = step(after, item);
    after = next;
    actions.push(...more);
  }
  return [after, actions];
}

export function report(event: SystemEvent): Action {
  return { type: 'report', event };
}

export function statusOf(state: SupervisorState, now: number): StatusView {
  const processes: StatusRow[] = state.instances.map((instance) => ({
    process: instance.spec.name,
    pid: instance.pid ?? null,
    state:
      instance.status === 'starting' && instance.pid !== undefined
        ? 'starting (not ready)'
        : instance.status,
    uptimeMs:
      instance.pid !== undefined && instance.startedAt !== undefined
        ? now - instance.startedAt
        : null,
    restarts: instance.restarts,
    port: instance.spec.port,
    lastExit: instance.lastExit ? describe(instance.lastExit) : null,
  }));
  const view = { kind: 'status' as const, pid: state.pid, root: state.release.root, processes };
  return state.identity === undefined ? view : { ...view, release: summaryOf(state.identity) };
}

/**
 * The answer to a `restart` or `scale`: what was done, and the release it was done with (the
 * one this start began with, whatever the files say now: docs/control.md#releases).
 */
export function doneWith(state: SupervisorState, message: string): DoneResult {
  const done = { kind: 'done' as const, message };
  return state.identity === undefined ? done : { ...done, release: summaryOf(state.identity) };
}
