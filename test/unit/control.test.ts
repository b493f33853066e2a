import t from 'tap';
import {
  controlPaths,
  formatReply,
  formatRequest,
  parseReply,
  parseRequest,
  replyOf,
  resolveTargets,
  type ControlCommand,
} from '../../src/core/control.js';
import { formatDuration, formatStatusTable } from '../../src/output/status.js';

const problemOf = (parsed: { ok: boolean; problem?: string }) => parsed.problem;

t.test('control protocol requests are checked', async (t) => {
  t.same(parseRequest('{"v":1,"id":3,"cmd":"stop","targets":["web"]}'), {
    ok: true,
    value: { v: 1, id: 3, cmd: 'stop', targets: ['web'] },
  });
  t.equal(problemOf(parseRequest('nope')), 'not JSON');
  t.equal(problemOf(parseRequest('[1]')), 'expected an object');
  t.match(parseRequest('{"v":2,"id":1,"cmd":"status"}'), {
    ok: false,
    id: 1,
    problem: /unsupported protocol version 2/,
  });
  t.equal(problemOf(parseRequest('{"v":1,"cmd":"status"}')), 'missing numeric "id"');
  t.same(parseRequest('{"v":1,"id":4,"cmd":"fly"}'), {
    ok: false,
    id: 4,
    problem: 'unknown cmd "fly"',
  });
  t.equal(problemOf(parseRequest('{"v":1,"id":1,"cmd":"toString"}')), 'unknown cmd "toString"');
  t.equal(
    problemOf(parseRequest('{"v":1,"id":1,"cmd":"stop"}')),
    '"targets" must be a list of names',
  );
  t.equal(problemOf(parseRequest('{"v":1,"id":1,"cmd":"scale"}')), '"formation" must be a string');
});

t.test('a request keeps only its own fields', async (t) => {
  t.same(parseRequest('{"v":1,"id":2,"cmd":"quit","targets":["x"],"extra":{"a":1}}'), {
    ok: true,
    value: { v: 1, id: 2, cmd: 'quit' },
  });
});

t.test('every request kind round-trips through its line', async (t) => {
  const commands: ControlCommand[] = [
    { cmd: 'status' },
    { cmd: 'stop', targets: ['web', 'worker.2'] },
    { cmd: 'restart', targets: [] },
    { cmd: 'scale', formation: 'web=2' },
    { cmd: 'quit' },
  ];
  for (const [index, command] of commands.entries()) {
    const line = formatRequest(index + 1, command);
    t.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one line');
    t.same(parseRequest(line.trim()), { ok: true, value: { v: 1, id: index + 1, ...command } });
  }
});

const row = {
  process: 'web.1',
  pid: 12,
  state: 'running',
  uptimeMs: 1000,
  restarts: 0,
  port: 5000,
  lastExit: null,
};
const server = { pid: 99, socket: '/run/s.sock' };

t.test('replies round-trip; the server adds its pid and socket to a status', async (t) => {
  const status = replyOf(4, { kind: 'status', root: '/app', processes: [row] }, server);
  t.same(status, {
    v: 1,
    id: 4,
    ok: true,
    result: { kind: 'status', root: '/app', processes: [row], pid: 99, socket: '/run/s.sock' },
  });
  t.same(parseReply(formatReply(status).trim(), 4), { ok: true, value: status });
  const done = replyOf(5, { kind: 'done', message: 'stopping web.1' }, server);
  t.same(parseReply(formatReply(done), 5), { ok: true, value: done });
  const failure = replyOf(6, { error: 'unknown process "x"', hint: 'known: web.1' }, server);
  t.same(failure, { v: 1, id: 6, ok: false, error: 'unknown process "x"', hint: 'known: web.1' });
  t.same(parseReply(formatReply(failure), 6), { ok: true, value: failure });
});

t.test('a reply of the wrong shape is a problem, never an exception', async (t) => {
  const status = (change: object) =>
    JSON.stringify({
      v: 1,
      id: 1,
      ok: true,
      result: { kind: 'status', pid: 9, root: '/', socket: '/s', processes: [row], ...change },
    });
  const cases: [string, RegExp][] = [
    ['', /not JSON/],
    ['{"v":1', /not JSON/],
    ['null', /expected an object/],
    ['"text"', /expected an object/],
    ['{"v":2,"id":1,"ok":true}', /protocol version 2/],
    ['{"v":1,"id":1,"ok":"yes"}', /"ok" must be true or false/],
    ['{"v":1,"id":2,"ok":true,"result":{"kind":"done","message":"x"}}', /to request 2/],
    ['{"v":1,"id":1,"ok":true}', /"result" must be an object/],
    ['{"v":1,"id":1,"ok":true,"result":{"kind":"done"}}', /"message" must be a string/],
    ['{"v":1,"id":1,"ok":true,"result":{"kind":"boom"}}', /unknown result kind "boom"/],
    ['{"v":1,"id":1,"ok":false}', /"error" must be a string/],
    ['{"v":1,"id":1,"ok":false,"error":"x","hint":7}', /"hint" must be a string/],
    ['{"v":1,"id":3,"ok":false,"error":"x"}', /to request 3/],
    [status({ pid: '9' }), /"pid" must be a whole number/],
    [status({ pid: -1 }), /"pid" must be a whole number/],
    [status({ root: 1 }), /"root" and "socket" must be strings/],
    [status({ processes: 'all' }), /"processes" must be a list/],
    [status({ processes: [row, { ...row, pid: 1.5 }] }), /process 2: process, pid/],
    [status({ processes: [{ ...row, state: null }] }), /process 1:/],
    [status({ processes: [{ ...row, lastExit: 3 }] }), /process 1:/],
    [status({ processes: [null] }), /process 1:/],
  ];
  for (const [line, problem] of cases) {
    const parsed = parseReply(line, 1);
    t.equal(parsed.ok, false, line);
    t.match(problemOf(parsed), problem, line);
  }
  t.ok(parseReply(status({ processes: [{ ...row, pid: null, uptimeMs: null }] }), 1).ok);
});

t.test('id 0 is a failure about the connection, whatever the request', async (t) => {
  t.same(parseReply('{"v":1,"id":0,"ok":false,"error":"too many connections"}', 7), {
    ok: true,
    value: { v: 1, id: 0, ok: false, error: 'too many connections' },
  });
});

t.test('targets: types and instances', async (t) => {
  const names = ['web.1', 'web.2', 'worker.1'];
  t.same(resolveTargets(['web'], names), { matched: ['web.1', 'web.2'], unknown: [] });
  t.same(resolveTargets(['web.2', 'worker', 'x'], names), {
    matched: ['web.2', 'worker.1'],
    unknown: ['x'],
  });
});

t.test('socket paths: per user, per root', async (t) => {
  const paths = controlPaths({
    root: '/app',
    runtimeDir: '/run/user/1000/',
    uid: 1000,
    digest: () => 'abcdef0123456789ffff',
  });
  t.same(paths, {
    dir: '/run/user/1000/foreman-ts-1000',
    socket: '/run/user/1000/foreman-ts-1000/abcdef0123456789.sock',
  });
});

t.test('status table', async (t) => {
  const table = formatStatusTable([
    row,
    {
      process: 'worker.1',
      pid: null,
      state: 'stopped',
      uptimeMs: null,
      restarts: 2,
      port: 5100,
      lastExit: 'exited with code 1',
    },
  ]);
  t.equal(
    table,
    [
      'PROCESS   PID  STATE    UPTIME  RESTARTS  PORT  LAST EXIT',
      'web.1     12   running  1s      0         5000  -',
      'worker.1  -    stopped  -       2         5100  exited with code 1',
    ].join('\n'),
  );
  t.same([5_000, 65_000, 3_700_000, 90_000_000].map(formatDuration), [
    '5s',
    '1m05s',
    '1h01m',
    '1d01h',
  ]);
});
