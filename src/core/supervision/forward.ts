import { ALIVE, report, type Step, type SupervisorState } from './state.js';

/**
 * Signals passed on to every process tree instead of stopping anything, as Ruby foreman does
 * (engine.rb: USR1/USR2): apps use them to reopen logs, dump state or reload. As PID 1 we are
 * the only way such a signal can reach them (`docker kill -s USR2`). SIGUSR1 is also Node's
 * inspector signal; listening for it under `start` gives that up, which a supervisor can.
 */
export const FORWARDED_SIGNALS = ['SIGUSR1', 'SIGUSR2'] as const;

export function isForwarded(signal: string): boolean {
  return (FORWARDED_SIGNALS as readonly string[]).includes(signal);
}

/**
 * The signal to each living instance's own process (the app: simple commands are exec'd), in
 * any phase but done; not to its whole tree. A master process (unicorn, puma, nginx) expects
 * to be the one signalled and passes it to its workers itself: signalling the group too would
 * deliver it twice, and kill helpers that have no handler (docs/signals.md).
 */
export function forwardSignal(state: SupervisorState, signal: string): Step {
  const targets = state.instances
    .filter((instance) => instance.pid !== undefined && ALIVE.has(instance.status))
    .map((instance) => instance.spec.name);
  if (targets.length === 0) return [state, []];
  return [
    state,
    [
      report({ event: 'forwarded', signal, targets }),
      ...targets.map((name) => ({ type: 'signal-process' as const, name, signal })),
    ],
  ];
}
