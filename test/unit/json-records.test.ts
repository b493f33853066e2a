import fc from 'fast-check';
import t from 'tap';
import { formatLinePrefix, formatLineRecords } from '../../src/output/json-lines.js';
import { createJsonOutput, factsOf, typeOfProcess } from '../../src/output/json.js';
import { withLevel } from '../../src/output/output.js';
import type { Printer } from '../../src/output/printer.js';
import { bytesOfMsg, decodeEscaped, formatEachLine } from '../helpers/json-msg.js';

const PREFIX = formatLinePrefix(0, '"a.1"', '"a"');
/** The `msg` the encoder writes for one line, as JSON text. */
const encode = (line: Buffer): string =>
  formatLineRecords(PREFIX, [line]).subarray(PREFIX.length, -2).toString('utf8');
const msgOf = (bytes: number[] | string): string =>
  encode(typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes));

t.test('msg: text as JSON, control characters escaped', async (t) => {
  t.equal(msgOf('hello world'), '"hello world"');
  t.equal(msgOf('say "hi" \\ there'), '"say \\"hi\\" \\\\ there"');
  t.equal(msgOf('a\tb\rc\u0000d\u001b[31me'), '"a\\tb\\rc\\u0000d\\u001b[31me"');
  t.equal(msgOf('del\u007f c1\u0085 nbsp\u00a0'), '"del\\u007f c1\\u0085 nbsp\u00a0"');
  t.equal(msgOf('héllo ✓ 😀'), '"héllo ✓ 😀"', 'valid UTF-8 stays as it is');
});

t.test('msg: each byte of invalid UTF-8 becomes \\udcXX (surrogateescape)', async (t) => {
  t.equal(msgOf([0x41, 0xff, 0xfe, 0x42]), '"A\\udcff\\udcfeB"');
  t.equal(msgOf([0xe2, 0x82]), '"\\udce2\\udc82"', 'a truncated sequence, byte by byte');
  t.equal(msgOf([0xc0, 0xaf]), '"\\udcc0\\udcaf"', 'an overlong encoding is invalid');
  t.equal(msgOf([0xed, 0xa0, 0x80]), '"\\udced\\udca0\\udc80"', 'an encoded surrogate too');
  t.equal(msgOf([0xf4, 0x90, 0x80, 0x80]), '"\\udcf4\\udc90\\udc80\\udc80"', 'beyond U+10FFFF');
  t.equal(msgOf([0xe2, 0x9c, 0x93, 0xff]), '"✓\\udcff"', 'valid text around it is kept');
  t.equal(msgOf([0xc2, 0x41, 0xc2, 0x85]), '"\\udcc2A\\u0085"', 'a lead byte cut short, then C1');
  t.equal(msgOf([0xef, 0xbb, 0xbf, 0x41]), '"\ufeffA"', 'a BOM is text');
});

t.test('the reference decoder agrees with TextDecoder on valid UTF-8', async () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
      const bytes = Buffer.from(text, 'utf8');
      return decodeEscaped(bytes) === new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    }),
  );
});

/** Any bytes but a newline: what a line can hold. */
const lineBytes = fc
  .uint8Array({ maxLength: 80 })
  .map((bytes) => Buffer.from(bytes.filter((byte) => byte !== 0x0a)));
/** Lines that are mostly text, some with escapes, multi-byte and invalid bytes. */
const line = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((text) => Buffer.from(text)),
  fc
    .string({ unit: 'binary', maxLength: 40 })
    .map((text) => Buffer.from(text.replace(/\n/g, ' '), 'utf8')),
  lineBytes,
);

t.test('msg round trip: JSON.parse, then bytesOfMsg, gives the bytes back', async (t) => {
  fc.assert(
    fc.property(lineBytes, (bytes) => {
      const json = encode(bytes);
      t.notMatch(json, /[\u0000-\u001f\u007f-\u009f]/, 'no raw control character');
      return bytesOfMsg(JSON.parse(json) as string).equals(bytes);
    }),
    { numRuns: 2000 },
  );
});

t.test('the chunk writer equals the line-by-line reference, byte for byte', async () => {
  const prefix = formatLinePrefix(1_700_000_000_000, '"web.1"', '"web"');
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), (lines) =>
      formatLineRecords(prefix, lines).equals(Buffer.from(formatEachLine(prefix, lines))),
    ),
    { numRuns: 2000 },
  );
});

t.test('a line record in pino shape, one per line', async (t) => {
  const prefix = formatLinePrefix(1_700_000_000_123, '"web.1"', '"web"');
  const out = formatLineRecords(prefix, [Buffer.from('one'), Buffer.from('t"wo'), Buffer.of()]);
  t.same(
    out
      .toString()
      .split('\n')
      .filter((text) => text !== '')
      .map((text) => JSON.parse(text) as unknown),
    [
      { level: 30, time: 1_700_000_000_123, process: 'web.1', type: 'web', msg: 'one' },
      { level: 30, time: 1_700_000_000_123, process: 'web.1', type: 'web', msg: 't"wo' },
      { level: 30, time: 1_700_000_000_123, process: 'web.1', type: 'web', msg: '' },
    ],
  );
  t.equal(formatLineRecords(prefix, []).length, 0);
});

t.test('type of a process instance', async (t) => {
  t.equal(typeOfProcess('web.1'), 'web');
  t.equal(typeOfProcess('my-worker_2.10'), 'my-worker_2');
  t.equal(typeOfProcess('release.1'), 'release');
});

t.test('event facts: flat, with the process type', async (t) => {
  t.same(factsOf({ event: 'started', process: 'web.1', pid: 42, port: 5000 }), {
    event: 'started',
    process: 'web.1',
    type: 'web',
    pid: 42,
    port: 5000,
  });
  t.same(factsOf({ event: 'exited', process: 'web.1', outcome: { kind: 'exited', code: 3 } }), {
    event: 'exited',
    process: 'web.1',
    type: 'web',
    code: 3,
  });
  t.same(
    factsOf({
      event: 'exited',
      process: 'job.2',
      outcome: { kind: 'signalled', signal: 'SIGKILL', signo: 9 },
    }),
    { event: 'exited', process: 'job.2', type: 'job', signal: 'SIGKILL' },
  );
  t.same(
    factsOf({
      event: 'exited',
      process: 'a.1',
      outcome: { kind: 'failed-to-start', reason: 'not-found' },
    }),
    { event: 'exited', process: 'a.1', type: 'a', code: 127, reason: 'not-found' },
  );
  t.same(
    factsOf({ event: 'stopping', cause: { kind: 'signal', signal: 'SIGINT' }, signal: 'SIGTERM' }),
    { event: 'stopping', cause: 'signal', received: 'SIGINT', signal: 'SIGTERM' },
  );
  t.same(
    factsOf({ event: 'stopping', cause: { kind: 'exit', process: 'web.1' }, signal: 'SIGTERM' }),
    { event: 'stopping', cause: 'exit', process: 'web.1', type: 'web', signal: 'SIGTERM' },
  );
  t.same(factsOf({ event: 'killing', count: 2, graceMs: 5000, isEarly: false }), {
    event: 'killing',
    count: 2,
    graceMs: 5000,
    isEarly: false,
  });
  t.same(factsOf({ event: 'stuck', pids: [7, 8] }), { event: 'stuck', pids: [7, 8] });
  t.same(factsOf({ event: 'release', code: 0 }), { event: 'release', code: 0 });
  t.same(factsOf({ event: 'warning', message: 'careful' }), { event: 'warning' }, 'msg says it');
  t.same(
    factsOf({
      event: 'not-ready',
      process: 'web.1',
      timeoutMs: 1000,
      probe: { kind: 'http', path: '/up' },
    }),
    {
      event: 'not-ready',
      process: 'web.1',
      type: 'web',
      timeoutMs: 1000,
      probe: 'GET /up returns 2xx',
    },
  );
});

/** A Printer that keeps what it is given. */
function recordingPrinter(): { printer: Printer; text: () => string } {
  const chunks: string[] = [];
  const printer = { write: (data: Buffer | string) => chunks.push(String(data)) };
  return { printer: printer as unknown as Printer, text: () => chunks.join('') };
}

t.test('JSON output: lines and events, in order, through one printer', async (t) => {
  const { printer, text } = recordingPrinter();
  const now = (): Date => new Date(1_700_000_000_000);
  const output = withLevel(await createJsonOutput({ printer, now }), 'info');
  output.event({ event: 'started', process: 'web.1', pid: 42 });
  output.forProcess('web.1', 'web').write([Buffer.from('listening'), Buffer.from([0xff])]);
  output.event({
    event: 'stopping',
    cause: { kind: 'signal', signal: 'SIGTERM' },
    signal: 'SIGTERM',
  });
  output.event({
    event: 'exited',
    process: 'web.1',
    outcome: { kind: 'signalled', signal: 'SIGTERM', signo: 15 },
  });
  const records = text()
    .trimEnd()
    .split('\n')
    .map((record) => JSON.parse(record) as Record<string, unknown>);
  t.same(records[0], {
    level: 30,
    time: 1_700_000_000_000,
    event: 'started',
    process: 'web.1',
    type: 'web',
    pid: 42,
    msg: 'web.1 started with pid 42',
  });
  t.same(records[2], { ...records[1], msg: '\udcff' });
  t.match(records[1], { process: 'web.1', type: 'web', msg: 'listening' });
  t.match(records[3], { event: 'stopping', cause: 'signal', received: 'SIGTERM' });
  t.match(records[4], {
    level: 30,
    event: 'exited',
    signal: 'SIGTERM',
    msg: 'web.1 terminated by SIGTERM',
  });
  t.notOk('hostname' in (records[0] ?? {}), "pino's base fields are dropped");
});

t.test('JSON output: --log-level filters our records, never the lines', async (t) => {
  const { printer, text } = recordingPrinter();
  const now = (): Date => new Date(0);
  const output = withLevel(await createJsonOutput({ printer, now }), 'warn');
  output.event({ event: 'started', process: 'web.1', pid: 42 });
  output.forProcess('web.1', 'web').write([Buffer.from('a line')]);
  output.event({ event: 'warning', message: 'heads up' });
  const records = text()
    .trimEnd()
    .split('\n')
    .map((record) => JSON.parse(record) as Record<string, unknown>);
  t.same(
    records.map((record) => record.msg),
    ['a line', 'heads up'],
  );
  t.equal(records[1]?.level, 40);
});
