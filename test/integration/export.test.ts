import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parsePlist } from 'plist';
import t from 'tap';
import { renderDotenv } from '../helpers/engines.js';
import { parse } from 'yaml';
import { DEFAULT_PORT } from '../../src/core/release.js';
import { writeFiles } from '../../src/io/write-files.js';
import { FIXTURES, runCli } from '../helpers/cli.js';

const ROOT = resolve(FIXTURES, '..');
const GOLDENS = JSON.parse(readFileSync(join(FIXTURES, 'export/goldens.json'), 'utf8')) as {
  rootPlaceholder: string;
  common: string[];
  formats: Record<string, string[]>;
};
const TRICKY = JSON.parse(readFileSync(join(FIXTURES, 'export/tricky.json'), 'utf8')) as {
  env: Record<string, string>;
  refused: Record<string, string[]>;
  command: string;
};
const ECHO_ENV = join(FIXTURES, 'bin/echo-env.mjs');

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

/** Where a validator is missing, the test says so and skips; it never passes silently. */
function tool(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}
const SYSTEMD_ANALYZE = tool('systemd-analyze');
const SUPERVISORD = tool('supervisord');
const CHPST = tool('chpst');
const skipUnless = (path: string | undefined, name: string, pkg: string) =>
  path === undefined ? { skip: `${name} is not installed (Debian package "${pkg}")` } : {};

/** Variables of the test runner's own shell that would change what gets exported. */
function quietEnv(keys: readonly string[] = []): Record<string, undefined> {
  const names = Object.keys(process.env).filter((key) => key.startsWith('FOREMAN_TS_'));
  return Object.fromEntries([...names, ...keys].map((key) => [key, undefined]));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function exportGolden(t: TapTest, format: string): Promise<string> {
  const out = join(t.testdir(), format);
  const extra = GOLDENS.formats[format] ?? [];
  const envKeys = Object.keys(parseEnvKeys(join(FIXTURES, 'export/example.env')));
  const result = await runCli(t, ['export', format, out, ...GOLDENS.common, ...extra], {
    cwd: ROOT,
    env: quietEnv(envKeys),
  });
  t.equal(result.exitCode, 0, result.stderr);
  return out;
}

function parseEnvKeys(path: string): Record<string, true> {
  const keys = readFileSync(path, 'utf8').match(/^[A-Za-z_][A-Za-z0-9_]*(?==)/gm) ?? [];
  return Object.fromEntries(keys.map((key) => [key, true]));
}

const SECRET_FILES = /(\.env|\.plist|secret\.yaml|compose\.yaml)$/;
const SCRIPTS = /(run|finish|control\/[tk])$/;

for (const format of Object.keys(GOLDENS.formats)) {
  t.test(`${format}: the export matches the golden files`, async (t) => {
    const out = await exportGolden(t, format);
    const golden = join(FIXTURES, 'export', format);
    t.same(listFiles(out), listFiles(golden), 'the same files');
    for (const path of listFiles(out)) {
      const text = readFileSync(join(out, path), 'utf8').split(ROOT).join(GOLDENS.rootPlaceholder);
      t.equal(
        text,
        readFileSync(join(golden, path), 'utf8'),
        `${path} (node scripts/regen-export-goldens.mjs)`,
      );
      const mode = modeOf(join(out, path));
      t.equal(
        mode,
        SECRET_FILES.test(path) ? '600' : SCRIPTS.test(path) ? '755' : '644',
        `${path} mode`,
      );
      t.notMatch(text, /\/tmp\/|\bHOME=|\bPATH=/, `${path}: no temp path, no shell env`);
    }
  });
}

t.test(
  'systemd: systemd-analyze verify accepts the golden units',
  skipUnless(SYSTEMD_ANALYZE, 'systemd-analyze', 'systemd'),
  async (t) => {
    const dir = join(FIXTURES, 'export/systemd');
    const units = listFiles(dir).filter((path) => /\.(service|target)$/.test(path));
    verifyUnits(t, dir, units);
  },
);

/** Any output on stderr fails: systemd-analyze exits 0 on unknown keys and bad values. */
function verifyUnits(t: TapTest, dir: string, units: readonly string[]): void {
  const result = spawnSync(SYSTEMD_ANALYZE ?? 'systemd-analyze', ['verify', ...units], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_LOG_LEVEL: 'info', SYSTEMD_PAGER: '' },
  });
  t.equal(result.status, 0, 'exit 0');
  t.equal(result.stderr, '', 'nothing on stderr');
}

/** supervisord's own config reader (ServerOptions.realize), without starting anything. */
const SUPERVISOR_READER = `
import json, os, shlex, shutil, sys, tempfile
from supervisor.options import ServerOptions
tmp = tempfile.mkdtemp()
# [include] files= splits on whitespace: read a copy from a path without any.
conf = shutil.copy(sys.argv[1], os.path.join(tmp, 'app.conf'))
wrapper = os.path.join(tmp, 'supervisord.conf')
with open(wrapper, 'w') as f:
    f.write('[supervisord]\\nlogfile=%s/s.log\\npidfile=%s/s.pid\\nchildlogdir=%s\\n[unix_http_server]\\nfile=%s/s.sock\\n[include]\\nfiles=%s\\n' % (tmp, tmp, tmp, tmp, conf))
options = ServerOptions()
options.realize(args=['-c', wrapper])
programs = {}
for group in options.process_group_configs:
    for p in group.process_configs:
        programs[p.name] = dict(group=group.name, argv=shlex.split(p.command), directory=p.directory,
            environment=p.environment, stopwaitsecs=p.stopwaitsecs, stopasgroup=p.stopasgroup,
            killasgroup=p.killasgroup, autostart=p.autostart, uid=p.uid)
print(json.dumps(programs))
`;

type Program = {
  group: string;
  argv: string[];
  directory: string;
  environment: Record<string, string>;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  autostart: boolean;
};

function readSupervisorConfig(t: TapTest, conf: string): Record<string, Program> {
  // supervisord is a Python script: its own interpreter has the supervisor package.
  const shebang = readFileSync(SUPERVISORD ?? '', 'utf8').split('\n')[0] ?? '';
  const python = shebang.replace(/^#!\s*/, '').split(' ')[0] || 'python3';
  const result = spawnSync(python, ['-c', SUPERVISOR_READER, conf], { encoding: 'utf8' });
  t.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout || '{}') as Record<string, Program>;
}

t.test(
  'supervisord: its config reader accepts the golden file',
  skipUnless(SUPERVISORD, 'supervisord', 'supervisor'),
  async (t) => {
    // supervisord checks that log folders exist: the golden's -l folder becomes a temp one.
    const logs = t.testdir();
    const conf = join(logs, 'example.conf');
    const golden = readFileSync(join(FIXTURES, 'export/supervisord/example.conf'), 'utf8');
    writeFileSync(conf, golden.split('/var/log/example/').join(`${logs}/`));
    const programs = readSupervisorConfig(t, conf);
    t.same(Object.keys(programs).sort(), [
      'example-release',
      'example-web-1',
      'example-web-2',
      'example-worker-1',
    ]);
    t.match(programs['example-web-2'], {
      group: 'example',
      directory: GOLDENS.rootPlaceholder,
      environment: { PORT: '5001', PS: 'web.2' },
      stopwaitsecs: 10,
      stopasgroup: true,
      killasgroup: true,
      autostart: false,
    });
    const argv = programs['example-web-2']?.argv ?? [];
    t.same([argv[0], argv[1], argv[4]], ['/bin/sh', '-c', 'exec node examples/web.mjs']);
    t.match(argv[3], /\/example\.env$/, "the env file beside the config: supervisord's %(here)s");
    t.match(programs['example-release'], { group: 'example-release', autostart: true });
  },
);

t.test('launchd: every golden plist parses as a property list', async (t) => {
  const dir = join(FIXTURES, 'export/launchd');
  for (const path of listFiles(dir).filter((file) => file.endsWith('.plist'))) {
    const parsed = parsePlist(readFileSync(join(dir, path), 'utf8')) as Record<string, unknown>;
    t.equal(`${String(parsed.Label)}.plist`, path);
  }
});

t.test(
  'runit: the golden scripts parse and sh reads the env file',
  skipUnless(CHPST, 'chpst', 'runit'),
  async (t) => {
    const dir = join(FIXTURES, 'export/runit');
    for (const path of listFiles(dir).filter((file) => file.endsWith('run'))) {
      t.equal(spawnSync('sh', ['-n', join(dir, path)]).status, 0, `sh -n ${path}`);
    }
    const read = spawnSync(
      'sh',
      [
        '-c',
        '. "$1" && exec "$2" -e "process.stdout.write(JSON.stringify(process.env))"',
        'sh',
        join(dir, 'example.env'),
        process.execPath,
      ],
      { encoding: 'utf8', env: {} },
    );
    t.match(JSON.parse(read.stdout || '{}'), { GREETING: 'hello, world' }, 'sh reads example.env');
  },
);

const composeSchema = (() => {
  const schema = JSON.parse(
    readFileSync(join(FIXTURES, 'vendor/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema; // draft-07 under an id ajv does not know
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  for (const format of ['duration', 'expose', 'ports', 'subnet_ip_address'])
    ajv.addFormat(format, true);
  return ajv.compile(schema);
})();

t.test('compose: the golden file is valid against the compose-spec schema', async (t) => {
  const compose = parse(
    readFileSync(join(FIXTURES, 'export/compose/compose.yaml'), 'utf8'),
  ) as unknown;
  t.ok(composeSchema(compose), JSON.stringify(composeSchema.errors));
});

t.test('kubernetes: the golden manifests are valid against the Kubernetes schemas', async (t) => {
  const models = { Deployment, Job, ConfigMap, Secret, Service } as const;
  const dir = join(FIXTURES, 'export/kubernetes');
  for (const path of listFiles(dir).filter((file) => file.endsWith('.yaml'))) {
    const object = parse(readFileSync(join(dir, path), 'utf8')) as { kind: keyof typeof models };
    t.doesNotThrow(() => new models[object.kind](object as never).validate(), path);
  }
});

/** An app whose env file holds every tricky value, and whose web process dumps its env. */
function trickyApp(
  t: TapTest,
  refused: readonly string[],
): { cwd: string; dump: string; env: Record<string, string> } {
  const env = Object.fromEntries(
    Object.entries(TRICKY.env).filter(([key]) => !refused.includes(key)),
  );
  const cwd = t.testdir({ 'my app': {} });
  const root = join(cwd, 'my app');
  const dump = join(root, 'dump.json');
  writeFileSync(join(root, '.env'), renderDotenv(env));
  writeFileSync(
    join(root, 'Procfile'),
    `web: ${process.execPath} ${ECHO_ENV} '${dump}'\nother: ${TRICKY.command}\n`,
  );
  return { cwd: root, dump, env };
}

t.test(
  'runit: chpst and sh give the process every value unchanged',
  skipUnless(CHPST, 'chpst', 'runit'),
  async (t) => {
    const app = trickyApp(t, TRICKY.refused.runit ?? []);
    const result = await runCli(t, ['export', 'runit', 'out', '-a', 'tricky'], {
      cwd: app.cwd,
      env: quietEnv(Object.keys(TRICKY.env)),
    });
    t.equal(result.exitCode, 0, result.stderr);
    const service = join(app.cwd, 'out/tricky-web.1');
    const run = spawnSync('sh', ['./run'], { cwd: service, encoding: 'utf8', timeout: 30_000 });
    t.equal(run.status, 0, run.stdout);
    const dumped = JSON.parse(readFileSync(app.dump, 'utf8')) as {
      cwd: string;
      env: Record<string, string>;
    };
    t.equal(dumped.cwd, app.cwd);
    t.same(pick(dumped.env, [...Object.keys(app.env), 'PORT', 'PS']), {
      ...app.env,
      PORT: String(DEFAULT_PORT),
      PS: 'web.1',
    });
  },
);

function pick(
  env: Record<string, string>,
  keys: readonly string[],
): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((key) => [key, env[key]]));
}

t.test(
  'supervisord: its reader gets the command as written; the env file carries every value',
  skipUnless(SUPERVISORD, 'supervisord', 'supervisor'),
  async (t) => {
    const app = trickyApp(t, []);
    const result = await runCli(t, ['export', 'supervisord', 'out', '-a', 'tricky'], {
      cwd: app.cwd,
      env: quietEnv(Object.keys(TRICKY.env)),
    });
    t.equal(result.exitCode, 0, result.stderr);
    const out = join(app.cwd, 'out');
    const programs = readSupervisorConfig(t, join(out, 'tricky.conf'));
    t.same(programs['tricky-web-1']?.environment, { PORT: String(DEFAULT_PORT), PS: 'web.1' });
    t.match(programs['tricky-other-1']?.argv[3], /\/tricky\.env$/);
    t.equal(programs['tricky-other-1']?.argv[4], TRICKY.command);
    t.equal(programs['tricky-other-1']?.directory, app.cwd);
    const args = [join(out, 'tricky.env'), process.execPath, ECHO_ENV, app.dump];
    const read = spawnSync('sh', ['-c', '. "$1" && exec "$2" "$3" "$4"', 'sh', ...args], {
      encoding: 'utf8',
      env: {},
    });
    t.equal(read.status, 0, read.stderr);
    const dumped = JSON.parse(readFileSync(app.dump, 'utf8')) as { env: Record<string, string> };
    t.same(pick(dumped.env, Object.keys(app.env)), app.env, 'sh reads every value back');
  },
);

t.test('no format refuses a value the env-file dialect can hold', async (t) => {
  const app = trickyApp(t, []);
  for (const format of Object.keys(GOLDENS.formats)) {
    const args = ['export', format, `out-${format}`, '-a', 'tricky', '--image', 'x:1'];
    const result = await runCli(t, args, { cwd: app.cwd, env: quietEnv(Object.keys(TRICKY.env)) });
    t.equal(result.exitCode, 0, `${format}: ${result.stderr}`);
  }
});

const DOCKER_COMPOSE = tool('docker-compose');

type ComposeService = { environment: Record<string, string>; command: string[] };

t.test(
  'compose: docker-compose 1.29 reads every value back, with no host variable substituted',
  skipUnless(DOCKER_COMPOSE, 'docker-compose', 'docker-compose'),
  async (t) => {
    const app = trickyApp(t, []);
    const args = ['export', 'compose', 'out', '-a', 'tricky', '--image', 'x:1'];
    const result = await runCli(t, args, { cwd: app.cwd, env: quietEnv(Object.keys(TRICKY.env)) });
    t.equal(result.exitCode, 0, result.stderr);
    const config = spawnSync(DOCKER_COMPOSE ?? '', ['-f', 'out/compose.yaml', 'config'], {
      cwd: app.cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: '/home/someone', id: 'HOST' },
      timeout: 60_000,
    });
    t.equal(config.status, 0, config.stderr);
    t.notMatch(config.stdout, /HOST|\/home\/someone/, 'no host variable substituted');
    // `config` prints a compose file again, so it writes each `$` it read as `$$`.
    const printed = config.stdout.replace(/\$\$/g, '$');
    const { services } = parse(printed) as { services: Record<string, ComposeService> };
    t.same(services.web?.environment, { ...app.env, PORT: String(DEFAULT_PORT), PS: 'web' });
    t.same(services['run.1']?.environment, { ...app.env, PS: 'run.1' });
    t.same(services.other?.command, ['/bin/sh', '-c', TRICKY.command]);
  },
);

const SHELLCHECK = tool('shellcheck');

t.test(
  'every generated shell script passes shellcheck (warnings and errors)',
  skipUnless(SHELLCHECK, 'shellcheck', 'shellcheck'),
  async (t) => {
    const scripts = Object.keys(GOLDENS.formats).flatMap((format) =>
      listFiles(join(FIXTURES, 'export', format))
        .filter((path) => SCRIPTS.test(path))
        .map((path) => join(FIXTURES, 'export', format, path)),
    );
    t.ok(scripts.length > 10, 'scripts found');
    const result = spawnSync(SHELLCHECK ?? '', ['-s', 'sh', '-S', 'warning', ...scripts], {
      encoding: 'utf8',
    });
    t.equal(result.status, 0, result.stdout);
  },
);

t.test(
  'systemd: units with every tricky value pass systemd-analyze verify',
  skipUnless(SYSTEMD_ANALYZE, 'systemd-analyze', 'systemd'),
  async (t) => {
    const app = trickyApp(t, []);
    const result = await runCli(t, ['export', 'systemd', 'out', '-a', 'tricky', '-u', 'app'], {
      cwd: app.cwd,
      env: quietEnv(Object.keys(TRICKY.env)),
    });
    t.equal(result.exitCode, 0, result.stderr);
    const dir = join(app.cwd, 'out');
    verifyUnits(
      t,
      dir,
      listFiles(dir).filter((path) => /\.(service|target)$/.test(path)),
    );
  },
);

t.test('exporting never runs the app, and leaves the shell env out', async (t) => {
  const cwd = t.testdir({
    Procfile: 'release: touch released\nweb: touch ran\n',
    '.env': 'A=from-file\n',
  });
  const result = await runCli(t, ['export', 'systemd', '-a', 'app'], {
    cwd,
    env: { ...quietEnv(['A']), LEAKY_SHELL_VAR: 'leak' },
  });
  t.equal(result.exitCode, 0, result.stderr);
  t.notOk(existsSync(join(cwd, 'ran')) || existsSync(join(cwd, 'released')), 'nothing ran');
  t.match(result.stdout, /^wrote systemd\/app\.target$/m, 'DIR defaults to ./FORMAT');
  const env = readFileSync(join(cwd, 'systemd/app.env'), 'utf8');
  t.match(env, /^A="from-file"$/m);
  t.notMatch(env, /LEAKY_SHELL_VAR|PATH|HOME/);
  t.equal(modeOf(join(cwd, 'systemd/app.env')), '600');
});

t.test('the app name defaults to the root folder’s name', async (t) => {
  const cwd = t.testdir({ 'Shop Front': { Procfile: 'web: node web.js\n' } });
  const result = await runCli(t, ['export', 'launchd', 'out', '-d', 'Shop Front'], {
    cwd,
    env: quietEnv(),
  });
  t.equal(result.exitCode, 0, result.stderr);
  t.same(readdirSync(join(cwd, 'out')).sort(), [
    'shop-front-run',
    'shop-front.env',
    'shop-front.web.1.plist',
  ]);
});

t.test('usage errors exit 2 with one line and a hint', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n' });
  const cases: [string[], string][] = [
    [
      ['export', 'k8s'],
      'foreman-ts: unknown format "k8s" (hint: known: compose, kubernetes, launchd, runit, supervisord, systemd)\n',
    ],
    [
      ['export', 'kubernetes'],
      'foreman-ts: kubernetes needs the image to run (hint: pass --image, e.g. --image registry.example.com/app:1.0)\n',
    ],
    [
      ['export', 'systemd', '--run', 'node x.js'],
      'foreman-ts: --run is for kubernetes only, not systemd (hint: on a host, use "foreman-ts run COMMAND")\n',
    ],
    [
      ['export', 'systemd', '-a', 'My App'],
      'foreman-ts: bad app name "My App" (hint: use at most 40 lowercase letters, digits and "-", e.g. "my-app")\n',
    ],
  ];
  for (const [args, stderr] of cases) {
    const result = await runCli(t, args, { cwd, env: quietEnv() });
    t.equal(result.exitCode, 2, args.join(' '));
    t.equal(result.stderr, stderr);
  }
  t.same(readdirSync(cwd), ['Procfile'], 'nothing written');
});

t.test('kubernetes --run writes only the one-off Job', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n' });
  const result = await runCli(
    t,
    ['export', 'kubernetes', 'k', '--image', 'app:1', '--run', 'node migrate.js'],
    { cwd, env: quietEnv() },
  );
  t.equal(result.exitCode, 0, result.stderr);
  t.same(readdirSync(join(cwd, 'k')), ['run-job.yaml']);
});

t.test('a file in the way of DIR is reported, not thrown', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n', out: 'a file' });
  const result = await runCli(t, ['export', 'systemd', 'out'], { cwd, env: quietEnv() });
  t.equal(result.exitCode, 1);
  t.match(
    result.stderr,
    /^foreman-ts: cannot write to .*\/out: it is a file, not a folder \(hint: /,
  );
});

t.test('writeFiles replaces files atomically and sets modes exactly', async (t) => {
  const dir = t.testdir({ 'a.env': 'old' });
  const previous = process.umask(0o077);
  t.teardown(() => process.umask(previous));
  await writeFiles(dir, [
    { path: 'a.env', content: 'new', mode: 0o600 },
    { path: 'x/y/run', content: '#!/bin/sh\n', mode: 0o755 },
    { path: 'plain', content: '' },
  ]);
  t.equal(readFileSync(join(dir, 'a.env'), 'utf8'), 'new');
  t.same(
    [modeOf(join(dir, 'a.env')), modeOf(join(dir, 'x/y/run')), modeOf(join(dir, 'plain'))],
    ['600', '755', '644'],
  );
  t.same(listFiles(dir), ['a.env', 'plain', 'x/y/run'], 'no temp files left');
  await t.rejects(
    writeFiles(dir, [{ path: '../escape', content: '' }]),
    /outside the export folder/,
  );
});

t.test(
  'a name too long for the file system stops the export before anything is written',
  async (t) => {
    const type = 'w'.repeat(300);
    const cwd = t.testdir({ Procfile: `web: node web.js\n${type}: node worker.js\n` });
    for (const format of ['systemd', 'runit', 'supervisord', 'launchd']) {
      const result = await runCli(t, ['export', format, `out-${format}`, '-a', 'app'], {
        cwd,
        env: quietEnv(),
      });
      t.not(result.exitCode, 70, `${format}: not an internal error`);
      if (result.exitCode === 0) continue; // supervisord puts every program in one file
      t.equal(result.exitCode, 1, `${format}: ${result.stderr}`);
      t.match(result.stderr, /^foreman-ts: Procfile:2: /, 'names the Procfile line');
      t.notOk(existsSync(join(cwd, `out-${format}`)), `${format}: nothing written`);
    }
  },
);
