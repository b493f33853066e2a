import t from 'tap';
import type { SystemEvent } from '../../src/core/events.js';
import { isLogged, levelOf, withLevel, type OutputFormat } from '../../src/output/output.js';
import type { Printer } from '../../src/output/printer.js';
import { createTextOutput } from '../../src/output/text.js';

const exit = (code: number): SystemEvent => ({
  event: 'exited',
  process: 'web.1',
  outcome: { kind: 'exited', code },
});
const killed: SystemEvent = {
  event: 'exited',
  process: 'web.1',
  outcome: { kind: 'signalled', signal: 'SIGTERM', signo: 15 },
};
const stopping: SystemEvent = {
  event: 'stopping',
  cause: { kind: 'signal', signal: 'SIGINT' },
  signal: 'SIGTERM',
};

t.test('levels: failures are errors, expected endings are info', async (t) => {
  t.equal(levelOf(exit(0), false), 'info');
  t.equal(levelOf(exit(3), false), 'error');
  t.equal(levelOf(exit(3), true), 'error', 'a failure is one while stopping too');
  t.equal(levelOf(killed, false), 'warn', 'killed by someone else');
  t.equal(levelOf(killed, true), 'info', 'killed by our stop');
  t.equal(levelOf({ event: 'release', code: 1 }, false), 'error');
  t.equal(levelOf({ event: 'release', code: 0 }, false), 'info');
  t.equal(levelOf({ event: 'warning', message: 'x' }, false), 'warn');
  t.equal(levelOf({ event: 'killing', count: 1, graceMs: 1, isEarly: true }, true), 'warn');
  t.equal(levelOf({ event: 'stuck', pids: [1] }, true), 'error');
  t.equal(levelOf({ event: 'started', process: 'web.1', pid: 1 }, false), 'info');
});

t.test('--log-level thresholds', async (t) => {
  t.ok(isLogged('info', 'info'));
  t.notOk(isLogged('info', 'warn'));
  t.ok(isLogged('error', 'warn'));
  t.notOk(isLogged('fatal', 'silent'));
  t.ok(isLogged('info', 'trace'));
});

/** A format that records what reaches it, with the level it was given. */
function recordingFormat(): { format: OutputFormat; seen: string[] } {
  const seen: string[] = [];
  const format: OutputFormat = {
    forProcess: (name) => ({ write: (lines) => seen.push(`${name}: ${lines.join('|')}`) }),
    event: (event, level) => seen.push(`${level} ${event.event}`),
  };
  return { format, seen };
}

t.test('withLevel: an ending by signal is expected once a stop began', async (t) => {
  const { format, seen } = recordingFormat();
  const output = withLevel(format, 'warn');
  output.event(killed);
  output.event({ event: 'started', process: 'web.1', pid: 1 });
  output.event(stopping);
  output.event(killed);
  output.event(exit(3));
  output.forProcess('web.1', 'web').write([Buffer.from('a line')]);
  t.same(seen, ['warn exited', 'error exited', 'web.1: a line'], 'lines are never filtered');
});

t.test('withLevel silent: no event at all, every line', async (t) => {
  const { format, seen } = recordingFormat();
  const output = withLevel(format, 'silent');
  output.event({ event: 'stuck', pids: [1] });
  output.forProcess('web.1', 'web').write([Buffer.from('x')]);
  t.same(seen, ['web.1: x']);
});

/** A Printer that keeps what it is given. */
function recordingPrinter(): { printer: Printer; text: () => string } {
  const chunks: string[] = [];
  const printer = { write: (data: Buffer | string) => chunks.push(String(data)) };
  return { printer: printer as unknown as Printer, text: () => chunks.join('') };
}

t.test('text output: one prefixed line each, events under "system"', async (t) => {
  const { printer, text } = recordingPrinter();
  const format = createTextOutput({
    printer,
    names: ['web.1', 'worker.1'],
    types: ['web', 'worker'],
    style: { isTimestamped: true, isColored: false },
    now: () => new Date(2026, 0, 1, 3, 4, 5),
  });
  const output = withLevel(format, 'info');
  output.forProcess('web.1', 'web').write([Buffer.from('one'), Buffer.from(''), Buffer.of(0xff)]);
  output.event({ event: 'started', process: 'worker.1', pid: 7 });
  t.equal(
    text(),
    '03:04:05 web.1    | one\n03:04:05 web.1    | \n03:04:05 web.1    | \ufffd\n' +
      '03:04:05 system   | worker.1 started with pid 7\n',
  );
});
