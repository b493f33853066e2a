import type { StopCause } from '../events.js';
import { policyOf } from '../policy.js';
import {
  ALIVE,
  instanceOf,
  report,
  reportExit,
  statusOf,
  update,
  type Action,
  type Step,
  type SupervisorEvent,
  type SupervisorState,
} from './state.js';
import { armGrace } from './timers.js';
import { adminExited } from './admin-instances.js';

/** Stopping everything: one stop signal per tree, the grace period, SIGKILL, and the end. */
export function beginStop(
  state: SupervisorState,
  cause: StopCause,
  exitCode: number | undefined,
): Step {
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
    armGrace(state.graceMs),
    { type: 'watch-tree' },
  ];
  // The last process ending (or failing to start) leaves nothing to announce, only leftovers.
  const isOwnEnd = cause.kind === 'exit' || cause.kind === 'spawn-failed';
  if (!(isOwnEnd && signals.size === 0))
    actions.unshift(report({ event: 'stopping', cause, signal: 'SIGTERM' }));
  return [stopping, actions];
}

export function nextWhileStopping(state: SupervisorState, event: SupervisorEvent): Step {
  switch (event.type) {
    case 'exited': {
      const { name, outcome } = event;
      const instance = instanceOf(state, name);
      const ended = update(state, name, { pid: undefined, status: 'exited', lastExit: outcome });
      const record =
        instance?.admin === undefined
          ? reportExit(event)
          : adminExited(instance, outcome, event.at);
      return maybeFinish(ended, [record]);
    }
    case 'spawned':
      return onLateSpawn(state, event.name, event.pid);
    case 'spawn-failed': {
      const { name, failure } = event;
      const refused = report({ event: 'could-not-start', process: name, errno: failure.errno });
      return maybeFinish(update(state, name, { status: 'exited' }), [refused]);
    }
    case 'signal':
      return killNow(state, true);
    case 'grace-expired':
      return killNow(state, false);
    case 'killed':
      return onKilled(state, event.count, event.isEarly);
    case 'tree-empty':
      return maybeFinish({ ...state, isTreeEmpty: true }, []);
    case 'stuck':
      return giveUp(state, event.pids);
    case 'control': {
      const result =
        event.command.cmd === 'status'
          ? statusOf(state, event.at)
          : { error: 'stopping: no more changes' };
      return [state, [{ type: 'reply', id: event.id, result }]];
    }
    case 'boot':
    case 'ready':
    case 'ready-timeout':
    case 'backoff-over':
    case 'instance-grace-expired':
    case 'output-lost':
      return [state, []]; // the stop decides what happens next
  }
}

/** Spawned just as the stop began: it gets its stop signal like everything else. */
function onLateSpawn(state: SupervisorState, name: string, pid: number): Step {
  const signal = policyOf(state.policies, instanceOf(state, name)?.spec.type ?? '').stopSignal;
  const running = update(state, name, { pid, status: 'running' });
  return [running, [{ type: 'signal-instance', name, signal }]];
}

/** A second signal or the end of the grace period: SIGKILL, once. */
function killNow(state: SupervisorState, isEarly: boolean): Step {
  if (state.phase !== 'stopping') return [state, []];
  return [{ ...state, phase: 'killing' }, [{ type: 'kill-trees', isEarly }]];
}

function onKilled(state: SupervisorState, count: number, isEarly: boolean): Step {
  if (count === 0) return [state, []];
  const killing = report({ event: 'killing', count, graceMs: state.graceMs, isEarly });
  return [{ ...state, isForced: true }, [killing]];
}

/**
 * Processes that outlived SIGKILL: say so, and end without them. An instance whose end has not
 * come by now is among them (it, or the rest of its group): its end may never come.
 */
function giveUp(state: SupervisorState, pids: readonly number[]): Step {
  const instances = state.instances.map((instance) =>
    instance.pid === undefined
      ? instance
      : { ...instance, pid: undefined, status: 'exited' as const },
  );
  const reported = report({ event: 'stuck', pids });
  return maybeFinish({ ...state, instances, isTreeEmpty: true }, [reported]);
}

export function maybeFinish(state: SupervisorState, actions: readonly Action[]): Step {
  const isAlive = state.instances.some((instance) => instance.pid !== undefined);
  if (isAlive || !state.isTreeEmpty) return [state, actions];
  const code = state.exitCode ?? (state.isForced ? 1 : 0);
  const cause = state.cause ?? { kind: 'quit' };
  const { gatedFormation, runs } = state;
  return [
    { ...state, phase: 'done' },
    [...actions, { type: 'finish', code, cause, gatedFormation, runs }],
  ];
}
