import { describeEvent, type StopCause, type SystemEvent } from '../core/events.js';
import { exitCodeOf, type Outcome } from '../core/outcome.js';
import { describeProbe, type ReadyProbe } from '../core/policy.js';
import { formatLinePrefix, formatLineRecords } from './json-lines.js';
import type { OutputFormat } from './output.js';
import type { Printer } from './printer.js';

/**
 * `--log-format json`: one JSON record per line on stdout (docs/logging.md). Child lines go
 * through our own JSON-lines encoder: each chunk becomes one buffer and one Printer write, as
 * in text mode, so backpressure and per-process order are the same. The supervisor's events
 * go through pino, loaded only here (it stays off `run`'s path). pino writes into the same
 * Printer, never to its own sonic-boom on fd 1: that would bypass our backpressure and
 * reorder its records against the lines around them (docs/architecture.md, "Output path").
 */
export async function createJsonOutput({
  printer,
  now,
}: {
  printer: Printer;
  now: () => Date;
}): Promise<OutputFormat> {
  const { pino } = await import('pino');
  // `base: null` drops pino's pid/hostname, so `pid` always means a child's pid. Level trace:
  // `withLevel` (output.ts) already filtered, for both formats alike.
  const logger = pino(
    { level: 'trace', base: null, timestamp: () => `,"time":${now().getTime()}` },
    { write: (record: string) => printer.write(record) },
  );
  return {
    forProcess(name, type) {
      const quotedName = JSON.stringify(name);
      const quotedType = JSON.stringify(type);
      return {
        write(lines) {
          const prefix = formatLinePrefix(now().getTime(), quotedName, quotedType);
          printer.write(formatLineRecords(prefix, lines));
        },
      };
    },
    event(event, level) {
      logger[level](factsOf(event), describeEvent(event));
    },
  };
}

/** `web.1` -> `web`: instance names are always `type.n` (core/formation.ts). */
export function typeOfProcess(name: string): string {
  return name.replace(/\.\d+$/, '');
}

type Facts = Record<string, string | number | boolean | readonly (string | number)[]>;

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
  for (const [key, value] of Object.entries<string>(rest)) {
    facts[key === 'signal' ? 'received' : key] = value;
    if (key === 'process') facts.type = typeOfProcess(value);
  }
  return facts;
}
