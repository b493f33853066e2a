import {
  resolveTargets,
  type ControlCommand,
  type ControlResult,
  type StatusRow,
} from './control.js';
import type { StopCause, SystemEvent } from './events.js';
import { expandInstance, parseFormation, RELEASE_TYPE, type ProcessSpec } from './formation.js';
import { describe, exitCodeOf, isSuccess, type Outcome } from './outcome.js';
import { backoffMs, isCrashLoop, policyOf, CRASH_LOOP, type Policies } from './policy.js';
import type { Release } from './release.js';

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
  lastExit: Outcome | undefined;
  /** What follows a stop asked for one instance. */
  then: 'stop' | 'restart' | 'remove' | undefined;
  isReady: boolean;
}>;

export type Phase = 'running' | 'stopping' | 'killing' | 'done';

export type SupervisorState = Readonly<{
  phase: Phase;
  instances: readonly Instance[];
  policies: Policies;
  release: Release;
  graceMs: number;
  isTreeEmpty: boolean;
  cause: StopCause | undefined;
  exitCode: number | undefined;
  isForced: boolean;
}>;

export type SupervisorEvent =
  | { readonly type: 'boot' }
  | { readonly type: 'spawned'; readonly name: string; readonly pid: number; readonly at: number }
  | { readonly type: 'ready'; readonly name: string }
  | { readonly type: 'ready-timeout'; readonly name: string }
  | {
      readonly type: 'exited';
      readonly name: string;
      readonly outcome: Outcome;
      readonly at: number;
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
  | { readonly type: 'output-lost' }
  | { readonly type: 'grace-expired' }
  | { readonly type: 'killed'; readonly count: number; readonly isEarly: boolean }
  | { readonly type: 'tree-empty' };

export type TimerEvent = Extract<
  SupervisorEvent,
  { type: 'ready-timeout' | 'backoff-over' | 'instance-grace-expired' | 'grace-expired' }
>;

export type Action =
  | { readonly type: 'report'; readonly event: SystemEvent }
  | { readonly type: 'spawn'; readonly spec: ProcessSpec }
  | { readonly type: 'probe'; readonly spec: ProcessSpec }
  | { readonly type: 'signal-instance'; readonly name: string; readonly signal: string }
  | { readonly type: 'stop-trees'; readonly signals: ReadonlyMap<string, string> }
  | { readonly type: 'kill-trees'; readonly isEarly: boolean }
  | {
      readonly type: 'arm-timer';
      readonly key: string;
      readonly ms: number;
      readonly event: TimerEvent;
    }
  | { readonly type: 'cancel-timer'; readonly key: string }
  | { readonly type: 'watch-tree' }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly result: ControlResult | { error: string; hint?: string };
    }
  | { readonly type: 'finish'; readonly code: number; readonly cause: StopCause };

export type Step = readonly [SupervisorState, readonly Action[]];

const OUTPUT_LOST_CODE = 128 + 13;
const NOT_READY_CODE = 1;
/** Statuses in which the instance has a live process (our direct child). */
const ALIVE: ReadonlySet<InstanceStatus> = new Set(['starting', 'running', 'stopping']);

export function initialState({
  specs,
  policies,
  release,
  graceMs,
}: {
  specs: readonly ProcessSpec[];
  policies: Policies;
  release: Release;
  graceMs: number;
}): SupervisorState {
  return {
    phase: 'running',
    instances: specs.map(newInstance),
    policies,
    release,
    graceMs,
    isTreeEmpty: false,
    cause: undefined,
    exitCode: undefined,
    isForced: false,
  };
}

function newInstance(spec: ProcessSpec): Instance {
  const base = {
    pid: undefined,
    startedAt: undefined,
    restarts: 0,
    restartTimes: [],
    lastExit: undefined,
  };
  return { ...base, spec, status: 'waiting', then: undefined, isReady: false };
}

export function next(state: SupervisorState, event: SupervisorEvent): Step {
  if (state.phase === 'done') return [state, []];
  if (state.phase !== 'running') return nextWhileStopping(state, event);
  switch (event.type) {
    case 'boot':
      return startWaiting(state, []);
    case 'spawned':
      return onSpawned(state, event.name, event.pid, event.at);
    case 'ready':
      return onReady(state, event.name);
    case 'ready-timeout':
      return onReadyTimeout(state, event.name);
    case 'exited':
      return onExited(state, event.name, event.outcome, event.at);
    case 'backoff-over':
      return onBackoffOver(state, event.name);
    case 'instance-grace-expired':
      return instanceOf(state, event.name)?.status === 'stopping'
        ? [state, [{ type: 'signal-instance', name: event.name, signal: 'SIGKILL' }]]
        : [state, []];
    case 'control':
      return onControl(state, event.id, event.command, event.at);
    case 'signal':
      return beginStop(state, { kind: 'signal', signal: event.signal }, undefined);
    case 'output-lost':
      return beginStop(state, { kind: 'output-lost' }, OUTPUT_LOST_CODE);
    case 'grace-expired':
    case 'killed':
    case 'tree-empty':
      return [state, []];
  }
}

// ---- instances -------------------------------------------------------------------------

function instanceOf(state: SupervisorState, name: string): Instance | undefined {
  return state.instances.find((instance) => instance.spec.name === name);
}

function update(state: SupervisorState, name: string, change: Partial<Instance>): SupervisorState {
  const instances = state.instances.map((instance) =>
    instance.spec.name === name ? { ...instance, ...change } : instance,
  );
  return { ...state, instances };
}

function report(event: SystemEvent): Action {
  return { type: 'report', event };
}

/** A type is ready when every one of its instances has been ready (ordering for `after:`). */
function isTypeReady(state: SupervisorState, type: string): boolean {
  return state.instances
    .filter((instance) => instance.spec.type === type)
    .every((instance) => instance.isReady);
}

/** Spawn every waiting instance whose `after:` types are all ready. */
function startWaiting(state: SupervisorState, actions: readonly Action[]): Step {
  let after = state;
  const spawns: Action[] = [];
  for (const instance of state.instances) {
    if (instance.status !== 'waiting') continue;
    const policy = policyOf(state.policies, instance.spec.type);
    if (!policy.after.every((type) => isTypeReady(state, type))) continue;
    after = update(after, instance.spec.name, { status: 'starting' });
    spawns.push({ type: 'spawn', spec: instance.spec });
  }
  return [after, [...actions, ...spawns]];
}

function onSpawned(state: SupervisorState, name: string, pid: number, at: number): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  const { ready, readyTimeoutMs } = policyOf(state.policies, instance.spec.type);
  const started = report({
    event: 'started',
    process: name,
    pid,
    ...(instance.spec.port ? { port: instance.spec.port } : {}),
  });
  if (ready === undefined) {
    return startWaiting(
      update(state, name, { pid, startedAt: at, status: 'running', isReady: true }),
      [started],
    );
  }
  const timeout: Action = {
    type: 'arm-timer',
    key: `ready:${name}`,
    ms: readyTimeoutMs,
    event: { type: 'ready-timeout', name },
  };
  return [
    update(state, name, { pid, startedAt: at }),
    [started, { type: 'probe', spec: instance.spec }, timeout],
  ];
}

function onReady(state: SupervisorState, name: string): Step {
  if (instanceOf(state, name)?.status !== 'starting') return [state, []];
  const actions: Action[] = [
    { type: 'cancel-timer', key: `ready:${name}` },
    report({ event: 'ready', process: name }),
  ];
  return startWaiting(update(state, name, { status: 'running', isReady: true }), actions);
}

function onReadyTimeout(state: SupervisorState, name: string): Step {
  const instance = instanceOf(state, name);
  if (instance?.status !== 'starting' || instance.pid === undefined) return [state, []];
  const { ready, readyTimeoutMs } = policyOf(state.policies, instance.spec.type);
  const event: SystemEvent = {
    event: 'not-ready',
    process: name,
    timeoutMs: readyTimeoutMs,
    probe: ready ?? { kind: 'port' },
  };
  const [stopping, actions] = beginStop(
    state,
    { kind: 'not-ready', process: name },
    NOT_READY_CODE,
  );
  return [stopping, [report(event), ...actions]];
}

function onExited(state: SupervisorState, name: string, outcome: Outcome, at: number): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  const ended = update(state, name, { pid: undefined, lastExit: outcome });
  const exited = report({ event: 'exited', process: name, outcome });
  if (instance.status === 'stopping') return afterStop(ended, instance, exited);
  const policy = policyOf(state.policies, instance.spec.type);
  const wantsRestart =
    policy.restart === 'always' || (policy.restart === 'on-failure' && !isSuccess(outcome));
  if (wantsRestart && !isCrashLoop(instance.restartTimes, at)) {
    const recent = instance.restartTimes.filter((time) => at - time < CRASH_LOOP.windowMs);
    const delayMs = backoffMs(recent.length + 1);
    const restarting = report({
      event: 'restarting',
      process: name,
      delayMs,
      attempt: instance.restarts + 1,
    });
    const timer: Action = {
      type: 'arm-timer',
      key: `backoff:${name}`,
      ms: delayMs,
      event: { type: 'backoff-over', name },
    };
    const backoff = update(ended, name, {
      status: 'backoff',
      restarts: instance.restarts + 1,
      restartTimes: [...recent, at],
    });
    return [backoff, [exited, restarting, timer]];
  }
  const gaveUp: Action[] = wantsRestart
    ? [
        report({
          event: 'gave-up',
          process: name,
          restarts: CRASH_LOOP.restarts,
          windowMs: CRASH_LOOP.windowMs,
        }),
      ]
    : [];
  if (policy.canDie)
    return endIfIdle(update(ended, name, { status: 'exited' }), [exited, ...gaveUp]);
  const [stopping, actions] = beginStop(
    update(ended, name, { status: 'exited' }),
    { kind: 'exit', process: name },
    exitCodeOf(outcome),
  );
  return [stopping, [exited, ...gaveUp, ...actions]];
}

/** One instance stopped on request: keep it stopped, start it again, or forget it (scale). */
function afterStop(state: SupervisorState, instance: Instance, exited: Action): Step {
  const name = instance.spec.name;
  const actions: Action[] = [exited, { type: 'cancel-timer', key: `stop:${name}` }];
  if (instance.then === 'restart') {
    const restarted = update(state, name, {
      status: 'starting',
      then: undefined,
      isReady: false,
      restartTimes: [],
    });
    return [restarted, [...actions, { type: 'spawn', spec: instance.spec }]];
  }
  if (instance.then === 'remove') {
    return [
      { ...state, instances: state.instances.filter((other) => other.spec.name !== name) },
      actions,
    ];
  }
  return [update(state, name, { status: 'stopped', then: undefined }), actions];
}

function onBackoffOver(state: SupervisorState, name: string): Step {
  const instance = instanceOf(state, name);
  if (instance?.status !== 'backoff') return [state, []];
  return [
    update(state, name, { status: 'starting', isReady: false }),
    [{ type: 'spawn', spec: instance.spec }],
  ];
}

/** With can_die, the run ends once nothing is left to run (or restart) and nothing was stopped on request. */
function endIfIdle(state: SupervisorState, actions: readonly Action[]): Step {
  const isIdle = state.instances.every((instance) => instance.status === 'exited');
  if (!isIdle) return [state, actions];
  const failure = state.instances
    .map((instance) => instance.lastExit)
    .find((outcome) => outcome && !isSuccess(outcome));
  const last = state.instances.at(-1)?.spec.name ?? '';
  const [stopping, more] = beginStop(
    state,
    { kind: 'exit', process: last },
    failure ? exitCodeOf(failure) : 0,
  );
  return [stopping, [...actions, ...more]];
}

// ---- control ---------------------------------------------------------------------------

function onControl(state: SupervisorState, id: number, command: ControlCommand, at: number): Step {
  switch (command.cmd) {
    case 'status':
      return [state, [{ type: 'reply', id, result: statusOf(state, at) }]];
    case 'quit': {
      const [stopping, actions] = beginStop(state, { kind: 'quit' }, undefined);
      return [
        stopping,
        [
          { type: 'reply', id, result: { kind: 'done', message: 'stopping everything' } },
          ...actions,
        ],
      ];
    }
    case 'stop':
    case 'restart':
      return onTargets(state, id, command.cmd, command.targets);
    case 'scale':
      return onScale(state, id, command.formation);
  }
}

function onTargets(
  state: SupervisorState,
  id: number,
  cmd: 'stop' | 'restart',
  targets: readonly string[],
): Step {
  const names = state.instances.map((instance) => instance.spec.name);
  const { matched, unknown } = resolveTargets(targets, names);
  if (unknown.length > 0 || matched.length === 0) {
    const error = `unknown process ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}`;
    return [state, [{ type: 'reply', id, result: { error, hint: `known: ${names.join(', ')}` } }]];
  }
  let after = state;
  const actions: Action[] = [report({ event: 'control', action: cmd, targets: matched })];
  for (const name of matched) {
    const [next, more] =
      cmd === 'stop' ? stopInstance(after, name, 'stop') : restartInstance(after, name);
    after = next;
    actions.push(...more);
  }
  const message = `${cmd === 'stop' ? 'stopping' : 'restarting'} ${matched.join(', ')}`;
  return [after, [...actions, { type: 'reply', id, result: { kind: 'done', message } }]];
}

function stopInstance(state: SupervisorState, name: string, then: 'stop' | 'remove'): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (instance.status === 'stopping') return [update(state, name, { then }), []];
  if (!ALIVE.has(instance.status)) {
    const cancel: Action[] = [{ type: 'cancel-timer', key: `backoff:${name}` }];
    if (then === 'remove')
      return [
        { ...state, instances: state.instances.filter((other) => other !== instance) },
        cancel,
      ];
    return [update(state, name, { status: 'stopped' }), cancel];
  }
  const signal = policyOf(state.policies, instance.spec.type).stopSignal;
  const grace: Action = {
    type: 'arm-timer',
    key: `stop:${name}`,
    ms: state.graceMs,
    event: { type: 'instance-grace-expired', name },
  };
  return [
    update(state, name, { status: 'stopping', then }),
    [
      { type: 'cancel-timer', key: `ready:${name}` },
      { type: 'signal-instance', name, signal },
      grace,
    ],
  ];
}

function restartInstance(state: SupervisorState, name: string): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (ALIVE.has(instance.status)) {
    const [stopping, actions] = stopInstance(state, name, 'stop');
    return [update(stopping, name, { then: 'restart' }), actions];
  }
  const fresh = update(state, name, {
    status: 'starting',
    isReady: false,
    restartTimes: [],
    then: undefined,
  });
  return [
    fresh,
    [
      { type: 'cancel-timer', key: `backoff:${name}` },
      { type: 'spawn', spec: instance.spec },
    ],
  ];
}

/** A live formation change: new instances take their ports by the same slot rule. */
function onScale(state: SupervisorState, id: number, text: string): Step {
  let counts;
  try {
    counts = parseFormation(text);
  } catch (error) {
    return [
      state,
      [
        {
          type: 'reply',
          id,
          result: { error: error instanceof Error ? error.message : String(error) },
        },
      ],
    ];
  }
  const types = (state.release.procfile?.entries ?? [])
    .map((entry) => entry.name)
    .filter((name) => name !== RELEASE_TYPE);
  const unknown = [...counts.keys()].filter((type) => !types.includes(type));
  if (unknown.length > 0) {
    const error = `unknown process type ${unknown.map((name) => `"${name}"`).join(', ')}`;
    return [state, [{ type: 'reply', id, result: { error, hint: `known: ${types.join(', ')}` } }]];
  }
  let after = state;
  const actions: Action[] = [report({ event: 'control', action: 'scale', targets: [text] })];
  for (const [type, count] of counts) {
    const [next, more] = scaleType(after, type, count);
    after = next;
    actions.push(...more);
  }
  const [started, spawns] = startWaiting(after, actions);
  return [
    started,
    [...spawns, { type: 'reply', id, result: { kind: 'done', message: `scaled to ${text}` } }],
  ];
}

function scaleType(state: SupervisorState, type: string, count: number): Step {
  const mine = state.instances.filter((instance) => instance.spec.type === type);
  if (mine.length > count) {
    let after = state;
    const actions: Action[] = [];
    for (const instance of [...mine]
      .sort((a, b) => b.spec.instance - a.spec.instance)
      .slice(0, mine.length - count)) {
      const [next, more] = stopInstance(after, instance.spec.name, 'remove');
      after = next;
      actions.push(...more);
    }
    return [after, actions];
  }
  const taken = new Set(mine.map((instance) => instance.spec.instance));
  const added: Instance[] = [];
  for (let number = 1; taken.size + added.length < count; number++) {
    if (!taken.has(number)) added.push(newInstance(expandInstance(state.release, type, number)));
  }
  return [{ ...state, instances: [...state.instances, ...added] }, []];
}

export function statusOf(state: SupervisorState, now: number): ControlResult {
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
  return { kind: 'status', pid: 0, root: state.release.root, processes };
}

// ---- stopping everything ---------------------------------------------------------------

function beginStop(state: SupervisorState, cause: StopCause, exitCode: number | undefined): Step {
  const instances = state.instances.map((instance) =>
    ALIVE.has(instance.status) ? instance : { ...instance, status: 'exited' as const },
  );
  const stopping: SupervisorState = { ...state, phase: 'stopping', cause, exitCode, instances };
  const signals = new Map(
    instances
      .filter((instance) => instance.pid !== undefined)
      .map((instance) => [
        instance.spec.name,
        policyOf(state.policies, instance.spec.type).stopSignal,
      ]),
  );
  const actions: Action[] = [
    { type: 'stop-trees', signals },
    { type: 'arm-timer', key: 'grace', ms: state.graceMs, event: { type: 'grace-expired' } },
    { type: 'watch-tree' },
  ];
  // The last process ending on its own leaves nothing to announce, only leftovers to sweep.
  if (!(cause.kind === 'exit' && signals.size === 0))
    actions.unshift(report({ event: 'stopping', cause, signal: 'SIGTERM' }));
  return [stopping, actions];
}

function nextWhileStopping(state: SupervisorState, event: SupervisorEvent): Step {
  switch (event.type) {
    case 'exited': {
      const ended = update(state, event.name, {
        pid: undefined,
        status: 'exited',
        lastExit: event.outcome,
      });
      return maybeFinish(ended, [
        report({ event: 'exited', process: event.name, outcome: event.outcome }),
      ]);
    }
    case 'spawned':
      // Spawned just as the stop began: it is stopped with everything else by the tree sweep.
      return [update(state, event.name, { pid: event.pid, status: 'running' }), []];
    case 'signal':
      return state.phase === 'stopping'
        ? [{ ...state, phase: 'killing' }, [{ type: 'kill-trees', isEarly: true }]]
        : [state, []];
    case 'grace-expired':
      return state.phase === 'stopping'
        ? [{ ...state, phase: 'killing' }, [{ type: 'kill-trees', isEarly: false }]]
        : [state, []];
    case 'killed':
      return event.count === 0
        ? [state, []]
        : [
            { ...state, isForced: true },
            [
              report({
                event: 'killing',
                count: event.count,
                graceMs: state.graceMs,
                isEarly: event.isEarly,
              }),
            ],
          ];
    case 'tree-empty':
      return maybeFinish({ ...state, isTreeEmpty: true }, []);
    case 'control': {
      const reply: Action = {
        type: 'reply',
        id: event.id,
        result:
          event.command.cmd === 'status'
            ? statusOf(state, event.at)
            : { error: 'stopping: no more changes' },
      };
      return [state, [reply]];
    }
    default:
      return [state, []];
  }
}

function maybeFinish(state: SupervisorState, actions: readonly Action[]): Step {
  const isAlive = state.instances.some((instance) => instance.pid !== undefined);
  if (isAlive || !state.isTreeEmpty) return [state, actions];
  const code = state.exitCode ?? (state.isForced ? 1 : 0);
  const cause = state.cause ?? { kind: 'quit' };
  return [{ ...state, phase: 'done' }, [...actions, { type: 'finish', code, cause }]];
}
