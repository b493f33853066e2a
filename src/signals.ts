/**
 * Signal intake, installed on the first line of bin.ts before anything heavy is evaluated: as
 * PID 1 a signal with no handler is simply dropped, and a `docker stop` that lands while we
 * load would be lost. Until a command subscribes, stop signals queue and the subscriber gets
 * them first; SIGUSR1/SIGUSR2 with nobody to pass them to are dropped (they must not end us).
 * This module is a leaf: it imports nothing.
 */
export type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2';
export type SignalHandler = (signal: Signal) => void;
export type SignalSource = Readonly<{
  /** Receive every signal (queued ones first) until the returned function is called. */
  subscribe: (handler: SignalHandler) => () => void;
  /** A stop signal nobody handled, so main can still exit 128+n. */
  unhandled: () => Signal | undefined;
}>;

const STOP_SIGNALS: ReadonlySet<Signal> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);
const ALL_SIGNALS: readonly Signal[] = [...STOP_SIGNALS, 'SIGUSR1', 'SIGUSR2'];
const pending: Signal[] = [];
let current: SignalHandler | undefined;

function deliver(signal: Signal): void {
  if (current !== undefined) current(signal);
  else if (STOP_SIGNALS.has(signal)) pending.push(signal);
}

export function installSignalHandlers(): SignalSource {
  for (const signal of ALL_SIGNALS) process.on(signal, () => deliver(signal));
  return { subscribe, unhandled: () => pending[0] };
}

function subscribe(handler: SignalHandler): () => void {
  current = handler;
  for (const signal of pending.splice(0)) handler(signal);
  return () => {
    if (current === handler) current = undefined;
  };
}
