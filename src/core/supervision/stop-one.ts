import { policyOf } from '../policy.js';
import { startFresh } from './instances.js';
import { armTimer, cancelTimer } from './timers.js';
import {
  ALIVE,
  instanceOf,
  removeInstance,
  update,
  type Step,
  type SupervisorState,
} from './state.js';

/**
 * Stopping or restarting one instance on request (`stop`, `restart`, a `scale` down): its
 * stop signal, then SIGKILL after the grace period; what follows is its `afterStop`.
 */
export function stopInstance(
  state: SupervisorState,
  name: string,
  afterStop: 'stay-stopped' | 'remove',
): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (instance.status === 'stopping') return [update(state, name, { afterStop }), []];
  if (!ALIVE.has(instance.status)) {
    const cancel = [cancelTimer('backoff', name)];
    if (afterStop === 'remove') return [removeInstance(state, name), cancel];
    return [update(state, name, { status: 'stopped' }), cancel];
  }
  const signal = policyOf(state.policies, instance.spec.type).stopSignal;
  return [
    update(state, name, { status: 'stopping', afterStop }),
    [
      cancelTimer('ready', name),
      { type: 'signal-instance', name, signal },
      armTimer('stop', name, state.graceMs),
    ],
  ];
}

export function restartInstance(state: SupervisorState, name: string): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (ALIVE.has(instance.status)) {
    const [stopping, actions] = stopInstance(state, name, 'stay-stopped');
    return [update(stopping, name, { afterStop: 'restart' }), actions];
  }
  const [started, spawn] = startFresh(state, instance);
  return [started, [cancelTimer('backoff', name), ...spawn]];
}
