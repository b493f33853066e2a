import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, runCli, runCliOk, startCli, testPort } from '../helpers/cli.js';

t.test('release runs first, as release.1; the formation starts once it exits 0', async (t) => {
  const procfile = `web: ${bin('forever.mjs')} web\nrelease: echo "migrating PS=$PS PORT=\${PORT-none}"\n`;
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: t.testdir({ Procfile: procfile }) });
  await cli.waitFor(/web\.1 +\| ready web/);
  cli.signal('SIGTERM');
  const { stdout, exitCode } = await cli.result;
  t.equal(exitCode, 0);
  const order = [
    'release.1 started',
    'release.1 | migrating PS=release.1 PORT=none',
    'release.1 exited with code 0',
    'release phase succeeded',
    'web.1 started',
  ];
  const positions = order.map((text) => stdout.replace(/ +\|/g, ' |').indexOf(text));
  t.notOk(positions.includes(-1), `all of: ${order.join(' / ')}`);
  t.same(
    positions,
    [...positions].sort((a, b) => a - b),
    'in that order',
  );
  t.match(stdout, /^web\.1 +\| ready web$/m);
  const first = new RegExp(`web\\.1 started with pid \\d+ \\(PORT=${testPort(t)}\\)`);
  t.match(stdout, first, 'release takes no port slot');
});

t.test('a failing release starts nothing and gives its status', async (t) => {
  const procfile = `release: echo failing; exit 3\nweb: ${bin('forever.mjs')}\n`;
  const result = await runCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
  t.equal(result.exitCode, 3);
  t.match(result.stdout, /release phase failed with code 3: not starting the formation/);
  t.notMatch(result.stdout, /web\.1/);
});

t.test('--no-release skips it; .foreman release: false too', async (t) => {
  const procfile = `release: exit 3\nweb: echo served\n`;
  const flag = await runCli(t, ['start', '--no-release'], {
    cwd: t.testdir({ Procfile: procfile }),
  });
  t.equal(flag.exitCode, 0);
  // The release id line (docs/run.md#releases) is not the release phase: no release.1.
  t.notMatch(flag.stdout, /release\.1|release phase/);
  t.match(flag.stdout, /web\.1 +\| served/);
  const file = await runCli(t, ['start'], {
    cwd: t.testdir({ Procfile: procfile, '.foreman': 'release: false\n' }),
  });
  t.equal(file.exitCode, 0);
});

t.test('a signal during the release phase stops it and starts nothing', async (t) => {
  const procfile = `release: echo working; sleep 30\nweb: ${bin('forever.mjs')}\n`;
  const cli = startCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
  await cli.waitFor(/release\.1 +\| working/);
  cli.signal('SIGINT');
  const result = await cli.result;
  t.match(result.stdout, /SIGINT received: sending SIGTERM to all processes/);
  t.notMatch(result.stdout, /web\.1/);
  t.notMatch(result.stdout, /release phase/);
});

t.test('run release runs it on its own', async (t) => {
  const result = await runCli(t, ['run', 'release'], {
    cwd: t.testdir({ Procfile: 'release: echo migrated\nweb: x\n' }),
  });
  t.equal(result.exitCode, 0);
  t.equal(result.stdout, 'migrated\n');
});

/** A release that waits for the test to let it end, with `code`. */
const gatedProcfile = (code: number) =>
  `release: echo migrating; while [ ! -e go ]; do sleep 0.05; done; exit ${code}\n` +
  `web: ${bin('forever.mjs')} web\nworker: ${bin('forever.mjs')} worker\n`;

t.test('a scale during the release phase waits for it: nothing runs if it fails', async (t) => {
  const dir = t.testdir({ Procfile: gatedProcfile(1) });
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: dir });
  await cli.waitFor(/release\.1 +\| migrating/);
  const scale = await runCli(t, ['scale', 'web=1'], { cwd: dir });
  t.equal(scale.exitCode, 0);
  t.equal(
    scale.stdout,
    'the release phase is running (release.1): the formation will start at web=1,worker=1 once it exits 0\n',
  );
  const stop = await runCli(t, ['stop', 'web'], { cwd: dir });
  t.equal(stop.exitCode, 1);
  t.match(
    stop.stderr,
    /the release phase is running \(release\.1\); try again when it has finished/,
  );
  writeFileSync(join(dir, 'go'), '');
  const result = await cli.result;
  t.equal(result.exitCode, 1);
  t.match(result.stdout, /release phase failed with code 1: not starting the formation/);
  t.notMatch(result.stdout, /web\.1/, 'web never started against the failed release');
});

t.test('the formation starts after a release that succeeded, at the scale asked for', async (t) => {
  const dir = t.testdir({ Procfile: gatedProcfile(0) });
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: dir });
  await cli.waitFor(/release\.1 +\| migrating/);
  t.equal((await runCli(t, ['scale', 'web=3'], { cwd: dir })).exitCode, 0);
  t.equal((await runCli(t, ['scale', 'worker=0'], { cwd: dir })).exitCode, 0);
  writeFileSync(join(dir, 'go'), '');
  await cli.waitFor(/web\.3 +\| ready web/);
  const status = await runCliOk(t, ['status'], { cwd: dir });
  t.same(
    [...status.stdout.matchAll(/^(\S+\.\d+) +\d+ +running/gm)].map((match) => match[1]),
    ['web.1', 'web.2', 'web.3'],
    'the scale last asked for: web=3, worker=0',
  );
  const before = cli.output().indexOf('release phase succeeded');
  t.ok(before !== -1 && cli.output().indexOf('web.1 started') > before, 'web starts after it');
  cli.signal('SIGTERM');
  t.equal((await cli.result).exitCode, 0);
});
