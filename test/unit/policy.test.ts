import t from 'tap';
import { parseDefaults } from '../../src/core/defaults.js';
import {
  backoffMs,
  checkPolicies,
  isCrashLoop,
  parseReadyProbe,
  resolvePolicies,
} from '../../src/core/policy.js';

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
    tty: false,
  });
  t.equal(policies.get('worker')?.canDie, true);
});

t.test('ready probe syntax', async (t) => {
  t.same(parseReadyProbe('port'), { kind: 'port' });
  t.same(parseReadyProbe('http:/'), { kind: 'http', path: '/' });
  t.equal(typeof parseReadyProbe('tcp'), 'string');
  t.same(parseReadyProbe('http:/a%20b?x=é'), { kind: 'http', path: '/a%20b?x=é' });
  for (const bad of ['http:/a b', 'http:/\0', 'http:/\u001b[2J', 'http:/✓'])
    t.match(parseReadyProbe(bad), /without spaces or control characters/, JSON.stringify(bad));
});

t.test('backoff 1s..30s and the crash-loop window', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map(backoffMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  t.equal(isCrashLoop([0, 1, 2, 3], 10), false);
  t.equal(isCrashLoop([0, 1, 2, 3, 4], 10), true);
  t.equal(isCrashLoop([0, 1, 2, 3, 4], 60_001), false);
});
