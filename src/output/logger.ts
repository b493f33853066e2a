import type { Facts, LevelName } from './json-record.js';
import type { Printer } from './printer.js';

/** The supervisor's own records (events, diagnostics), at a pino level number. */
export type Logger = Readonly<{ log: (level: number, facts: Facts, msg: string) => void }>;

const LABELS = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
} as const;

/**
 * pino for the supervisor's own records, loaded only in JSON mode (it stays off `run`'s path).
 * It writes into our Printer, never to its own sonic-boom on fd 1: that would bypass our
 * backpressure and reorder its records against the child lines (runtime.md §2.8, E15).
 * `base: null` drops pino's pid/hostname, so `pid` always means a child's pid.
 */
export async function createLogger({
  printer,
  level,
  now,
}: {
  printer: Printer;
  level: LevelName;
  now: () => Date;
}): Promise<Logger> {
  const { pino } = await import('pino');
  const logger = pino(
    { level, base: null, timestamp: () => `,"time":${now().getTime()}` },
    { write: (record: string) => printer.write(record) },
  );
  return {
    log(level, facts, msg) {
      const label = LABELS[level as keyof typeof LABELS] ?? 'info';
      logger[label](facts, msg);
    },
  };
}
