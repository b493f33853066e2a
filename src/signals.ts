/**
 * Signal intake, installed on the first line of bin.ts before anything heavy is imported: as
 * PID 1 a signal with no handler is simply dropped, and a `docker stop` that lands while we
 * load would be lost. Until a command subscribes, signals queue; the subscriber gets them all.
 * This module is a leaf: it imports nothing.
 */
export type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2';
export type SignalHandler = (signal: Signal) => void;
export type SignalSource = Readonly<{
  /** Receive every signal (queued ones first) until the returned function is called. */
  subscribe: (handler: SignalHandler, extra?: readonly Signal[]) => () => void;
  /** A signal nobody handled, so main can still exit 128+n. */
  unhandled: () => Signal | undefined;
}>;

const STOP_SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const pending: Signal[] = [];
let current: SignalHandler | undefined;

function deliver(signal: Signal): void {
  if (current === undefined) pending.push(signal);
  else current(signal);
}

const listeners = new Map<Signal, () => void>();

function listen(signal: Signal): void {
  if (listeners.has(signal)) return;
  const listener = (): void => deliver(signal);
  listeners.set(signal, listener);
  process.on(signal, listener);
}

export function installSignalHandlers(): SignalSource {
  for (const signal of STOP_SIGNALS) listen(signal);
  return { subscribe, unhandled: () => pending[0] };
}

function subscribe(handler: SignalHandler, extra: readonly Signal[] = []): () => void {
  for (const signal of extra) listen(signal);
  current = handler;
  for (const signal of pending.splice(0)) handler(signal);
  return () => {
    if (current === handler) current = undefined;
  };
}
