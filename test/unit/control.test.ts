import t from 'tap';
import {
  CONTROL_LIMITS,
  formatReply,
  formatRequest,
  parseReply,
  parseRequest,
  replyOf,
  resolveControlLimits,
  resolveTargets,
  type ControlCommand,
} from '../../src/core/control.js';
import {
  controlPaths,
  isPrivateBase,
  problemWithFolder,
  problemWithSocket,
  problemWithSocketPath,
} from '../../src/core/control-place.js';
import { formatDuration, formatStatusJson, formatStatusTable } from '../../src/output/status.js';

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
const socket = '/run/s.sock';

t.test('replies round-trip; the server adds its pid and socket to a status', async (t) => {
  const status = replyOf(4, { kind: 'status', pid: 99, root: '/app', processes: [row] }, socket);
  t.same(status, {
    v: 1,
    id: 4,
    ok: true,
    result: { kind: 'status', pid: 99, root: '/app', processes: [row], socket },
  });
  t.same(parseReply(formatReply(status).trim(), 4), { ok: true, value: status });
  const done = replyOf(5, { kind: 'done', message: 'stopping web.1' }, socket);
  t.same(parseReply(formatReply(done), 5), { ok: true, value: done });
  const failure = replyOf(6, { error: 'unknown process "x"', hint: 'known: web.1' }, socket);
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

t.test('the control folder and the socket: ours, or refused', async (t) => {
  const dir = (mode: number, uid = 1000) => ({ type: 'directory' as const, uid, gid: uid, mode });
  t.equal(problemWithFolder(dir(0o40700), 1000), undefined);
  t.equal(
    problemWithFolder(dir(0o40700, 65534), 1000),
    'belongs to uid 65534, not to us (uid 1000)',
  );
  t.equal(problemWithFolder(dir(0o40755), 1000), 'is open to others (mode 0755)');
  t.equal(problemWithFolder(dir(0o40710), 1000), 'is open to others (mode 0710)');
  t.equal(problemWithFolder({ ...dir(0o120777), type: 'symlink' }, 1000), 'is a symbolic link');
  t.equal(problemWithFolder({ ...dir(0o100600), type: 'other' }, 1000), 'is not a folder');
  const socket = { type: 'socket' as const, uid: 1000, gid: 1000, mode: 0o140600 };
  t.equal(problemWithSocket(socket, 1000), undefined);
  t.equal(problemWithSocket({ ...socket, uid: 0 }, 1000), 'belongs to uid 0, not to us (uid 1000)');
  t.equal(problemWithSocket({ ...socket, type: 'other' }, 1000), 'is not a socket');
});

t.test('a default runtime folder is one only we can write to', async (t) => {
  t.ok(isPrivateBase({ type: 'directory', uid: 1000, gid: 1000, mode: 0o40700 }, 1000));
  t.ok(
    isPrivateBase({ type: 'directory', uid: 1000, gid: 1000, mode: 0o40755 }, 1000),
    'a usual $HOME',
  );
  t.notOk(
    isPrivateBase({ type: 'directory', uid: 1000, gid: 1000, mode: 0o40775 }, 1000),
    'group-writable',
  );
  t.notOk(
    isPrivateBase({ type: 'directory', uid: 0, gid: 0, mode: 0o40755 }, 1000),
    "root's, not ours",
  );
  t.notOk(isPrivateBase({ type: 'directory', uid: 0, gid: 0, mode: 0o41777 }, 1000), '/tmp');
  t.notOk(isPrivateBase(undefined, 1000), 'missing');
});

t.test('a socket path longer than a Unix socket can hold is refused, not cut', async (t) => {
  t.equal(problemWithSocketPath(`/${'a'.repeat(106)}`), undefined);
  t.match(problemWithSocketPath(`/${'a'.repeat(107)}`), /is 108 bytes long; .* at most 107/);
  t.match(problemWithSocketPath(`/${'é'.repeat(60)}`), /is 121 bytes long/, 'bytes, not chars');
});

t.test('text from the socket is shown, never obeyed', async (t) => {
  const result = {
    kind: 'status' as const,
    pid: 1,
    root: '/app\u009b',
    socket: '/s',
    processes: [{ ...row, process: 'web\u001b]0;x\u0007', state: 'run\u2066ning' }],
  };
  const json = formatStatusJson(result);
  t.notMatch(json, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2066]/, 'nothing raw but newlines');
  t.same(JSON.parse(json), result, 'and the JSON still says exactly what was sent');
  const table = formatStatusTable(result.processes);
  t.match(table, /^web\\x1b\]0;x\\x07 +12 +run\\u2066ning/m);
});

t.test('control limits: the defaults, and the test-only override', async (t) => {
  t.same(resolveControlLimits(undefined), CONTROL_LIMITS);
  t.same(resolveControlLimits('idleMs=300,replyMs=500'), {
    ...CONTROL_LIMITS,
    idleMs: 300,
    replyMs: 500,
  });
  for (const bad of ['idleMs', 'idleMs=0', 'idleMs=-1', 'idle=3', 'toString=1', 'replyMs=1e3'])
    t.throws(() => resolveControlLimits(bad), { exitCode: 2, message: /must be like/ }, bad);
});
