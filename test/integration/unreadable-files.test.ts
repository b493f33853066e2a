// Files that are there but cannot be read (a dangling or looping symlink, no permission) are
// one clear line each: what, which file, the fix. None is silently skipped.
import { spawnSync } from 'node:child_process';
import { chmodSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import t from 'tap';
import { CLI, nodeCommand, runCli, testEnv, type CliResult, type TapTest } from '../helpers/cli.js';

t.test('a dangling .env symlink is an error, not a silently missing .env', async (t) => {
  const dir = t.testdir({ Procfile: 'web: true\n' });
  symlinkSync('shared/.env', join(dir, '.env'));
  for (const args of [['run', 'true'], ['check'], ['env']]) {
    const result = await runCli(t, args, { cwd: dir });
    t.equal(result.exitCode, 1, args.join(' '));
    t.equal(
      result.stderr,
      'foreman-ts: .env: a symlink to shared/.env, which does not exist (hint: point the ' +
        'symlink at the real file, or remove it)\n',
    );
  }
});

t.test('symlink loops and dangling Procfile/.foreman links are named with a fix', async (t) => {
  const dir = t.testdir({ Procfile: 'web: true\n' });
  symlinkSync('.env', join(dir, '.env'));
  const loop = await runCli(t, ['run', 'true'], { cwd: dir });
  t.equal(loop.exitCode, 1);
  t.equal(
    loop.stderr,
    'foreman-ts: .env: a loop of symlinks (hint: point the symlink at the real file, or remove it)\n',
  );
  const other = t.testdir({ sub: {} });
  symlinkSync('../gone/Procfile', join(other, 'sub', 'Procfile'));
  const procfile = await runCli(t, ['run', 'true'], { cwd: join(other, 'sub') });
  t.equal(procfile.exitCode, 1, 'a dangling Procfile still marks the root, and is reported');
  t.match(procfile.stderr, /^foreman-ts: Procfile: a symlink to \.\.\/gone\/Procfile, which/);
  const foreman = t.testdir({ Procfile: 'web: true\n' });
  symlinkSync('config/foreman.yml', join(foreman, '.foreman'));
  const defaults = await runCli(t, ['check'], { cwd: foreman });
  t.equal(defaults.exitCode, 1);
  t.match(defaults.stderr, /^foreman-ts: \.foreman: a symlink to config\/foreman\.yml, which/);
});

t.test('a file named by .foreman that leads nowhere is reported at its line', async (t) => {
  const dir = t.testdir({ Procfile: 'web: true\n', '.foreman': 'port: 3000\nenv: [app.env]\n' });
  symlinkSync('/nonexistent/app.env', join(dir, 'app.env'));
  const result = await runCli(t, ['check'], { cwd: dir });
  t.equal(result.exitCode, 1);
  t.equal(
    result.stderr,
    'foreman-ts: .foreman:2: "env": app.env: a symlink to /nonexistent/app.env, which does not ' +
      'exist (hint: point the symlink at the real file, or remove it)\n',
  );
});

const SETPRIV = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
const isRoot = process.geteuid?.() === 0;

function isReachableByOthers(path: string): boolean {
  const parent = dirname(path);
  const isSearchable = (statSync(path).mode & 0o001) !== 0;
  return parent === path ? isSearchable : isSearchable && isReachableByOthers(parent);
}

/** Root reads everything: a file it may not read needs a second user (nobody) to see it. */
const UNREADABLE = !isRoot
  ? {}
  : SETPRIV === ''
    ? { skip: 'setpriv is not installed (Debian package "util-linux")' }
    : !isReachableByOthers(process.cwd())
      ? { skip: 'another user cannot reach the checkout (a folder above it lacks o+x)' }
      : {};

/** The CLI as a user who cannot read a 0000 file: ourselves, or nobody when we are root. */
async function runAsReader(t: TapTest, args: readonly string[], cwd: string): Promise<CliResult> {
  if (!isRoot) return runCli(t, args, { cwd });
  const { execa } = await import('execa');
  const [file, argv] = nodeCommand([CLI, ...args]);
  const setpriv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', file, ...argv];
  const result = await execa('setpriv', setpriv, {
    cwd,
    env: testEnv(t),
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    stripFinalNewline: false,
  });
  return {
    exitCode: result.exitCode,
    signal: result.signal ?? undefined,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    all: '',
    isTimedOut: result.timedOut,
  };
}

t.test('files we may not read say so, with the fix', UNREADABLE, async (t) => {
  const fix =
    '(hint: make it readable by the user running foreman-ts (chmod, chown), or run as its owner)';
  const dir = t.testdir({ Procfile: 'web: true\n', '.env': 'A=1\n' });
  chmodSync(join(dir, '.env'), 0o000);
  const env = await runAsReader(t, ['run', 'true'], dir);
  t.equal(env.exitCode, 1);
  t.equal(env.stderr, `foreman-ts: .env: permission denied ${fix}\n`);
  chmodSync(join(dir, '.env'), 0o644);
  chmodSync(join(dir, 'Procfile'), 0o000);
  const procfile = await runAsReader(t, ['check'], dir);
  t.equal(procfile.exitCode, 1);
  t.equal(procfile.stderr, `foreman-ts: Procfile: permission denied ${fix}\n`);
  const run = await runAsReader(t, ['run', 'true'], dir);
  t.equal(run.exitCode, 1, 'run does not skip a Procfile it cannot read');
  t.equal(run.stderr, `foreman-ts: Procfile: permission denied ${fix}\n`);
});
