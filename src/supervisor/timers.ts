import type { TimerKey } from '../core/supervision/state.js';

export type Timers = Readonly<{
  /** Arm (or re-arm: one timer per key) a timer that calls `fire` once after `ms`. */
  arm: (key: TimerKey, ms: number, fire: () => void) => void;
  cancel: (key: TimerKey) => void;
  clear: () => void;
}>;

/** The reducer's timers, by key. */
export function createTimers(): Timers {
  const timers = new Map<TimerKey, NodeJS.Timeout>();
  const cancel = (key: TimerKey): void => {
    clearTimeout(timers.get(key));
    timers.delete(key);
  };
  return {
    arm: (key, ms, fire) => {
      cancel(key);
      timers.set(
        key,
        setTimeout(() => (timers.delete(key), fire()), ms),
      );
    },
    cancel,
    clear: () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
