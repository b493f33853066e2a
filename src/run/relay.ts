import { spawn, type ChildProcess } from 'node:child_process';
import { escapeText } from '../core/escape-text.js';
import { outcomeOf, type Outcome } from '../core/outcome.js';
import { EXIT, ForemanError } from '../errors.js';
import type { Signal, SignalSource } from '../signals.js';

export type RelayRequest = Readonly<{
  file: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  signals: SignalSource;
  /** Told the child's pid once it runs (to announce it beside a running start). */
  onSpawn?: (pid: number) => void;
}>;

/**
 * Signals a terminal sends to its whole foreground group: the child already has them. As PID 1
 * (a container) there is no terminal: a SIGINT (`STOPSIGNAL SIGINT`) was meant for the child.
 */
const FROM_TERMINAL: ReadonlySet<Signal> = new Set(['SIGINT', 'SIGQUIT']);

/**
 * The admin process: it inherits our stdin, stdout and stderr and stays in our process group,
 * so it owns the terminal (a REPL gets echo, line editing and Ctrl-C itself). We ignore
 * SIGINT/SIGQUIT while it runs (except as PID 1) and forward SIGTERM, SIGHUP, SIGUSR1 and
 * SIGUSR2, so a `kill` or `docker stop` of us reaches it, never orphaned (docs/signals.md).
 */
export function relay({ file, args, cwd, env, signals, onSpawn }: RelayRequest): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = attemptSpawn(() => spawn(file, args, { cwd, env, stdio: 'inherit' }), file);
    if (child instanceof ForemanError) return reject(child);
    if (onSpawn !== undefined) child.once('spawn', () => onSpawn(child.pid ?? 0));
    const isPid1 = process.pid === 1;
    const unsubscribe = signals.subscribe((signal) => {
      if (FROM_TERMINAL.has(signal) && !isPid1) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      unsubscribe();
      const reason = error.code === 'EACCES' ? 'not-executable' : 'not-found';
      resolve({ kind: 'failed-to-start', reason });
    });
    child.once('exit', (code, signal) => {
      unsubscribe();
      // node:os costs ~2.5% of a start-up: load it only to number a signal death.
      if (signal === null) resolve(outcomeOf(code, signal, {}));
      else
        void import('node:os').then(({ constants }) =>
          resolve(outcomeOf(code, signal, constants.signals)),
        );
    });
  });
}

/**
 * Node throws some spawn failures at once instead of emitting 'error': E2BIG above all, when
 * argv and the environment together pass the kernel's limit (docs/env.md#limits).
 */
function attemptSpawn(start: () => ChildProcess, file: string): ChildProcess | ForemanError {
  try {
    return start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'E2BIG') throw error;
    return new ForemanError(
      `cannot start ${escapeText(file)}: its arguments and environment are too big for exec (E2BIG)`,
      {
        exitCode: EXIT.notExecutable,
        hint: 'pass large data through a file or stdin (docs/env.md#limits)',
        cause: error,
      },
    );
  }
}

/** Die the way the child died, so a calling shell script stops too on Ctrl-C (Cracauer). */
const RERAISE: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL', 'SIGPIPE']);

export function reraise(outcome: Outcome): void {
  if (outcome.kind !== 'signalled' || !RERAISE.has(outcome.signal)) return;
  process.removeAllListeners(outcome.signal);
  process.kill(process.pid, outcome.signal);
}
