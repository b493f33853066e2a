import { isOutputClosed } from '../events.js';
import { isAdminCommand, onAdminCommand } from './admin.js';
import { onControl } from './control.js';
import { forwardSignal, isForwarded } from './forward.js';
import {
  onBackoffOver,
  onExited,
  onReady,
  onReadyTimeout,
  onSpawned,
  startWaiting,
} from './instances.js';
import { onSpawnFailed } from './spawn-failed.js';
import { beginStop, nextWhileStopping } from './stop.js';
import { instanceOf, type Step, type SupervisorEvent, type SupervisorState } from './state.js';

/** SIGPIPE's status: a closed stdout ends us as it ends any pipeline member. */
const OUTPUT_CLOSED_CODE = 128 + 13;
/** EX_IOERR (sysexits.h): stdout failed otherwise (a full disk), output was lost. */
const OUTPUT_FAILED_CODE = 74;

/**
 * The supervisor's policy: (state, event) -> (state, actions). Pure; the shell
 * (supervisor/supervisor.ts) dispatches events and performs the actions.
 */
export function next(state: SupervisorState, event: SupervisorEvent): Step {
  if (state.phase === 'done') return [state, []];
  if (event.type === 'signal' && isForwarded(event.signal))
    return forwardSignal(state, event.signal);
  if (state.phase !== 'running') {
    // A `run` still reports itself while we stop: the audit trail goes on to the end.
    const isReport =
      event.type === 'control' &&
      isAdminCommand(event.command) &&
      event.command.cmd !== 'run-detach';
    if (isReport) return onAdminCommand(state, event.id, event.command);
    return nextWhileStopping(state, event);
  }
  switch (event.type) {
    case 'boot':
      return startWaiting(state, []);
    case 'spawned':
      return onSpawned(state, event.name, event.pid, event.at);
    case 'spawn-failed':
      return onSpawnFailed(state, event.name, event.failure, event.at);
    case 'ready':
      return onReady(state, event.name);
    case 'ready-timeout':
      return onReadyTimeout(state, event.name);
    case 'exited':
      return onExited(state, event);
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
    case 'output-lost': {
      const code = isOutputClosed(event.error) ? OUTPUT_CLOSED_CODE : OUTPUT_FAILED_CODE;
      return beginStop(state, { kind: 'output-lost', error: event.error }, code);
    }
    case 'grace-expired':
    case 'killed':
    case 'tree-empty':
    case 'stuck':
      return [state, []];
  }
}
