import type { SystemEvent } from '../events.js';
import { exitCodeOf, isSuccess } from '../outcome.js';
import { backoffMs, isCrashLoop, policyOf, CRASH_LOOP } from '../policy.js';
import { beginStop } from './stop.js';
import {
  instanceOf,
  removeInstance,
  report,
  reportExit,
  type ExitedEvent,
  update,
  type Action,
  type Instance,
  type Step,
  type SupervisorState,
} from './state.js';
import { armTimer, cancelTimer } from './timers.js';
import { onAdminExited, onAdminSpawned } from './admin-instances.js';

/** A process never ready in time fails the start with this code. */
const NOT_READY_CODE = 1;

/** A type is ready when every one of its instances has been ready (ordering for `after:`). */
function isTypeReady(state: SupervisorState, type: string): boolean {
  return state.instances
    .filter((instance) => instance.spec.type === type)
    .every((instance) => instance.isReady);
}

/** Spawn every waiting instance whose `after:` types are all ready. */
export function startWaiting(state: SupervisorState, actions: readonly Action[]): Step {
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

export function onSpawned(state: SupervisorState, name: string, pid: number, at: number): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (instance.admin !== undefined) return onAdminSpawned(state, instance, pid, at);
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
  return [
    update(state, name, { pid, startedAt: at }),
    [started, { type: 'probe', spec: instance.spec }, armTimer('ready', name, readyTimeoutMs)],
  ];
}

export function onReady(state: SupervisorState, name: string): Step {
  if (instanceOf(state, name)?.status !== 'starting') return [state, []];
  const actions: Action[] = [cancelTimer('ready', name), report({ event: 'ready', process: name })];
  return startWaiting(update(state, name, { status: 'running', isReady: true }), actions);
}

export function onReadyTimeout(state: SupervisorState, name: string): Step {
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

export function onExited(state: SupervisorState, event: ExitedEvent): Step {
  const { name, outcome, at } = event;
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (instance.admin !== undefined) return onAdminExited(state, instance, outcome, at);
  const ended = update(state, name, { pid: undefined, lastExit: outcome });
  const exited = reportExit(event);
  if (instance.status === 'stopping') return onStopped(ended, instance, exited);
  const policy = policyOf(state.policies, instance.spec.type);
  const wantsRestart =
    policy.restart === 'always' || (policy.restart === 'on-failure' && !isSuccess(outcome));
  if (wantsRestart && !isCrashLoop(instance.restartTimes, at))
    return backOff(ended, instance, at, exited);
  const gaveUp = wantsRestart ? [reportGaveUp(instance, at)] : [];
  if (policy.canDie)
    return endIfIdle(update(ended, name, { status: 'exited' }), [exited, ...gaveUp]);
  const [stopping, actions] = beginStop(
    update(ended, name, { status: 'exited' }),
    { kind: 'exit', process: name },
    exitCodeOf(outcome),
  );
  return [stopping, [exited, ...gaveUp, ...actions]];
}

/** A crash loop: the crashes within the window, this one included, and the restarts between. */
function reportGaveUp(instance: Instance, at: number): Action {
  const restarts = instance.restartTimes.filter((time) => at - time < CRASH_LOOP.windowMs).length;
  const { windowMs } = CRASH_LOOP;
  return report({
    event: 'gave-up',
    process: instance.spec.name,
    crashes: restarts + 1,
    restarts,
    windowMs,
  });
}

/** A crash to restart from: wait longer each time within the crash-loop window. */
function backOff(state: SupervisorState, instance: Instance, at: number, exited: Action): Step {
  const name = instance.spec.name;
  const recent = instance.restartTimes.filter((time) => at - time < CRASH_LOOP.windowMs);
  const delayMs = backoffMs(recent.length + 1);
  const attempt = instance.restarts + 1;
  const restarting = report({ event: 'restarting', process: name, delayMs, attempt });
  const backoff = update(state, name, {
    status: 'backoff',
    restarts: attempt,
    restartTimes: [...recent, at],
  });
  return [backoff, [exited, restarting, armTimer('backoff', name, delayMs)]];
}

/** One instance stopped on request: keep it stopped, start it again, or forget it (scale). */
export function onStopped(state: SupervisorState, instance: Instance, exited: Action): Step {
  const name = instance.spec.name;
  const actions: Action[] = [exited, cancelTimer('stop', name)];
  if (instance.afterStop === 'restart') {
    const [started, spawn] = startFresh(state, instance);
    return [started, [...actions, ...spawn]];
  }
  if (instance.afterStop === 'remove') return [removeInstance(state, name), actions];
  return [update(state, name, { status: 'stopped', afterStop: undefined }), actions];
}

/** A start asked for (restart): a clean slate, its crash-loop history forgotten. */
export function startFresh(state: SupervisorState, instance: Instance): Step {
  const fresh = update(state, instance.spec.name, {
    status: 'starting',
    afterStop: undefined,
    isReady: false,
    restartTimes: [],
  });
  return [fresh, [{ type: 'spawn', spec: instance.spec }]];
}

export function onBackoffOver(state: SupervisorState, name: string): Step {
  const instance = instanceOf(state, name);
  if (instance?.status !== 'backoff') return [state, []];
  return [
    update(state, name, { status: 'starting', isReady: false }),
    [{ type: 'spawn', spec: instance.spec }],
  ];
}

/** With can_die, the run ends once nothing is left to run (or restart) and nothing was stopped on request. */
export function endIfIdle(state: SupervisorState, actions: readonly Action[]): Step {
  // Admin processes are not the formation: they neither keep it going nor end it.
  const formation = state.instances.filter((instance) => instance.admin === undefined);
  const isIdle = formation.every((instance) => instance.status === 'exited');
  if (!isIdle) return [state, actions];
  const failure = formation
    .map((instance) => instance.lastExit)
    .find((outcome) => outcome && !isSuccess(outcome));
  const last = formation.at(-1)?.spec.name ?? '';
  const [stopping, more] = beginStop(
    state,
    { kind: 'exit', process: last },
    failure ? exitCodeOf(failure) : 0,
  );
  return [stopping, [...actions, ...more]];
}
