import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, testPort } from '../helpers/cli.js';

/** A Procfile whose processes print what they see, so a run shows the release it got. */
const SHOW = 'echo "PORT=$PORT PS=$PS FOO=$FOO BAR=$BAR PWD=$(pwd)"';

t.test('ports by Procfile slot and instance, and PS per process', async (t) => {
  const dir = t.testdir({
    Procfile: `web: ${SHOW}; sleep 0.5\nworker: ${SHOW}; sleep 0.5\nclock: ${SHOW}; sleep 0.5\n`,
  });
  const result = await runCli(t, ['start', '-m', 'web=2,worker=1', '--no-timestamp'], { cwd: dir });
  const port = testPort(t);
  t.match(result.stdout, new RegExp(`web\\.1 +\\| PORT=${port} PS=web\\.1`));
  t.match(result.stdout, new RegExp(`web\\.2 +\\| PORT=${port + 1} PS=web\\.2`));
  t.match(result.stdout, new RegExp(`worker\\.1 +\\| PORT=${port + 100} PS=worker\\.1`));
  t.notMatch(result.stdout, /clock\.1/);
  const subset = await runCli(t, ['start', 'clock', '-p', '7000', '--no-timestamp'], { cwd: dir });
  t.match(subset.stdout, /clock\.1 +\| PORT=7200 PS=clock\.1/, 'a type keeps its slot in a subset');
  t.notMatch(subset.stdout, /web\.1/);
  const fromEnv = await runCli(t, ['start', 'web', '--no-timestamp'], {
    cwd: dir,
    env: { PORT: '6000' },
  });
  t.match(fromEnv.stdout, /web\.1 +\| PORT=6000/, 'PORT in the environment is the base');
});

t.test(
  'env files: .env in the root by default; the shell wins unless --env-override',
  async (t) => {
    const dir = t.testdir({
      Procfile: `a: ${SHOW}\n`,
      '.env': 'FOO=from-file\nBAR=${FOO}-bar # comment\n',
    });
    const plain = await runCli(t, ['start', '--no-timestamp'], { cwd: dir });
    t.match(plain.stdout, /FOO=from-file BAR=from-file-bar/);
    const shell = await runCli(t, ['start', '--no-timestamp'], {
      cwd: dir,
      env: { FOO: 'from-shell' },
    });
    t.match(shell.stdout, /FOO=from-shell BAR=from-shell-bar/);
    const override = await runCli(t, ['start', '--no-timestamp', '--env-override'], {
      cwd: dir,
      env: { FOO: 'from-shell' },
    });
    t.match(override.stdout, /FOO=from-file BAR=from-file-bar/);
  },
);

t.test('-e files, later ones winning; .foreman defaults; flags beat both', async (t) => {
  const dir = t.testdir({
    Procfile: `a: ${SHOW}\n`,
    'one.env': 'FOO=one\nBAR=one\n',
    'two.env': 'FOO=two\n',
    '.foreman': 'env: [one.env, two.env]\nport: 4000\ntimestamp: false\nenv_override: true\n',
  });
  const result = await runCli(t, ['start'], { cwd: dir, env: { BAR: 'shell' }, port: false });
  t.match(result.stdout, /^a\.1 +\| PORT=4000 PS=a\.1 FOO=two BAR=one/m);
  const flags = await runCli(t, ['start', '-e', 'one.env', '-p', '4500'], { cwd: dir });
  t.match(flags.stdout, /PORT=4500 PS=a\.1 FOO=one BAR=one/);
});

t.test(
  '-f sub/Procfile: the root is its folder, with its .env and working directory',
  async (t) => {
    const dir = t.testdir({
      '.env': 'FOO=outer\n',
      sub: { Procfile: `a: ${SHOW}\n`, '.env': 'FOO=inner\n' },
    });
    const result = await runCli(t, ['start', '-f', 'sub/Procfile', '--no-timestamp'], { cwd: dir });
    t.match(result.stdout, new RegExp(`FOO=inner BAR= PWD=${join(dir, 'sub')}$`, 'm'));
    const root = await runCli(t, ['start', '-d', 'sub', '--no-timestamp'], { cwd: dir });
    t.match(root.stdout, /FOO=inner/);
  },
);

t.test(
  'bad input: one line per problem with file:line and a fix, exit 1, nothing started',
  async (t) => {
    const dir = t.testdir({ Procfile: 'web: ok\nbroken line\n', '.env': 'A=1\nB="open\n' });
    const result = await runCli(t, ['start'], { cwd: dir });
    t.equal(result.exitCode, 1);
    t.equal(result.stdout, '');
    t.equal(
      result.stderr,
      'foreman-ts: Procfile:2: expected "name: command", got "broken line" (hint: write "name: command", with a colon after the process type)\n' +
        'foreman-ts: .env:2: B: unterminated " quote at column 3 (hint: close it with ", or write a " inside the value as \\")\n',
    );
  },
);

t.test('missing files are named with a fix', async (t) => {
  const empty = t.testdir({});
  const none = await runCli(t, ['start'], { cwd: empty });
  t.equal(none.exitCode, 1);
  t.equal(
    none.stderr,
    `foreman-ts: no Procfile in ${empty} or a folder above it (hint: run it in the app's ` +
      'folder, or pass -f/--procfile or -d/--root)\n',
  );
  const named = await runCli(t, ['start', '-f', 'Procfile.dev'], { cwd: empty });
  t.match(
    named.stderr,
    /^foreman-ts: Procfile\.dev: no such file \(hint: pass -f\/--procfile or -d\/--root\)\n$/,
  );
  const env = await runCli(t, ['start', '-e', 'nope.env'], {
    cwd: t.testdir({ Procfile: 'a: true\n' }),
  });
  t.match(env.stderr, /nope\.env: no such file \(hint: check -e\/--env\)/);
  const foreman = await runCli(t, ['start'], {
    cwd: t.testdir({ Procfile: 'a: true\n', '.foreman': 'timeout: 1\nproc: x\n' }),
  });
  t.match(foreman.stderr, /\.foreman:2: unknown key "proc"/);
  const formation = await runCli(t, ['start', '-m', 'wbe=1'], {
    cwd: t.testdir({ Procfile: 'web: true\n' }),
  });
  t.equal(formation.exitCode, 2);
  t.match(formation.stderr, /unknown process type "wbe" \(hint: known: web\)/);
});

t.test('.foreman settings that name what is not there are errors at their line', async (t) => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    [
      'port: 3000\nroot: nowhere\n',
      '.foreman:2: "root": root folder DIR/nowhere does not exist (hint: fix "root" in .foreman)',
    ],
    [
      'procfile: Procfile.dve\n',
      '.foreman:1: "procfile": Procfile.dve: no such file (hint: fix "procfile" in .foreman)',
    ],
    [
      'env: [.env, missing.env]\n',
      '.foreman:1: "env": missing.env: no such file (hint: fix "env" in .foreman)',
    ],
    [
      'formation:\n  wbe: 1\n',
      '.foreman:1: "formation": unknown process type "wbe" (hint: known: web)',
    ],
    [
      'timeout: 1\nformation: web=101\n',
      '.foreman:2: "formation": web=101 is too many (hint: at most 100 instances per type)',
    ],
  ];
  for (const [foreman, message] of cases) {
    const dir = t.testdir({ Procfile: 'web: true\n', '.env': 'A=1\n', '.foreman': foreman });
    for (const command of ['start', 'check']) {
      const result = await runCli(t, [command], { cwd: dir });
      t.equal(result.exitCode, 1, `${command} with ${foreman}`);
      t.equal(result.stderr, `foreman-ts: ${message.replace('DIR', dir)}\n`);
    }
  }
  const dir = t.testdir({ Procfile: 'web: true\n', '.foreman': 'formation: wbe=1\n' });
  const flag = await runCli(t, ['check', '-m', 'web=1'], { cwd: dir });
  t.equal(flag.exitCode, 0, 'a flag that overrides the setting leaves nothing to blame on it');
});

t.test('check: valid, or every problem with file:line', async (t) => {
  const dir = t.testdir({ Procfile: 'web: a\nworker: b\n' });
  const ok = await runCli(t, ['check'], { cwd: dir });
  t.equal(ok.exitCode, 0);
  t.equal(ok.stdout, `valid procfile detected (web, worker)\nroot: ${dir}\n`);
  const bad = await runCli(t, ['check'], {
    cwd: t.testdir({ Procfile: 'a: x\na: y\nb c\n', '.env': "K='x\n" }),
  });
  t.equal(bad.exitCode, 1);
  t.equal(bad.stderr.trim().split('\n').length, 3);
  t.match(bad.stderr, /Procfile:2: "a" is defined twice/);
  t.match(bad.stderr, /Procfile:3: expected "name: command"/);
  t.match(bad.stderr, /\.env:1: K: unterminated ' quote at column 3/);
});

t.test('check reads the formation and ports as start would (-m, -p and their twins)', async (t) => {
  const dir = t.testdir({ Procfile: 'web: a\nworker: b\n' });
  const ok = await runCli(t, ['check', '-m', 'web=2,worker=1', '-p', '3000'], { cwd: dir });
  t.equal(ok.exitCode, 0, ok.stderr);
  const typo = await runCli(t, ['check', '-m', 'wbe=1'], { cwd: dir });
  t.equal(typo.exitCode, 2);
  t.match(typo.stderr, /unknown process type "wbe" \(hint: known: web, worker\)/);
  const high = await runCli(t, ['check', '-p', '65500'], { cwd: dir });
  t.equal(high.exitCode, 2);
  t.match(high.stderr, /worker\.1 would get port 65600/);
  const twin = await runCli(t, ['check'], { cwd: dir, env: { FOREMAN_TS_FORMATION: 'wbe=1' } });
  t.equal(twin.exitCode, 2);
  t.match(twin.stderr, /unknown process type "wbe"/);
});

t.test('help and version', async (t) => {
  const help = await runCli(t, ['start', '--help'], { cwd: t.testdir({}) });
  t.equal(help.exitCode, 0);
  t.match(help.stdout, /Usage: foreman-ts start/);
  const version = await runCli(t, ['--version'], { cwd: t.testdir({}) });
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  t.equal(version.stdout, `foreman-ts ${pkg.version}\n`);
  const usage = await runCli(t, ['strat'], { cwd: t.testdir({}) });
  t.equal(usage.exitCode, 2);
  t.match(usage.stderr, /unknown command "strat"/);
  const topic = await runCli(t, ['help', 'bogus'], { cwd: t.testdir({}) });
  t.equal(topic.exitCode, 2);
  t.equal(topic.stdout, '');
  t.equal(
    topic.stderr,
    'foreman-ts: unknown command "bogus" (hint: commands: start, run, check, env, export, ' +
      'status, restart, stop, scale, quit, attach, help, version)\n',
  );
  t.equal((await runCli(t, ['help', 'run'], { cwd: t.testdir({}) })).exitCode, 0);
});
