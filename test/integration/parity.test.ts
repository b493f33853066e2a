import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { bin, runCli, startCli, testPort } from '../helpers/cli.js';
import type { TapTest } from '../helpers/cli.js';

type Dump = { cwd: string; env: Record<string, string> };

/** What a process saw: its working directory and environment. */
function read(path: string): Dump {
  return JSON.parse(readFileSync(path, 'utf8')) as Dump;
}

function without(env: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !keys.includes(key)));
}

/**
 * Twelve-factor XII, checked: the same dump under `start` (as a formation process) and under
 * `run` (as an admin process) must be identical but for PORT and PS.
 */
async function compare(
  t: TapTest,
  {
    dir,
    cwd,
    args,
    env,
    port,
  }: {
    dir: string;
    cwd: string;
    args: readonly string[];
    env?: Record<string, string>;
    port?: false;
  },
): Promise<{ start: Dump; run: Dump }> {
  const startDump = join(dir, 'start.json');
  const runDump = join(dir, 'run.json');
  const cli = startCli(t, ['start', ...args], { cwd, env, port });
  await cli.waitFor(/dump\.1 +\| dumped/);
  cli.signal('SIGTERM');
  t.equal((await cli.result).exitCode, 0);
  const run = await runCli(
    t,
    ['run', ...args, 'node', join(process.cwd(), 'fixtures/bin/echo-env.mjs'), runDump],
    {
      cwd,
      env,
    },
  );
  t.equal(run.exitCode, 0, run.stderr);
  const start = read(startDump);
  const admin = read(runDump);
  t.equal(start.env.PS, 'dump.1');
  t.equal(admin.env.PS, 'run.1');
  t.same(
    without(admin.env, ['PORT', 'PS']),
    without(start.env, ['PORT', 'PS']),
    'identical but PORT and PS',
  );
  t.equal(admin.cwd, start.cwd, 'same working directory');
  return { start, run: admin };
}

const procfile = (dump: string) => `dump: ${bin('echo-env.mjs')} ${dump} --stay\n`;

t.test('parity: a plain checkout with a .env', async (t) => {
  const dir = t.testdir({ '.env': 'FROM_DOTENV=1\nDATABASE_URL=postgres://u:p@db/app\n' });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'Procfile'), procfile(join(dir, 'start.json')));
  const { start } = await compare(t, { dir, cwd: dir, args: [] });
  t.equal(start.env.FROM_DOTENV, '1');
  t.equal(start.env.PORT, String(testPort(t)));
});

t.test('parity: -f sub/Procfile, run from the parent folder', async (t) => {
  const dir = t.testdir({ sub: { '.env': 'WHERE=sub\n' } });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'sub', 'Procfile'), procfile(join(dir, 'start.json')));
  const { start } = await compare(t, { dir, cwd: dir, args: ['-f', 'sub/Procfile'] });
  t.equal(start.env.WHERE, 'sub');
  t.equal(start.cwd, join(dir, 'sub'));
});

t.test('parity: from a subdirectory, with -d', async (t) => {
  const dir = t.testdir({ '.env': 'A=1\n', deep: { er: {} } });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'Procfile'), procfile(join(dir, 'start.json')));
  const { run } = await compare(t, { dir, cwd: join(dir, 'deep', 'er'), args: ['-d', '../..'] });
  t.equal(run.cwd, dir);
  t.equal(run.env.PWD, dir);
});

t.test('parity: from a deep subfolder, found without -d (.foreman included)', async (t) => {
  const dir = t.testdir({
    '.env': 'A=1\nDATABASE_URL=postgres://db/app\n',
    '.foreman': 'env_override: true\n',
    app: { models: { concerns: { deep: {} } } },
  });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'Procfile'), procfile(join(dir, 'start.json')));
  const cwd = join(dir, 'app', 'models', 'concerns', 'deep');
  const { start, run } = await compare(t, { dir, cwd, args: [], env: { A: 'shell' } });
  t.equal(run.cwd, dir);
  t.equal(run.env.PWD, dir);
  t.equal(run.env.DATABASE_URL, 'postgres://db/app');
  t.equal(start.env.A, '1', "the root's .foreman applies (env_override)");
});

t.test('parity: several -e files and --env-override', async (t) => {
  const dir = t.testdir({ 'a.env': 'X=a\nY=a\n', 'b.env': 'Y=b\nZ=${Y}-z\n' });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'Procfile'), procfile(join(dir, 'start.json')));
  const { start } = await compare(t, {
    dir,
    cwd: dir,
    args: ['-e', 'a.env,b.env', '--env-override'],
    env: { Y: 'shell' },
  });
  t.same([start.env.X, start.env.Y, start.env.Z], ['a', 'b', 'b-z']);
});

t.test('parity: .foreman defaults', async (t) => {
  const dir = t.testdir({ 'dev.env': 'FROM=dev\n', '.foreman': 'env: dev.env\nport: 4000\n' });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'Procfile.dev'), procfile(join(dir, 'start.json')));
  writeFileSync(join(dir, '.foreman'), 'env: dev.env\nport: 4000\nprocfile: Procfile.dev\n');
  const { start, run } = await compare(t, { dir, cwd: dir, args: [], port: false });
  t.equal(start.env.FROM, 'dev');
  t.equal(start.env.PORT, '4000');
  t.equal(run.env.PORT, '4000', '.foreman port is the -p default, for run too');
});
