import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { bytesOfMsg } from '../helpers/json-msg.js';
import { bin, CLI, nodeCommand, runCli, runCliOk, testEnv, type TapTest } from '../helpers/cli.js';

type JsonRecord = Record<string, unknown>;

/** Every stdout line as a JSON record; a line that does not parse fails the test. */
function parseRecords(t: TapTest, stdout: string): JsonRecord[] {
  const lines = stdout.split('\n');
  t.equal(lines.pop(), '', 'the output ends with a newline');
  const bad: string[] = [];
  const records = lines.map((line) => {
    try {
      return JSON.parse(line) as JsonRecord;
    } catch {
      bad.push(line);
      return {};
    }
  });
  t.same(bad, [], 'every line parses as JSON');
  return records;
}

const linesOf = (records: JsonRecord[], process: string): JsonRecord[] =>
  records.filter((record) => record.process === process && record.event === undefined);

t.test('every line of every process is one parseable record, in order', async (t) => {
  const names = ['a', 'b', 'c', 'd'];
  const count = 20_000;
  const procfile = names.map((name) => `${name}: ${bin('lines.mjs')} ${count} ${name} 60\n`);
  const result = await runCli(t, ['start', '--log-format', 'json', '--can-die', 'all'], {
    cwd: t.testdir({ Procfile: procfile.join('') }),
  });
  t.equal(result.exitCode, 0);
  const records = parseRecords(t, result.stdout);
  const malformed = records.filter(
    (record) =>
      typeof record.level !== 'number' ||
      typeof record.time !== 'number' ||
      typeof record.msg !== 'string',
  );
  t.same(malformed, [], 'every record has level, time and msg');
  for (const name of names) {
    const lines = linesOf(records, `${name}.1`);
    t.equal(lines.length, count + 1, `${name}.1: every line and its done line`);
    const numbers = lines.slice(0, count).map((record) => Number(String(record.msg).split(' ')[1]));
    t.ok(
      numbers.every((n, index) => n === index),
      `${name}.1: in order, none lost, none doubled`,
    );
    t.match(lines[0], { level: 30, process: `${name}.1`, type: name });
    t.notOk('stream' in (lines[0] ?? {}), 'no stream: stdout and stderr share one pipe');
    t.match(
      records.find((record) => record.event === 'started' && record.process === `${name}.1`),
      { level: 30, type: name, pid: Number, port: Number, msg: /started with pid/ },
    );
    t.match(
      records.find((record) => record.event === 'exited' && record.process === `${name}.1`),
      { level: 30, code: 0, msg: `${name}.1 exited with code 0` },
    );
  }
});

t.test('events: release phase, a failure, the stop and the signal sent', async (t) => {
  const procfile =
    `release: echo migrated\n` +
    `web: ${bin('forever.mjs')}\n` +
    `fail: ${bin('exit-with.mjs')} 3 500\n`;
  const result = await runCli(t, ['start', '--log-format', 'json'], {
    cwd: t.testdir({ Procfile: procfile }),
  });
  t.equal(result.exitCode, 3);
  const records = parseRecords(t, result.stdout);
  const events = records.filter((record) => record.event !== undefined);
  t.match(linesOf(records, 'release.1'), [{ msg: 'migrated' }]);
  t.match(events.slice(0, 4), [
    { event: 'release-identity', release: /^[0-9a-f]{7}$/, level: 30, msg: /^release [0-9a-f]{7}/ },
    { event: 'started', process: 'release.1' },
    { event: 'exited', process: 'release.1', code: 0 },
    { event: 'release', code: 0, level: 30, msg: /release phase succeeded/ },
  ]);
  t.match(
    events.find((record) => record.event === 'exited' && record.process === 'fail.1'),
    { level: 50, type: 'fail', code: 3, msg: 'fail.1 exited with code 3' },
  );
  t.match(
    events.find((record) => record.event === 'stopping'),
    { cause: 'exit', process: 'fail.1', signal: 'SIGTERM' },
  );
  t.match(
    events.find((record) => record.event === 'exited' && record.process === 'web.1'),
    { level: 30, signal: 'SIGTERM', msg: 'web.1 terminated by SIGTERM' },
  );
});

t.test('msg is the line exactly: invalid UTF-8, control characters, CR, NUL', async (t) => {
  // A\xff\xfe\rB\0 / (empty) / ESC[31m "q" \ tab / é ✓ / a final line without newline
  const hex =
    '41fffe0d4200' +
    '0a' +
    '0a' +
    '1b5b33316d202271225c0974' +
    '0a' +
    'c3a920e29c93' +
    '0a' +
    '7461696c';
  const [file, argv] = nodeCommand([CLI, 'start', '--log-format', 'json']);
  const result = await execa(file, argv, {
    cwd: t.testdir({ Procfile: `a: ${bin('bytes.mjs')} ${hex}\n` }),
    env: testEnv(t),
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
  });
  t.equal(result.exitCode, 0, result.stderr);
  const lines = linesOf(parseRecords(t, result.stdout), 'a.1');
  t.same(
    lines.map((record) => bytesOfMsg(String(record.msg)).toString('hex')),
    ['41fffe0d4200', '', '1b5b33316d202271225c0974', 'c3a920e29c93', '7461696c'],
  );
  t.match(result.stdout, /"msg":"A\\udcff\\udcfe\\rB\\u0000"/, 'invalid bytes as \\udcXX');
  t.match(result.stdout, /"msg":"\\u001b\[31m \\"q\\"\\\\\\tt"/, 'escapes, no raw control bytes');
  t.match(result.stdout, /"msg":"é ✓"/, 'valid UTF-8 as it is');
});

t.test('no colour and no padding, whatever forces colour', async (t) => {
  const cwd = t.testdir({ Procfile: `a: printf '\\033[32mgreen\\033[0m\\n'\nlonger: echo x\n` });
  for (const [args, env] of [
    [['--color'], {}],
    [[], { FORCE_COLOR: '1' }],
  ] as const) {
    const result = await runCli(t, ['start', '--log-format', 'json', ...args], { cwd, env });
    t.equal(result.exitCode, 0, result.stderr);
    t.notOk(result.stdout.includes('\u001b'), 'not a raw escape byte anywhere');
    t.match(result.stdout, /"process":"a\.1","type":"a","msg":"\\u001b\[32mgreen\\u001b\[0m"/);
  }
});

t.test('stderr lines arrive too, merged in order with stdout', async (t) => {
  const procfile = `a: echo out1; echo err1 >&2; echo out2; echo err2 >&2\n`;
  const result = await runCli(t, ['start', '--log-format', 'json'], {
    cwd: t.testdir({ Procfile: procfile }),
  });
  t.equal(result.exitCode, 0, result.stderr);
  t.same(
    linesOf(parseRecords(t, result.stdout), 'a.1').map((record) => record.msg),
    ['out1', 'err1', 'out2', 'err2'],
  );
});

t.test('a 1 MB line is one record', async (t) => {
  const result = await runCli(t, ['start', '--log-format', 'json'], {
    cwd: t.testdir({ Procfile: `a: ${bin('long-line.mjs')} 1048576\n` }),
  });
  t.equal(result.exitCode, 0, result.stderr);
  const lines = linesOf(parseRecords(t, result.stdout), 'a.1');
  t.same(
    lines.map((record) => String(record.msg).length),
    [1_048_576, 4],
    'the long line whole, then "done"',
  );
});

t.test('FOREMAN_TS_LOG_FORMAT and .foreman log_format; the flag wins', async (t) => {
  const json = /^\{"level":30,"time":\d+,"process":"a\.1","type":"a","msg":"hi"\}$/m;
  const procfile = 'a: echo hi\n';
  const byEnv = await runCli(t, ['start'], {
    cwd: t.testdir({ Procfile: procfile }),
    env: { FOREMAN_TS_LOG_FORMAT: 'json' },
  });
  t.equal(byEnv.exitCode, 0, byEnv.stderr);
  t.match(byEnv.stdout, json);
  const dir = t.testdir({ Procfile: procfile, '.foreman': 'log_format: json\n' });
  t.match((await runCliOk(t, ['start'], { cwd: dir })).stdout, json);
  const text = await runCli(t, ['start', '--log-format', 'text'], { cwd: dir });
  t.equal(text.exitCode, 0, text.stderr);
  t.match(text.stdout, /a\.1 +\| hi/);
});

t.test('--log-level filters our records, never the lines, in both formats', async (t) => {
  const cwd = t.testdir({ Procfile: 'a: echo hi; exit 2\n' });
  const json = await runCli(t, ['start', '--log-format', 'json', '--log-level', 'error'], { cwd });
  t.equal(json.exitCode, 2, 'the exit code of a.1');
  const records = parseRecords(t, json.stdout);
  t.same(
    records.map((record) => record.msg),
    ['hi', 'a.1 exited with code 2'],
    'the line, and the one error',
  );
  const text = await runCli(t, ['start', '--log-level', 'warn'], { cwd });
  t.equal(text.exitCode, 2);
  t.notMatch(text.stdout, /started with pid/);
  t.match(text.stdout, /a\.1 +\| hi/);
  t.match(text.stdout, /a\.1 exited with code 2/);
  const silent = await runCli(t, ['start', '--log-level', 'silent', '--no-timestamp'], { cwd });
  t.equal(silent.exitCode, 2);
  t.equal(silent.stdout, 'a.1    | hi\n');
});

t.test('pino is loaded in JSON mode only: never by text mode or run', async (t) => {
  const cwd = t.testdir({
    Procfile: 'a: echo hi\n',
    // Both ways a module can be asked for: require() and import() (pino is external to the bundle).
    'trace.cjs': `
const Module = require('node:module');
const fs = require('node:fs');
const note = (request) => request === 'pino' && fs.appendFileSync(process.env.TRACE_FILE, 'pino\\n');
const load = Module._load;
Module._load = function (request, ...rest) { note(request); return load.call(this, request, ...rest); };
Module.register('data:text/javascript,' + encodeURIComponent(
  "import { appendFileSync } from 'node:fs';" +
  "export async function resolve(s, c, n) { if (s === 'pino') appendFileSync(process.env.TRACE_FILE, 'pino\\\\n'); return n(s, c); }"));
`,
  });
  const loadsOf = async (args: string[], name: string): Promise<string> => {
    const traceFile = `${cwd}/${name}.trace`;
    const [file, argv] = nodeCommand([CLI, ...args], {
      NODE_OPTIONS: `--require ${cwd}/trace.cjs`,
    });
    await execa(file, argv, {
      cwd,
      env: testEnv(t, { TRACE_FILE: traceFile }),
      extendEnv: false,
      reject: false,
    });
    try {
      return readFileSync(traceFile, 'utf8');
    } catch {
      return '';
    }
  };
  t.equal(await loadsOf(['start'], 'text'), '', 'text mode');
  t.equal(await loadsOf(['run', 'true'], 'run'), '', 'run');
  t.match(await loadsOf(['start', '--log-format', 'json'], 'json'), /pino/, 'JSON mode');
});
