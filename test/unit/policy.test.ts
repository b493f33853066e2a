import t from 'tap';
import { parseFormation } from '../../src/core/formation.js';
import { controlPaths, parseRequest, resolveTargets } from '../../src/core/control.js';
import { parseDefaults } from '../../src/core/defaults.js';
import {
  backoffMs,
  checkPolicies,
  isCrashLoop,
  parseReadyProbe,
  resolvePolicies,
} from '../../src/core/policy.js';
import { formatDuration, formatStatusTable } from '../../src/output/status.js';

t.test('.foreman processes: settings with their lines', async (t) => {
  const text = [
    'port: 3000',
    'processes:',
    '  web:',
    '    ready: port',
    '    stop_signal: SIGINT',
    '    ready_timeout: 5',
    '  worker:',
    '    after: [web]',
    '    restart: on-failure',
    '  css:',
    '    can_die: true',
    '  api:',
    '    ready: http:/health',
    '    restart: no',
    '  log:',
    "    ready: '/listening on \\d+/i'",
    '',
  ].join('\n');
  const { flags, policies } = parseDefaults(text, '.foreman');
  t.same(flags, { port: 3000 });
  t.same(
    policies.map((p) => [p.type, p.line, p.afterLine]),
    [
      ['web', 3, 3],
      ['worker', 7, 8],
      ['css', 10, 10],
      ['api', 12, 12],
      ['log', 15, 15],
    ],
  );
  t.same(policies[0]?.values, {
    ready: { kind: 'port' },
    stopSignal: 'SIGINT',
    readyTimeoutMs: 5000,
  });
  t.same(policies[1]?.values, { after: ['web'], restart: 'on-failure' });
  t.same(policies[3]?.values, { ready: { kind: 'http', path: '/health' }, restart: 'no' });
  const probe = policies[4]?.values.ready;
  t.ok(probe?.kind === 'output' && probe.pattern.test('LISTENING ON 80'));
});

t.test('bad process settings name the line', async (t) => {
  t.throws(() => parseDefaults('processes:\n  web:\n    ready: sometimes\n', '.foreman'), {
    message: '.foreman:3: "web.ready" must be port, /regex/ or http:/path, got "sometimes"',
  });
  t.throws(() => parseDefaults('processes:\n  web:\n    stop_signal: NOPE\n', '.foreman'), {
    message: /\.foreman:3: "web.stop_signal" must be one of SIGTERM/,
  });
  t.throws(() => parseDefaults('processes:\n  web:\n    restart: maybe\n', '.foreman'), {
    message: /must be one of no, on-failure, always/,
  });
  t.throws(() => parseDefaults('processes:\n  web:\n    colour: red\n', '.foreman'), {
    message: '.foreman:3: processes: web: unknown setting "colour"',
  });
  t.throws(() => parseDefaults('processes:\n  web:\n    ready: "/(/"\n', '.foreman'), {
    message: /a valid regular expression/,
  });
  t.throws(() => parseDefaults('processes: [web]\n', '.foreman'), {
    message: /"processes" must map process types/,
  });
});

t.test("per-type settings share the options' coercers: one rule per kind of value", async (t) => {
  const { policies } = parseDefaults(
    'processes:\n  css:\n    can_die: yes\n    ready_timeout: "2.5"\n    after: web, worker\n',
    '.foreman',
  );
  t.same(policies[0]?.values, { canDie: true, readyTimeoutMs: 2500, after: ['web', 'worker'] });
  t.throws(() => parseDefaults('processes:\n  css:\n    can_die: sometimes\n', '.foreman'), {
    message: '.foreman:3: "css.can_die" must be true or false, got "sometimes"',
  });
  t.throws(() => parseDefaults('processes:\n  css:\n    after: [web, ""]\n', '.foreman'), {
    message: /"css.after" must be process types, comma-separated/,
  });
});

t.test('checkPolicies: unknown types, unknown after: names, cycles', async (t) => {
  const { policies } = parseDefaults(
    'processes:\n  web:\n    after: [worker]\n  worker:\n    after: web\n  nope:\n    can_die: true\n  clock:\n    after: [ghost]\n',
    '.foreman',
  );
  const problems = checkPolicies(policies, ['web', 'worker', 'clock'], '.foreman').map(
    (p) => p.message,
  );
  t.same(problems, [
    '.foreman:6: processes: unknown process type "nope"',
    '.foreman:9: clock: after: unknown process type "ghost"',
    '.foreman:3: after: forms a cycle: web -> worker -> web',
  ]);
});

t.test('flags: --can-die, --restart, --no-ready', async (t) => {
  const drafts = [
    { type: 'web', line: 1, afterLine: 1, values: { ready: { kind: 'port' as const } } },
  ];
  const policies = resolvePolicies({
    types: ['web', 'worker'],
    drafts,
    canDie: ['worker'],
    restart: ['all'],
    isReadyChecked: false,
  });
  t.same(policies.get('web'), {
    ready: undefined,
    readyTimeoutMs: 60000,
    stopSignal: 'SIGTERM',
    after: [],
    restart: 'on-failure',
    canDie: false,
  });
  t.equal(policies.get('worker')?.canDie, true);
});

t.test('ready probe syntax', async (t) => {
  t.same(parseReadyProbe('port'), { kind: 'port' });
  t.same(parseReadyProbe('http:/'), { kind: 'http', path: '/' });
  t.equal(typeof parseReadyProbe('tcp'), 'string');
});

t.test('backoff 1s..30s and the crash-loop window', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map(backoffMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  t.equal(isCrashLoop([0, 1, 2, 3], 10), false);
  t.equal(isCrashLoop([0, 1, 2, 3, 4], 10), true);
  t.equal(isCrashLoop([0, 1, 2, 3, 4], 60_001), false);
});

t.test('control protocol requests are checked', async (t) => {
  t.same(parseRequest('{"v":1,"id":3,"cmd":"stop","targets":["web"]}'), {
    v: 1,
    id: 3,
    cmd: 'stop',
    targets: ['web'],
  });
  t.equal(parseRequest('nope'), 'not JSON');
  t.match(parseRequest('{"v":2,"id":1,"cmd":"status"}'), /unsupported protocol version 2/);
  t.equal(parseRequest('{"v":1,"cmd":"status"}'), 'missing numeric "id"');
  t.equal(parseRequest('{"v":1,"id":1,"cmd":"fly"}'), 'unknown cmd "fly"');
  t.equal(parseRequest('{"v":1,"id":1,"cmd":"stop"}'), '"targets" must be a list of names');
  t.equal(parseRequest('{"v":1,"id":1,"cmd":"scale"}'), '"formation" must be a string');
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
    {
      process: 'web.1',
      pid: 12,
      state: 'running',
      uptimeMs: 65_000,
      restarts: 0,
      port: 5000,
      lastExit: null,
    },
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
      'web.1     12   running  1m05s   0         5000  -',
      'worker.1  -    stopped  -       2         5100  exited with code 1',
    ].join('\n'),
  );
  t.same([5_000, 3_700_000, 90_000_000].map(formatDuration), ['5s', '1h01m', '1d01h']);
  t.ok(parseFormation('web=1'));
});
