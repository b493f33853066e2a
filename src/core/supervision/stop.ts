import type { StopCause } from '../events.js';
import { policyOf } from '../policy.js';
import {
  ALIVE,
  instanceOf,
  report,
  statusOf,
  update,
  type Action,
  type Step,
  type SupervisorEvent,
  type SupervisorState,
} from './state.js';

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
    { type: 'arm-timer', key: 'grace', ms: state.graceMs, event: { type: 'grace-expired' } },
    { type: 'watch-tree' },
  ];
  // The last process ending on its own leaves nothing to announce, only leftovers to sweep.
  if (!(cause.kind === 'exit' && signals.size === 0))
    actions.unshift(report({ event: 'stopping', cause, signal: 'SIGTERM' }));
  return [stopping, actions];
}

export function nextWhileStopping(state: SupervisorState, event: SupervisorEvent): Step {
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
    case 'spawned': {
      // Spawned just as the stop began: it gets its stop signal like everything else.
      const instance = instanceOf(state, event.name);
      const signal = policyOf(state.policies, instance?.spec.type ?? '').stopSignal;
      const running = update(state, event.name, { pid: event.pid, status: 'running' });
      return [running, [{ type: 'signal-instance', name: event.name, signal }]];
    }
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
    case 'boot':
    case 'ready':
    case 'ready-timeout':
    case 'backoff-over':
    case 'instance-grace-expired':
    case 'output-lost':
      return [state, []]; // the stop decides what happens next
  }
}

export function maybeFinish(state: SupervisorState, actions: readonly Action[]): Step {
  const isAlive = state.instances.some((instance) => instance.pid !== undefined);
  if (isAlive || !state.isTreeEmpty) return [state, actions];
  const code = state.exitCode ?? (state.isForced ? 1 : 0);
  const cause = state.cause ?? { kind: 'quit' };
  return [{ ...state, phase: 'done' }, [...actions, { type: 'finish', code, cause }]];
}
