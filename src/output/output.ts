import type { SystemEvent } from '../core/events.js';
import type { Outcome } from '../core/outcome.js';

/** Where supervised output goes: lines of a process, and the supervisor's own events. */
export type Output = Readonly<{
  forProcess: (name: string, type: string) => ProcessSink;
  event: (event: SystemEvent) => void;
}>;
export type ProcessSink = Readonly<{
  write: (lines: readonly Buffer[]) => void;
  /**
   * A partial line that stayed quiet (a prompt such as `(Pdb) `). True: the sink shows it and
   * the relay holds it, so the rest of the line joins it; false or absent: it is written as a
   * line at once (byte-exact logs need no more).
   */
  prompt?: (partial: Buffer) => boolean;
}>;

/**
 * One look of the output (text or JSON): it writes every line and every event it is given, at
 * the level `withLevel` decided. Text ignores the level; JSON writes it into the record.
 */
export type OutputFormat = Readonly<{
  forProcess: Output['forProcess'];
  event: (event: SystemEvent, level: Level) => void;
}>;

/** pino's numeric levels, which JSON records carry and `--log-level` compares. */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type Level = keyof typeof LEVELS;
export type LevelName = Level | 'silent';

/**
 * `--log-level` for both formats: an event reaches the format only at or above the threshold,
 * with its level. Lines of a process are never filtered: they are the app's logs.
 */
export function withLevel(format: OutputFormat, threshold: LevelName): Output {
  let isStopping = false;
  return {
    forProcess: format.forProcess,
    event(event) {
      if (event.event === 'stopping') isStopping = true;
      const level = levelOf(event, isStopping);
      // A notice answers what the user just typed in the terminal: it shows whatever the level.
      if (event.event === 'notice' || isLogged(level, threshold)) format.event(event, level);
    },
  };
}

/**
 * How serious an event is. A process ending by a signal while we stop everything is expected
 * (info); on its own it is a warning, and a failure is an error.
 */
export function levelOf(event: SystemEvent, isStopping: boolean): Level {
  switch (event.event) {
    case 'exited':
    case 'run-exited':
      return levelOfExit(event.outcome, isStopping);
    case 'release':
      return event.code === 0 ? 'info' : 'error';
    case 'could-not-start':
      return event.delayMs === undefined ? 'error' : 'warn';
    case 'killing':
    case 'restarting':
    case 'warning':
    case 'run-refused':
      return 'warn';
    case 'stuck':
    case 'not-ready':
    case 'gave-up':
      return 'error';
    case 'started':
    case 'stopping':
    case 'ready':
    case 'control':
    case 'forwarded':
    case 'notice':
    case 'release-identity':
    case 'run-started':
      return 'info';
  }
}

function levelOfExit(outcome: Outcome, isStopping: boolean): Level {
  if (outcome.kind === 'exited' && outcome.code === 0) return 'info';
  if (outcome.kind === 'signalled') return isStopping ? 'info' : 'warn';
  return 'error';
}

/** Whether a record of `level` passes the `--log-level` threshold. */
export function isLogged(level: Level, threshold: LevelName): boolean {
  return threshold !== 'silent' && LEVELS[level] >= LEVELS[threshold];
}
