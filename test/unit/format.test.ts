import t from 'tap';
import { describeEvent, describeOutputFailure } from '../../src/core/events.js';
import { formatPrefix, formatTime, prefixOf, widthOf } from '../../src/output/format.js';
import { colorOf, isColorWanted } from '../../src/output/palette.js';

t.test('prefixes pad to the longest name, never narrower than "system"', async (t) => {
  t.equal(widthOf(['web.1']), 6);
  t.equal(widthOf(['web.1', 'worker.10']), 9);
  const style = { width: 8, isTimestamped: true, isColored: false };
  t.equal(formatPrefix(prefixOf('web.1', colorOf(0), style), '01:02:03'), '01:02:03 web.1    | ');
  t.equal(formatPrefix(prefixOf('web.1', colorOf(0), style), undefined), 'web.1    | ');
});

t.test('colour covers the whole prefix and resets before the text', async (t) => {
  const style = { width: 6, isTimestamped: true, isColored: true };
  t.equal(
    formatPrefix(prefixOf('web.1', colorOf(1), style), '01:02:03'),
    '\u001b[33m01:02:03 web.1  |\u001b[0m ',
  );
});

t.test('a colour per type slot, cycling through the palette', async (t) => {
  t.not(colorOf(0), colorOf(1));
  t.equal(colorOf(0), colorOf(12));
});

t.test('HH:MM:SS in local time', async (t) => {
  t.equal(formatTime(new Date(2026, 0, 1, 3, 4, 5)), '03:04:05');
});

t.test('colour policy: flag, NO_COLOR, FORCE_COLOR, then a TTY that is not dumb', async (t) => {
  t.equal(isColorWanted({ flag: true, env: { NO_COLOR: '1' }, isTty: false }), true);
  t.equal(isColorWanted({ flag: false, env: {}, isTty: true }), false);
  t.equal(isColorWanted({ flag: undefined, env: { NO_COLOR: '1' }, isTty: true }), false);
  t.equal(isColorWanted({ flag: undefined, env: { NO_COLOR: '' }, isTty: true }), true);
  t.equal(isColorWanted({ flag: undefined, env: { FORCE_COLOR: '0' }, isTty: true }), false);
  t.equal(isColorWanted({ flag: undefined, env: { FORCE_COLOR: '1' }, isTty: false }), true);
  t.equal(isColorWanted({ flag: undefined, env: { TERM: 'dumb' }, isTty: true }), false);
  t.equal(isColorWanted({ flag: undefined, env: {}, isTty: true }), true);
  t.equal(isColorWanted({ flag: undefined, env: {}, isTty: false }), false);
});

t.test('system events in words', async (t) => {
  t.equal(
    describeEvent({ event: 'started', process: 'web.1', pid: 12, port: 5000 }),
    'web.1 started with pid 12 (PORT=5000)',
  );
  t.equal(
    describeEvent({ event: 'exited', process: 'web.1', outcome: { kind: 'exited', code: 3 } }),
    'web.1 exited with code 3',
  );
  t.equal(
    describeEvent({ event: 'exited', process: 'web.1', outcome: { kind: 'exited', code: 127 } }),
    'web.1 exited with code 127 (command not found)',
  );
  t.equal(
    describeEvent({
      event: 'exited',
      process: 'a.1',
      outcome: { kind: 'signalled', signal: 'SIGTERM', signo: 15 },
    }),
    'a.1 terminated by SIGTERM',
  );
  t.equal(
    describeEvent({
      event: 'stopping',
      cause: { kind: 'signal', signal: 'SIGINT' },
      signal: 'SIGTERM',
    }),
    'SIGINT received: sending SIGTERM to all processes',
  );
  t.equal(
    describeEvent({
      event: 'stopping',
      cause: { kind: 'exit', process: 'web.1' },
      signal: 'SIGTERM',
    }),
    'web.1 ended: sending SIGTERM to all processes',
  );
  t.equal(
    describeEvent({ event: 'killing', count: 1, graceMs: 1500, isEarly: false }),
    'still running after 1.5s: sending SIGKILL to 1 process',
  );
  t.equal(
    describeEvent({ event: 'killing', count: 2, graceMs: 1500, isEarly: true }),
    'second signal: sending SIGKILL to 2 processes',
  );
  t.match(describeEvent({ event: 'stuck', pids: [1, 2] }), /processes 1, 2 survived SIGKILL/);
  t.equal(
    describeEvent({
      event: 'stopping',
      cause: { kind: 'output-lost', error: 'EPIPE' },
      signal: 'SIGTERM',
    }),
    'output closed: sending SIGTERM to all processes',
  );
  t.equal(
    describeEvent({
      event: 'stopping',
      cause: { kind: 'output-lost', error: 'ENOSPC' },
      signal: 'SIGTERM',
    }),
    'output failed (ENOSPC): sending SIGTERM to all processes',
  );
  t.equal(describeEvent({ event: 'warning', message: 'w' }), 'w');
});

t.test('a failed stdout is worded with its error and what became of the processes', async (t) => {
  t.equal(
    describeOutputFailure('ENOSPC'),
    'could not write to stdout (ENOSPC: no space left on device): stopped every process; ' +
      'the output from then on is lost',
  );
  t.match(describeOutputFailure('EWHATEVER'), /^could not write to stdout \(EWHATEVER\): /);
});
