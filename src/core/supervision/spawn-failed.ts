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
  const { errno } = failure;
  const refused = report({ event: 'could-not-start', process: name, errno });
  if (instance.status === 'stopping') return onStopped(state, instance, refused);
  const failedSpawns = [
    ...instance.failedSpawns.filter((time) => at - time < CRASH_LOOP.windowMs),
    at,
  ];
  if (isShortage(failure) && failedSpawns.length <= CRASH_LOOP.restarts) {
    const delayMs = backoffMs(failedSpawns.length);
    return [
      update(state, name, { status: 'backoff', failedSpawns }),
      [
        report({ event: 'could-not-start', process: name, errno, delayMs }),
        armTimer('backoff', name, delayMs),
      ],
    ];
  }
  const given = isShortage(failure)
    ? report({
        event: 'could-not-start',
        process: name,
        errno,
        failures: failedSpawns.length,
        windowMs: CRASH_LOOP.windowMs,
      })
    : refused;
  const ended = update(state, name, { status: 'exited', failedSpawns });
  const [stopping, actions] = beginStop(
    ended,
    { kind: 'spawn-failed', process: name },
    EXIT.osError,
  );
  return [stopping, [given, ...actions]];
}
