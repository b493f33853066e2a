import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import t from 'tap';
import { bin, killMatching, leftovers, runCli, startCli, uniqueSleep } from '../helpers/cli.js';

const hasPrlimit = (() => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

t.test(
  'out of file descriptors: the real cause, tried again, not a failure of the program',
  { skip: hasPrlimit ? false : 'prlimit (util-linux) is not installed' },
  async (t) => {
    const sleeper = uniqueSleep();
    t.teardown(() => killMatching(sleeper.pattern));
    const dir = t.testdir({
      Procfile: `web: ${bin('forever.mjs')} web\nidle: ${sleeper.command}\n`,
    });
    const cli = startCli(t, ['start', '--no-timestamp', '-m', 'web=1,idle=0'], { cwd: dir });
    await cli.waitFor(/web\.1 +\| ready web/);
    // Room for the control request and about ten more processes, not for forty.
    const open = readdirSync(`/proc/${cli.pid}/fd`).length;
    execFileSync('prlimit', ['--pid', String(cli.pid), `--nofile=${open + 10}:${open + 10}`]);
    const scale = await runCli(t, ['scale', 'idle=40'], { cwd: dir });
    t.equal(scale.exitCode, 0, scale.stderr);
    await cli.waitFor(
      /idle\.\d+ could not start: too many open files \(EMFILE; raise the limit \(ulimit -n\) or run fewer processes\); trying again in 1s/,
    );
    t.notMatch(cli.output(), /command not found|exited with code 127/);
    t.notMatch(cli.output(), /sending SIGTERM to all processes/, 'nothing was stopped for it');
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.equal(result.exitCode, 0, 'a clean stop, as asked');
    t.same(leftovers(sleeper.pattern), [], 'the stop reached every process, even out of fds');
  },
);

t.test(
  'an environment too large for exec is said so, not an internal error',
  { skip: hasPrlimit ? false : 'prlimit (util-linux) is not installed' },
  async (t) => {
    // 800 KB of environment: under the 1 MiB that loading allows and the 2 MiB exec allows
    // with the usual 8 MiB stack; over the 512 KiB it allows once the stack limit is 2 MiB.
    const env = Array.from({ length: 8 }, (_, n) => `BIG${n}=${'x'.repeat(100_000)}\n`).join('');
    const dir = t.testdir({
      Procfile: `web: ${bin('forever.mjs')} web\nlate: echo never\n`,
      '.env': env,
    });
    const cli = startCli(t, ['start', '--no-timestamp', '-m', 'web=1,late=0'], { cwd: dir });
    await cli.waitFor(/web\.1 +\| ready web/);
    execFileSync('prlimit', ['--pid', String(cli.pid), `--stack=${2 * 1024 * 1024}:`]);
    const scale = await runCli(t, ['scale', 'late=1'], { cwd: dir });
    t.equal(scale.exitCode, 0, scale.stderr);
    const result = await cli.result;
    t.equal(result.exitCode, 71);
    t.match(
      result.stdout,
      /^system \| late\.1 could not start: its command and environment are too large for exec \(E2BIG; /m,
    );
    t.notMatch(result.all, /internal error|never|command not found/);
  },
);
