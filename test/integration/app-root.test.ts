import { chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { bin, runCli, startCli, type TapTest } from '../helpers/cli.js';

/** A Rails-like app: the release is in the root, the user stands in app/models. */
function app(t: TapTest, extra: object = {}) {
  const root = t.testdir({
    Procfile: `web: ${bin('echo-env.mjs')} web.json --stay\nworker: printf '[%s]'\n`,
    '.env': 'DATABASE_URL=postgres://db/app\n',
    app: { models: { 'user.rb': '' } },
    ...extra,
  });
  return { root, models: join(root, 'app', 'models') };
}

t.test('run from a deep subfolder gets the release and runs in the root', async (t) => {
  const { root, models } = app(t);
  const result = await runCli(t, ['run', 'sh', '-c', 'echo "$DATABASE_URL $(pwd) $PWD"'], {
    cwd: models,
  });
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(result.stdout, `postgres://db/app ${root} ${root}\n`);
  t.equal(result.stderr, '', 'run stays silent about a root it found');
  const web = await runCli(t, ['run', 'worker', 'once'], { cwd: models });
  t.equal(web.exitCode, 0, web.stderr);
  t.equal(web.stdout, '[once]', 'a process type of the Procfile above');
});

t.test('env from a subfolder: the release, and the root named on stderr', async (t) => {
  const { root, models } = app(t);
  const result = await runCli(t, ['env', '--show-secrets'], { cwd: models });
  t.equal(result.exitCode, 0, result.stderr);
  t.match(result.stdout, /^DATABASE_URL=postgres:\/\/db\/app$/m);
  t.match(result.stdout, new RegExp(`^PWD=${root}$`, 'm'));
  t.ok(
    result.stdout.split('\n').every((line) => line === '' || /^[A-Za-z_]\w*=/.test(line)),
    'stdout stays an env file',
  );
  t.equal(
    result.stderr,
    `foreman-ts: the app in ${root} (the nearest folder above with a Procfile or .foreman)\n`,
  );
  const inRoot = await runCli(t, ['env'], { cwd: root });
  t.equal(inRoot.exitCode, 0);
  t.equal(inRoot.stderr, '', 'nothing to say in the root itself');
});

t.test('check from a subfolder validates the app above and names its root', async (t) => {
  const { root, models } = app(t);
  const result = await runCli(t, ['check'], { cwd: models });
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(result.stdout, `valid procfile detected (web, worker)\nroot: ${root}\n`);
  writeFileSync(join(root, 'Procfile'), 'web node x\n');
  const bad = await runCli(t, ['check'], { cwd: models });
  t.equal(bad.exitCode, 1);
  t.match(bad.stderr, /Procfile:1: expected "name: command"/);
});

t.test('start from a subfolder runs the formation in the root', async (t) => {
  const { root, models } = app(t);
  const cli = startCli(t, ['start', 'web'], { cwd: models });
  await cli.waitFor(/web\.1 +\| dumped/);
  cli.signal('SIGTERM');
  t.equal((await cli.result).exitCode, 0);
  const dump = JSON.parse(readFileSync(join(root, 'web.json'), 'utf8')) as {
    cwd: string;
    env: Record<string, string>;
  };
  t.equal(dump.cwd, root);
  t.equal(dump.env.DATABASE_URL, 'postgres://db/app');
});

t.test('the control clients find the start of the app from a subfolder', async (t) => {
  const { root, models } = app(t);
  const cli = startCli(t, ['start', 'web'], { cwd: root });
  await cli.waitFor(/web\.1 +\| dumped/);
  const status = await runCli(t, ['status', '--json'], { cwd: models });
  t.equal(status.exitCode, 0, status.stderr);
  t.match(status.stdout, /"web\.1"/);
  const quit = await runCli(t, ['quit'], { cwd: models });
  t.equal(quit.exitCode, 0, quit.stderr);
  t.equal((await cli.result).exitCode, 0);
});

t.test('export from a subfolder exports the app above (DIR stays relative to you)', async (t) => {
  const { root, models } = app(t);
  const result = await runCli(t, ['export', 'systemd', 'out'], { cwd: models });
  t.equal(result.exitCode, 0, result.stderr);
  const unit = readdirSync(join(models, 'out')).find((name) => name.endsWith('web.1.service'));
  t.ok(unit, result.stdout);
  const text = readFileSync(join(models, 'out', unit ?? ''), 'utf8');
  t.match(text, `\nWorkingDirectory=${root}\n`);
});

t.test('a .foreman marks a root too (Procfile.dev apps); the nearest marker wins', async (t) => {
  const root = t.testdir({
    'Procfile.dev': "web: printf '<%s>' dev\n",
    '.foreman': 'procfile: Procfile.dev\n',
    app: { Procfile: "web: printf '<%s>' nested\n", deep: {} },
    lib: { tasks: {} },
  });
  const dev = await runCli(t, ['run', 'web'], { cwd: join(root, 'lib', 'tasks') });
  t.equal(dev.exitCode, 0);
  t.equal(dev.stdout, '<dev>', dev.stderr);
  const nested = await runCli(t, ['run', 'web'], { cwd: join(root, 'app', 'deep') });
  t.equal(nested.exitCode, 0);
  t.equal(nested.stdout, '<nested>', 'a Procfile nearer than the .foreman wins');
});

t.test('-d, -f and FOREMAN_TS_ROOT still win over the search', async (t) => {
  const { root, models } = app(t, { other: { Procfile: "web: printf '<%s>' other\n" } });
  const web = async (args: string[], env = {}) => {
    const result = await runCli(t, ['run', ...args, 'web'], { cwd: models, env });
    t.equal(result.exitCode, 0, result.stderr);
    return result.stdout;
  };
  t.equal(await web(['-d', join(root, 'other')]), '<other>');
  t.equal(await web(['-f', '../../other/Procfile']), '<other>');
  t.equal(await web([], { FOREMAN_TS_ROOT: join(root, 'other') }), '<other>');
});

t.test('no app anywhere up the tree: run says what it used', async (t) => {
  const dir = t.testdir({ only: { '.env': 'FROM_DOTENV=1\n' }, empty: {} });
  const dotenv = await runCli(t, ['run', 'sh', '-c', 'echo "$FROM_DOTENV $(pwd)"'], {
    cwd: join(dir, 'only'),
  });
  t.equal(dotenv.exitCode, 0);
  t.equal(dotenv.stdout, `1 ${join(dir, 'only')}\n`, 'a folder with only a .env works as before');
  t.equal(dotenv.stderr, '');
  const empty = await runCli(t, ['run', 'true'], { cwd: join(dir, 'empty') });
  t.equal(empty.exitCode, 0);
  t.equal(
    empty.stderr,
    `foreman-ts: no Procfile or .foreman in ${join(dir, 'empty')} or a folder above it, and no ` +
      `.env there: using the inherited environment only (hint: run it in the app's folder, or ` +
      'pass -d/--root)\n',
  );
  const check = await runCli(t, ['check'], { cwd: join(dir, 'empty') });
  t.equal(check.exitCode, 1);
  t.equal(
    check.stderr,
    `foreman-ts: no Procfile in ${join(dir, 'empty')} or a folder above it (hint: run it in ` +
      "the app's folder, or pass -f/--procfile or -d/--root)\n",
  );
});

const isRoot = process.getuid?.() === 0;

t.test(
  "the search never crosses into another user's folder or file",
  { skip: isRoot ? false : 'needs root to give files to another user' },
  async (t) => {
    const dir = t.testdir({
      theirs: { Procfile: 'web: true\n', '.env': 'THEIRS=1\n', mine: {} },
      planted: { Procfile: 'web: true\n', '.env': 'PLANTED=1\n', mine: {} },
    });
    const nobody = 65534;
    chownSync(join(dir, 'theirs'), nobody, nobody);
    chownSync(join(dir, 'planted', 'Procfile'), nobody, nobody);
    mkdirSync(join(dir, 'planted', 'mine', 'sub'));
    for (const cwd of [join(dir, 'theirs', 'mine'), join(dir, 'planted', 'mine', 'sub')]) {
      const result = await runCli(t, ['run', 'sh', '-c', 'echo "[$THEIRS$PLANTED] $(pwd)"'], {
        cwd,
      });
      t.equal(result.exitCode, 0);
      t.equal(result.stdout, `[] ${cwd}\n`, cwd);
      t.match(result.stderr, /no Procfile or \.foreman in/);
    }
  },
);
