import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { bin, FIXTURES, runCli, runCliOk, startCli, type TapTest } from '../helpers/cli.js';

/**
 * `run` beside a running `start` (docs/run.md): the audit trail in start's log stream, the
 * drift warning and --strict-release, and `run --detach`.
 */

const hasGit = ((): boolean => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const NO_GIT = hasGit ? false : 'git is not installed';

const GIT_ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** Its own checkout, so the root's commit is the test's, not the project's. */
function checkout(dir: string): void {
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'first');
}

const FILES = {
  Procfile: `web: ${bin('forever.mjs')} web\n`,
  '.env': 'DATABASE_URL=postgres://app:hunter2@db/app\nMODE=dev\n',
};

async function running(t: TapTest, args: string[] = [], files: Record<string, string> = FILES) {
  const dir = t.testdir(files);
  if (hasGit) checkout(dir);
  const cli = startCli(t, ['start', '--no-timestamp', ...args], { cwd: dir });
  await cli.waitFor(/web\.1 +\| ready web|"process":"web\.1".*"msg":"ready web"/);
  return { dir, cli };
}

t.test(
  'a run beside start is announced in its log, its output stays with the caller',
  async (t) => {
    const { dir, cli } = await running(t);
    const run = await runCli(t, ['run', 'sh', '-c', 'echo admin-output; exit 3'], { cwd: dir });
    t.equal(run.exitCode, 3);
    t.equal(run.stdout, 'admin-output\n');
    t.equal(run.stderr, '', 'nothing changed: no warning, no extra output');
    await cli.waitFor(/run\.1 exited with code 3/);
    t.match(
      cli.output(),
      /system \| run\.1 started: sh -c 'echo admin-output; exit 3' \(pid \d+\)\n/,
    );
    t.notMatch(cli.output(), /admin-output\n/, 'the admin output is not in the log stream');
    const second = await runCli(t, ['run', 'true'], { cwd: dir });
    t.equal(second.exitCode, 0);
    await cli.waitFor(/run\.2 exited with code 0/);
  },
);

t.test(
  'JSON events run-started and run-exited: argv, pid, code, duration, release, user',
  async (t) => {
    const { dir, cli } = await running(t, ['--log-format', 'json']);
    const identity = JSON.parse(
      await cli.waitFor(/\{[^\n]*"event":"release-identity"[^\n]*\}/),
    ) as {
      release: string;
    };
    const run = await runCli(t, ['run', 'echo', 'hi', '--password', 's3cret-value'], {
      cwd: dir,
      env: { USER: 'deployer' },
    });
    t.equal(run.exitCode, 0);
    const exited = JSON.parse(await cli.waitFor(/\{[^\n]*"event":"run-exited"[^\n]*\}/)) as object;
    const started = JSON.parse(
      (/\{[^\n]*"event":"run-started"[^\n]*\}/.exec(cli.output()) ?? ['{}'])[0],
    ) as object;
    const facts = {
      process: 'run.1',
      argv: ['echo', 'hi', '--password', '********'],
      user: /^deployer \(uid \d+\)$/,
      release: identity.release,
      drift: '',
      detached: false,
    };
    t.match(started, { ...facts, event: 'run-started', pid: Number, level: 30 });
    t.match(exited, { ...facts, event: 'run-exited', code: 0, durationMs: Number });
    t.notMatch(cli.output(), /s3cret-value/, 'a secret in argv is masked');
  },
);

t.test('after editing .env, run warns naming the changed keys, never values', async (t) => {
  const { dir, cli } = await running(t);
  writeFileSync(
    join(dir, '.env'),
    'DATABASE_URL=postgres://app:other@db/app\nMODE=dev\nNEW_KEY=xyz\n',
  );
  const run = await runCli(t, ['run', 'echo', 'ran'], { cwd: dir });
  t.equal(run.exitCode, 0, 'it runs the command as asked');
  t.equal(run.stdout, 'ran\n');
  const warning = run.stderr.trim().split('\n');
  t.equal(warning.length, 1, 'one warning line');
  t.match(
    warning[0],
    /^foreman-ts: warning: run\.1: your release [0-9a-f]{7} is not the one the running start uses \([0-9a-f]{7}\): env DATABASE_URL changed, NEW_KEY added$/,
  );
  t.notMatch(run.stderr, /other|xyz|hunter2/);
  await cli.waitFor(/run\.1 exited with code 0/);
  t.match(
    cli.output(),
    /run\.1 started: echo ran \(pid \d+\); its release [0-9a-f]{7} is not the formation's: env DATABASE_URL changed, NEW_KEY added/,
  );
  t.notMatch(cli.output(), /other|xyz/);
});

t.test('a new commit in the root is reported as drift', { skip: NO_GIT }, async (t) => {
  const { dir } = await running(t);
  const before = git(dir, 'rev-parse', 'HEAD').slice(0, 7);
  writeFileSync(join(dir, 'app.rb'), 'puts 1\n');
  git(dir, 'add', 'app.rb');
  git(dir, 'commit', '-q', '-m', 'second');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'third');
  const after = git(dir, 'rev-parse', 'HEAD').slice(0, 7);
  const run = await runCli(t, ['run', 'true'], { cwd: dir });
  t.equal(run.exitCode, 0);
  t.match(run.stderr, `formation runs ${before}, you are at ${after}, 2 commits ahead\n`);
  const status = await runCliOk(t, ['status'], { cwd: dir });
  t.match(status.stdout, new RegExp(`^release [0-9a-f]{7} \\(commit ${before}\\)$`, 'm'));
});

t.test('--strict-release (and strict_release in .foreman) refuses to run', async (t) => {
  const { dir, cli } = await running(t);
  appendFileSync(join(dir, 'Procfile'), `worker: ${bin('forever.mjs')} worker\n`);
  const marker = join(dir, 'ran');
  const refused = await runCli(t, ['run', '--strict-release', 'touch', marker], { cwd: dir });
  t.equal(refused.exitCode, 1);
  t.match(
    refused.stderr,
    /^foreman-ts: refused \(--strict-release\): run\.1: .*: Procfile worker added \(hint: restart the formation/,
  );
  t.equal(existsSync(marker), false, 'the command did not run');
  await cli.waitFor(/run\.1 refused \(strict release\): touch /);
  writeFileSync(join(dir, '.foreman'), 'strict_release: true\n');
  const byFile = await runCli(t, ['run', 'touch', marker], { cwd: dir });
  t.equal(byFile.exitCode, 1);
  t.equal(existsSync(marker), false);
});

t.test(
  'run --detach: output as run.N, its exit never ends the formation, shutdown stops it',
  async (t) => {
    const { dir, cli } = await running(t);
    const once = await runCli(t, ['run', '--detach', 'sh', '-c', 'echo from-detached; exit 4'], {
      cwd: dir,
    });
    t.equal(once.exitCode, 0, once.stderr);
    t.equal(once.stdout, 'run.1\n');
    await cli.waitFor(/run\.1 exited with code 4/);
    t.match(cli.output(), /^run\.1 +\| from-detached$/m);
    const status = await runCliOk(t, ['status'], { cwd: dir });
    t.match(status.stdout, /^web\.1 +\d+ +running/m, 'the formation runs on');
    t.match(status.stdout, /^run\.1 +- +exited .*exited with code 4$/m);
    const forever = join(FIXTURES, 'bin', 'forever.mjs');
    const long = await runCliOk(t, ['run', '--detach', 'node', forever, 'admin'], { cwd: dir });
    t.equal(long.stdout, 'run.2\n');
    await cli.waitFor(/run\.2 +\| ready admin/);
    t.match((await runCliOk(t, ['status'], { cwd: dir })).stdout, /^run\.2 +\d+ +running/m);
    const restart = await runCli(t, ['restart', 'run.2'], { cwd: dir });
    t.equal(restart.exitCode, 1);
    t.match(restart.stderr, /never restarted/);
    t.equal((await runCli(t, ['quit'], { cwd: dir })).exitCode, 0);
    const result = await cli.result;
    t.equal(result.exitCode, 0);
    t.match(result.stdout, /run\.2 terminated by SIGTERM/);
  },
);

t.test('run --detach with no start running says so', async (t) => {
  const result = await runCli(t, ['run', '--detach', 'true'], { cwd: t.testdir(FILES) });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /--detach needs a foreman-ts start running in /);
});

t.test('env --release prints the id start shows', async (t) => {
  const { dir, cli } = await running(t);
  const shown = /system \| release ([0-9a-f]{7})/.exec(cli.output())?.[1];
  const env = await runCli(t, ['env', '--release'], { cwd: dir });
  t.equal(env.exitCode, 0);
  t.match(env.stdout, new RegExp(`^${shown}\\b`));
  t.notMatch(env.stdout, /hunter2/);
});

t.test('restart and scale use the release start began with, and say so', async (t) => {
  const { dir } = await running(t);
  const same = await runCliOk(t, ['restart', 'web'], { cwd: dir });
  t.match(same.stdout, /^restarting web\.1 \(release [0-9a-f]{7}\b.*\)\n$/);
  t.equal(same.stderr, '', 'nothing changed: no note');
  appendFileSync(join(dir, 'Procfile'), `worker: ${bin('forever.mjs')} worker\n`);
  const restart = await runCli(t, ['restart', 'web'], { cwd: dir });
  t.equal(restart.exitCode, 0);
  t.match(
    restart.stderr,
    /^foreman-ts: note: the release changed since this start began \([0-9a-f]{7} now, [0-9a-f]{7} running\); restart used the running one: quit and start again/,
  );
  for (const args of [
    ['scale', 'worker=1'],
    ['restart', 'worker'],
  ]) {
    const refused = await runCli(t, args, { cwd: dir });
    t.equal(refused.exitCode, 1, args.join(' '));
    t.match(
      refused.stderr,
      /^foreman-ts: "worker": in the Procfile now, but not in the release this start began with \([0-9a-f]{7}.*\) \(hint: a running formation keeps its release: quit and start again/,
    );
  }
  const unknown = await runCli(t, ['restart', 'nope'], { cwd: dir });
  t.equal(unknown.exitCode, 1);
  t.match(unknown.stderr, /unknown process "nope"/);
});
