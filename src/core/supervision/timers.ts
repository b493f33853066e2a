import type { Action, InstanceTimer, TimerKey } from './state.js';

/**
 * The reducer's timers: the stop's grace period, and one per purpose and instance. A key names
 * exactly one timer, so arming it again replaces it and a cancel cannot hit another.
 */
const FIRES = {
  ready: 'ready-timeout',
  backoff: 'backoff-over',
  stop: 'instance-grace-expired',
} as const;

function keyOf(kind: InstanceTimer, name: string): TimerKey {
  return `${kind}:${name}`;
}

export function armTimer(kind: InstanceTimer, name: string, ms: number): Action {
  return { type: 'arm-timer', key: keyOf(kind, name), ms, event: { type: FIRES[kind], name } };
}

export function cancelTimer(kind: InstanceTimer, name: string): Action {
  return { type: 'cancel-timer', key: keyOf(kind, name) };
}

export function armGrace(ms: number): Action {
  return { type: 'arm-timer', key: 'grace', ms, event: { type: 'grace-expired' } };
}
