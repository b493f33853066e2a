import type { AdminRun } from '../control.js';
import type { AdminFacts } from '../events.js';
import type { Outcome } from '../outcome.js';
import {
  report,
  update,
  type Action,
  type Instance,
  type Step,
  type SupervisorState,
} from './state.js';

/**
 * The life of a detached admin process (`run --detach`) in the reducer: audit records
 * instead of `started`/`exited`, no restart, and no say in whether the formation goes on.
 */

/** Finished detached runs `status` keeps showing; older ones are forgotten. */
const KEPT_FINISHED = 10;

/** A detached run has started: its audit record, instead of `started`. */
export function onAdminSpawned(
  state: SupervisorState,
  instance: Instance,
  pid: number,
  at: number,
): Step {
  const name = instance.spec.name;
  const running = update(state, name, { pid, startedAt: at, status: 'running', isReady: true });
  const admin = instance.admin as AdminRun;
  return [running, [report({ ...reported('run-started', admin, pid), detached: true })]];
}

/** A detached run has ended: its record; nothing restarts, nothing stops. */
export function onAdminExited(
  state: SupervisorState,
  instance: Instance,
  outcome: Outcome,
  at: number,
): Step {
  const name = instance.spec.name;
  const ended = update(state, name, {
    pid: undefined,
    lastExit: outcome,
    status:
      instance.status === 'stopping' && instance.afterStop !== undefined ? 'stopped' : 'exited',
    afterStop: undefined,
  });
  return [
    forgetOld(ended),
    [adminExited(instance, outcome, at), { type: 'cancel-timer', key: `stop:${name}` }],
  ];
}

/** The `run-exited` record of a detached run, however it ended. */
export function adminExited(instance: Instance, outcome: Outcome, at: number): Action {
  const admin = instance.admin as AdminRun;
  const pid = instance.pid ?? 0;
  const durationMs = instance.startedAt === undefined ? 0 : Math.max(0, at - instance.startedAt);
  return report({ ...reported('run-exited', admin, pid), outcome, durationMs, detached: true });
}

function forgetOld(state: SupervisorState): SupervisorState {
  const finished = state.instances.filter(
    (instance) => instance.admin !== undefined && instance.pid === undefined,
  );
  const old = new Set(finished.slice(0, Math.max(0, finished.length - KEPT_FINISHED)));
  return { ...state, instances: state.instances.filter((instance) => !old.has(instance)) };
}

export function reported<E extends 'run-started' | 'run-exited'>(
  event: E,
  run: AdminRun,
  pid: number,
) {
  return { event, ...adminFacts(run), pid, detached: false };
}

export function adminFacts({ name, argv, user, release, drift }: AdminRun): AdminFacts {
  return { process: name, argv, user, release, drift };
}
