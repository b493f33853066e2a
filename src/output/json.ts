import { describeEvent } from '../core/events.js';
import { formatLinePrefix, formatLineRecords } from './json-lines.js';
import { factsOf, levelOf } from './json-record.js';
import type { Logger } from './logger.js';
import type { Printer } from './printer.js';
import type { Output } from './text.js';

/**
 * `--log-format json`: one JSON record per line on stdout (docs/logging.md). Child lines go
 * through our own JSON-lines writer: each chunk becomes one string and one Printer write, as
 * in text mode, so backpressure and per-process order are the same (pino measured 8-15x
 * slower for this: deps.md §4). The supervisor's events go through pino (`logger`), which
 * writes into the same Printer, so records never reorder against the lines around them.
 */
export function createJsonOutput({
  printer,
  logger,
  now,
}: {
  printer: Printer;
  logger: Logger;
  now: () => Date;
}): Output {
  let isStopping = false;
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
    event(event) {
      if (event.event === 'stopping') isStopping = true;
      logger.log(levelOf(event, isStopping), factsOf(event), describeEvent(event));
    },
  };
}
