import t from 'tap';
import { parseDotenv } from '../../src/core/dotenv.js';
import { parseFormation } from '../../src/core/formation.js';
import type { Flags } from '../../src/core/options.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { InputError, UsageError } from '../../src/errors.js';
import { FORMATS, findRenderer, renderExport } from '../../src/export/index.js';
import { planExport, resolveAppName, scriptOf } from '../../src/export/plan.js';

const PROCFILE = 'release: node migrate.js\nweb: node web.js -p $PORT\nworker: node worker.js\n';

function plan({
  procfile = PROCFILE,
  env = 'A=1\nSECRET_KEY=k\n',
  inherited = {},
  settings = {},
  formation,
  run,
}: {
  procfile?: string;
  env?: string;
  inherited?: Record<string, string>;
  settings?: Flags;
  formation?: string;
  run?: string;
} = {}) {
  const entries = parseDotenv(env, '.env');
  const release = resolveRelease({
    root: '/srv/my App',
    procfile: { path: '/srv/my App/Procfile', entries: parseProcfile(procfile, 'Procfile') },
    envFiles: [{ path: '/srv/my App/.env', label: '.env', entries }],
    inherited,
    settings,
  });
  return planExport({
    release,
    formation: formation === undefined ? undefined : parseFormation(formation),
    fileEnv: entries.map((entry) => ({
      key: entry.key,
      origin: { file: '.env', line: entry.line },
    })),
    run,
  });
}

t.test('instances, ports and PS follow the same rule as start', async (t) => {
  const result = plan({ formation: 'web=2,worker=1', settings: { port: 3000 } });
  t.same(
    result.processes.map((p) => [p.name, p.port]),
    [
      ['web.1', 3000],
      ['web.2', 3001],
      ['worker.1', 3100],
    ],
  );
  t.same(
    result.types.map((type) => [type.type, type.count, type.port]),
    [
      ['web', 2, 3000],
      ['worker', 1, 3100],
    ],
  );
});

t.test('the release type is the release phase, never part of the formation', async (t) => {
  const result = plan();
  t.equal(result.release?.name, 'release.1');
  t.equal(result.release?.port, undefined);
  t.notOk(result.processes.some((p) => p.type === 'release'));
  t.equal(plan({ procfile: 'web: w\n' }).release, undefined);
  t.throws(() => plan({ formation: 'release=1' }), UsageError);
});

t.test('a simple command is exec’d; a compound one keeps its shell', async (t) => {
  t.equal(scriptOf('node web.js -p $PORT'), 'exec node web.js -p $PORT');
  t.equal(scriptOf('A=1 node web.js'), 'A=1 exec node web.js');
  t.equal(scriptOf('cd app && node web.js'), 'cd app && node web.js');
});

t.test('only env-file keys are exported, with the release value', async (t) => {
  const result = plan({
    env: 'A=file\nB=$HOME/b\n',
    inherited: { A: 'shell', HOME: '/home/me', PATH: '/usr/bin', SSH_AUTH_SOCK: '/tmp/s' },
  });
  t.same(
    result.env.map(({ key, value }) => [key, value]),
    [
      ['A', 'shell'],
      ['B', '/home/me/b'],
    ],
  );
  const overridden = plan({
    env: 'A=file\n',
    inherited: { A: 'shell' },
    settings: { envOverride: true },
  });
  t.same(
    overridden.env.map(({ key, value }) => [key, value]),
    [['A', 'file']],
  );
});

t.test('PORT and PS are per process, never in the shared env', async (t) => {
  const result = plan({ env: 'PORT=4000\nPS=x\nA=1\n' });
  t.same(
    result.env.map(({ key }) => key),
    ['A'],
  );
  t.equal(result.processes[0]?.port, 4000, 'PORT from the env file is still the base port');
});

t.test('a key exported units cannot carry is reported at its line', async (t) => {
  t.throws(() => plan({ env: 'A=1\nmy.key=2\n' }), {
    constructor: InputError,
    message: /^\.env:2: "my\.key" is not a portable variable name/,
  });
});

t.test('the app name defaults to the root folder, made safe', async (t) => {
  t.equal(plan().app, 'my-app');
  t.equal(resolveAppName(undefined, '/srv/Shop_Front/'), 'shop-front');
  t.equal(resolveAppName(undefined, '/'), 'app');
  t.equal(resolveAppName('shop', '/x'), 'shop');
  t.throws(() => resolveAppName('My App', '/x'), {
    constructor: UsageError,
    message: 'bad app name "My App"',
  });
  t.throws(() => resolveAppName('a'.repeat(41), '/x'), UsageError);
});

t.test('the grace period is whole seconds, at least 1', async (t) => {
  t.equal(plan().graceSeconds, 5);
  t.equal(plan({ settings: { timeout: 2.5 } }).graceSeconds, 3);
  t.equal(plan({ settings: { timeout: 0 } }).graceSeconds, 1);
});

t.test('--run resolves like `foreman-ts run`: a type or a shell command', async (t) => {
  t.same(plan({ run: 'node x.js && echo $A' }).oneOff, {
    name: 'run.1',
    type: 'run',
    instance: 1,
    script: 'node x.js && echo $A',
    port: undefined,
  });
  t.equal(plan({ run: 'worker' }).oneOff?.script, 'exec node worker.js');
  t.equal(plan({ run: 'web', settings: { port: 8000 } }).oneOff?.port, 8000);
});

t.test('an unknown format lists the known ones', async (t) => {
  t.same(FORMATS, ['compose', 'kubernetes', 'launchd', 'runit', 'supervisord', 'systemd']);
  t.throws(() => findRenderer('k8s'), {
    constructor: UsageError,
    message: 'unknown format "k8s"',
    hint: 'known: compose, kubernetes, launchd, runit, supervisord, systemd',
  });
  t.throws(() => findRenderer('toString'), UsageError);
});

t.test('--run is for kubernetes only', async (t) => {
  t.throws(() => renderExport('systemd', plan({ run: 'node x.js' })), {
    message: '--run is for kubernetes only, not systemd',
  });
});
