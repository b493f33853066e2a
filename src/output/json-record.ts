import type { StopCause, SystemEvent } from '../core/events.js';
import { exitCodeOf, type Outcome } from '../core/outcome.js';
import { describeProbe, type ReadyProbe } from '../core/policy.js';

/**
 * The supervisor's events as JSON records in pino's shape (docs/logging.md): their facts
 * (`event`, `process`, `type`, `pid`, `code`, `signal`...) and their level. Pure.
 */

/** pino's numeric levels. */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS | 'silent';

/** `web.1` -> `web`: instance names are always `type.n` (core/formation.ts). */
export function typeOfProcess(name: string): string {
  return name.replace(/\.\d+$/, '');
}

export type Facts = Record<string, string | number | boolean | readonly (string | number)[]>;

/**
 * The fields of an event record besides level, time and msg: the event's own fields, with
 * its outcome, cause and probe flattened into plain facts (`code`, `signal`, `cause`, ...).
 */
export function factsOf(event: SystemEvent): Facts {
  const facts: Facts = {};
  for (const [key, value] of Object.entries(event) as [string, unknown][]) {
    if (key === 'outcome') Object.assign(facts, outcomeFacts(value as Outcome));
    else if (key === 'cause') Object.assign(facts, causeFacts(value as StopCause));
    else if (key === 'probe') facts.probe = describeProbe(value as ReadyProbe);
    else if (key === 'message')
      continue; // it is the record's msg
    else if (isFact(value)) facts[key] = value;
    if (key === 'process' && typeof value === 'string') facts.type = typeOfProcess(value);
  }
  return facts;
}

function isFact(value: unknown): value is Facts[string] {
  return ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value);
}

function outcomeFacts(outcome: Outcome): Facts {
  switch (outcome.kind) {
    case 'exited':
      return { code: outcome.code };
    case 'signalled':
      return { signal: outcome.signal };
    case 'failed-to-start':
      return { code: exitCodeOf(outcome), reason: outcome.reason };
  }
}

function causeFacts(cause: StopCause): Facts {
  const { kind, ...rest } = cause;
  const facts: Facts = { cause: kind };
  // `signal` names what we send; the signal that made us stop is what we `received`.
  for (const [key, value] of Object.entries(rest) as [string, string][]) {
    facts[key === 'signal' ? 'received' : key] = value;
    if (key === 'process') facts.type = typeOfProcess(value);
  }
  return facts;
}

/**
 * How serious an event is, in pino's levels. A process ending by a signal while we stop
 * everything is expected (info); on its own it is a warning, and a failure is an error.
 */
export function levelOf(event: SystemEvent, isStopping: boolean): number {
  switch (event.event) {
    case 'exited':
      return levelOfExit(event.outcome, isStopping);
    case 'release':
      return event.code === 0 ? LEVELS.info : LEVELS.error;
    case 'killing':
    case 'restarting':
    case 'warning':
      return LEVELS.warn;
    case 'stuck':
    case 'not-ready':
    case 'gave-up':
      return LEVELS.error;
    default:
      return LEVELS.info;
  }
}

function levelOfExit(outcome: Outcome, isStopping: boolean): number {
  if (outcome.kind === 'exited' && outcome.code === 0) return LEVELS.info;
  if (outcome.kind === 'signalled') return isStopping ? LEVELS.info : LEVELS.warn;
  return LEVELS.error;
}

/** Whether a record of `level` passes the `--log-level` threshold. */
export function isLogged(level: number, threshold: LevelName): boolean {
  return threshold !== 'silent' && level >= LEVELS[threshold];
}
