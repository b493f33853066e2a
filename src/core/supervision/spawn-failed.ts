import { EXIT } from '../../errors.js';
import { backoffMs, CRASH_LOOP } from '../policy.js';
import { isShortage, type SpawnFailure } from '../spawn-failure.js';
import { onStopped } from './instances.js';
import { beginStop } from './stop.js';
import { armTimer } from './timers.js';
import { instanceOf, report, update, type Step, type SupervisorState } from './state.js';

/**
 * The system refused to start an instance (docs/start.md). Not the program's failure: it
 * counts toward no restart policy. A shortage (EMFILE, EAGAIN...) passes as processes end, so
 * it is tried again with the restart backoff; one that lasts through the crash-loop window, or
 * anything else (E2BIG), means we cannot run the formation: everything stops, exit 71.
 */
export function onSpawnFailed(
  state: SupervisorState,
  name: string,
  failure: SpawnFailure,
  at: number,
): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (instance.status === 'stopping') {
    return onStopped(
      state,
      instance,
      report({ event: 'could-not-start', process: name, ...failure }),
    );
  }
  const recent = instance.failedSpawns.filter((time) => at - time < CRASH_LOOP.windowMs);
  const failedSpawns = [...recent, at];
  if (isShortage(failure) && failedSpawns.length <= CRASH_LOOP.restarts)
    return tryAgain(update(state, name, { failedSpawns }), name, failure);
  return cannotStart(update(state, name, { failedSpawns }), name, failure);
}

function tryAgain(state: SupervisorState, name: string, failure: SpawnFailure): Step {
  const delayMs = backoffMs(instanceOf(state, name)?.failedSpawns.length ?? 1);
  return [
    update(state, name, { status: 'backoff' }),
    [
      report({ event: 'could-not-start', process: name, ...failure, delayMs }),
      armTimer('backoff', name, delayMs),
    ],
  ];
}

function cannotStart(state: SupervisorState, name: string, failure: SpawnFailure): Step {
  const failures = instanceOf(state, name)?.failedSpawns.length ?? 1;
  const { windowMs } = CRASH_LOOP;
  const said = isShortage(failure)
    ? report({ event: 'could-not-start', process: name, ...failure, failures, windowMs })
    : report({ event: 'could-not-start', process: name, ...failure });
  const ended = update(state, name, { status: 'exited' });
  const [stopping, actions] = beginStop(
    ended,
    { kind: 'spawn-failed', process: name },
    EXIT.osError,
  );
  return [stopping, [said, ...actions]];
}
