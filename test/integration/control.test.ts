import { existsSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { controlPlaceFor } from '../../src/io/control-place.js';
import {
  bin,
  CLI,
  leftovers,
  nodeCommand,
  runCli,
  runCliOk,
  startCli,
  testEnv,
  testPort,
  type TapTest,
} from '../helpers/cli.js';

const procfile = `web: ${bin('forever.mjs')} web\nworker: ${bin('forever.mjs')} worker\n`;

/** Each test gets its own root, hence its own socket; teardown kills what is left. */
async function running(t: TapTest, files: object = { Procfile: procfile }, args: string[] = []) {
  const dir = t.testdir(files as Record<string, string>);
  const cli = startCli(t, ['start', '--no-timestamp', ...args], { cwd: dir });
  await cli.waitFor(/worker\.1 +\| ready worker/);
  return { dir, cli };
}

t.test('status: a table, and --json', async (t) => {
  const { dir, cli } = await running(t);
  const status = await runCli(t, ['status'], { cwd: dir });
  t.equal(status.exitCode, 0, status.stderr);
  t.match(status.stdout, /^PROCESS +PID +STATE +UPTIME +RESTARTS +PORT +LAST EXIT$/m);
  t.match(status.stdout, new RegExp(`^web\\.1 +\\d+ +running +\\d+s +0 +${testPort(t)} +-$`, 'm'));
  const json = JSON.parse((await runCliOk(t, ['status', '--json'], { cwd: dir })).stdout) as {
    pid: number;
    socket: string;
    processes: { process: string; state: string }[];
  };
  t.equal(json.pid, cli.pid);
  t.same(
    json.processes.map((p) => [p.process, p.state]),
    [
      ['web.1', 'running'],
      ['worker.1', 'running'],
    ],
  );
  t.equal(statSync(json.socket).mode & 0o777, 0o600, 'socket is 0600');
  t.equal(statSync(dirname(json.socket)).mode & 0o777, 0o700, 'in a 0700 folder');
});

t.test(
  'stop one process: it stays stopped, the others run on; restart starts it again',
  async (t) => {
    const { dir, cli } = await running(t);
    const stop = await runCli(t, ['stop', 'worker'], { cwd: dir });
    t.equal(stop.exitCode, 0, stop.stderr);
    t.equal(stop.stdout, 'stopping worker.1\n');
    await cli.waitFor(/worker\.1 terminated by SIGTERM/);
    const status = await runCli(t, ['status'], { cwd: dir });
    t.equal(status.exitCode, 0, status.stderr);
    const stopped = `^worker\\.1 +- +stopped +- +0 +${testPort(t) + 100} +terminated by SIGTERM$`;
    t.match(status.stdout, new RegExp(stopped, 'm'));
    t.match(status.stdout, /^web\.1 +\d+ +running/m);
    const restart = await runCli(t, ['restart', 'worker.1'], { cwd: dir });
    t.equal(restart.exitCode, 0, restart.stderr);
    t.match(restart.stdout, /^restarting worker\.1 \(release [0-9a-f]{7}\b.*\)\n$/);
    await cli.waitFor(/worker\.1 +\| ready worker[\s\S]*worker\.1 +\| ready worker/);
    t.match((await runCliOk(t, ['status'], { cwd: dir })).stdout, /^worker\.1 +\d+ +running/m);
  },
);

t.test('restart a running process: graceful stop, then start', async (t) => {
  const { dir, cli } = await running(t);
  const before = cli.output().match(/web\.1 started with pid (\d+)/)?.[1];
  await runCliOk(t, ['restart', 'web'], { cwd: dir });
  await cli.waitFor(/web\.1 terminated by SIGTERM[\s\S]*web\.1 started with pid \d+/);
  const after = [...cli.output().matchAll(/web\.1 started with pid (\d+)/g)].map((m) => m[1]);
  t.equal(after.length, 2);
  t.not(after[1], before);
  t.match(cli.output(), /restart web\.1 \(requested\)/);
});

t.test(
  'scale: new instances take their ports by the slot rule; scaling down stops them',
  async (t) => {
    const { dir, cli } = await running(t);
    const scale = await runCli(t, ['scale', 'web=3,worker=0'], { cwd: dir });
    t.equal(scale.exitCode, 0, scale.stderr);
    t.match(scale.stdout, /^scaled to web=3,worker=0 \(release [0-9a-f]{7}\b.*\)\n$/);
    const port = testPort(t);
    await cli.waitFor(new RegExp(`web\\.3 started with pid \\d+ \\(PORT=${port + 2}\\)`));
    await cli.waitFor(/worker\.1 terminated by SIGTERM/);
    const json = JSON.parse((await runCliOk(t, ['status', '--json'], { cwd: dir })).stdout) as {
      processes: { process: string; port: number }[];
    };
    t.same(
      json.processes.map((p) => [p.process, p.port]),
      [
        ['web.1', port],
        ['web.2', port + 1],
        ['web.3', port + 2],
      ],
    );
  },
);

t.test('no scale request takes start down: out of range is a control error', async (t) => {
  // worker.1 gets 65530 (slot 1): worker=7 would need 65536.
  const dir = t.testdir({ Procfile: procfile });
  const cli = startCli(t, ['start', '--no-timestamp', '-p', '65430'], { cwd: dir });
  await cli.waitFor(/worker\.1 +\| ready worker/);
  const cases: [string, RegExp][] = [
    ['web=600', /^foreman-ts: web=600 is too many \(hint: at most 100 instances per type\)$/m],
    ['web=100000', /web=100000 is too many/],
    ['web=101', /web=101 is too many/],
    ['worker=7', /worker\.7 would get port 65536 \(hint: choose a lower base port with -p\)/],
    ['all=7', /worker\.7 would get port 65536/],
    ['web=x', /bad formation item "web=x" \(hint: write TYPE=COUNT/],
  ];
  for (const [formation, error] of cases) {
    const reply = await runCli(t, ['scale', formation], { cwd: dir });
    t.equal(reply.exitCode, 1, formation);
    t.match(reply.stderr, error, formation);
  }
  const status = await runCli(t, ['status'], { cwd: dir });
  t.equal(status.exitCode, 0, 'start still answers');
  t.match(status.stdout, /^web\.1 +\d+ +running/m);
  t.notMatch(status.stdout, /web\.2/, 'nothing was started');
  const ok = await runCli(t, ['scale', 'all=2'], { cwd: dir });
  t.equal(ok.exitCode, 0, ok.stderr);
  t.match(ok.stdout, /^scaled to all=2 \(release /, 'all=2 means every type, as -m all=2');
  await cli.waitFor(/worker\.2 started with pid \d+ \(PORT=65531\)/);
  await runCliOk(t, ['quit'], { cwd: dir });
  t.equal((await cli.result).exitCode, 0);
});

t.test('restart ends the whole group of an instance before starting it again', async (t) => {
  // Not a simple command: the shell stays, dies of SIGTERM, and the app it waits for ignores it.
  const stubborn = `stubborn: ${bin('ignore-term.mjs')}; echo unreachable\n`;
  const { dir, cli } = await running(t, { Procfile: procfile + stubborn }, ['-t', '1']);
  await cli.waitFor(/stubborn\.1 +\| ready/);
  const old = leftovers('ignore-term.mjs').filter((pid) => isIn(pid, dir));
  t.equal(old.length, 2, 'its shell and its app');
  await runCliOk(t, ['restart', 'stubborn'], { cwd: dir });
  await cli.waitFor(
    /stubborn\.1 terminated by SIGTERM; 1 more process of its group ran on until SIGKILL\n(.*\n)*.*stubborn\.1 started with pid \d+.*\n(.*\n)*stubborn\.1 +\| ready/,
  );
  t.same(
    old.filter((pid) => isIn(pid, dir)),
    [],
    'the old shell and app are gone',
  );
});

/** Whether a process runs in `dir` (each test's app has its own). */
function isIn(pid: number, dir: string): boolean {
  try {
    return realpathSync(`/proc/${pid}/cwd`) === realpathSync(dir);
  } catch {
    return false;
  }
}

t.test('unknown names are errors listing the known ones', async (t) => {
  const { dir } = await running(t);
  const result = await runCli(t, ['restart', 'wbe'], { cwd: dir });
  t.equal(result.exitCode, 1);
  t.equal(result.stderr, 'foreman-ts: unknown process "wbe" (hint: known: web.1, worker.1)\n');
  const scale = await runCli(t, ['scale', 'db=1'], { cwd: dir });
  t.equal(scale.exitCode, 1);
  t.match(
    scale.stderr,
    /unknown process type "db" \(hint: known: web, worker; a running start keeps the Procfile it started with: stop it and start again to use an edited one\)/,
  );
});

t.test('quit: a graceful stop of everything; the socket is removed', async (t) => {
  const { dir, cli } = await running(t);
  const { socket } = controlPlaceFor(dir, testEnv(t));
  t.ok(existsSync(socket));
  t.equal((await runCliOk(t, ['quit'], { cwd: dir })).stdout, 'stopping everything\n');
  const result = await cli.result;
  t.equal(result.exitCode, 0);
  t.match(result.stdout, /quit requested: sending SIGTERM to all processes/);
  t.notOk(existsSync(socket), 'socket cleaned up on exit');
});

t.test('clients exit non-zero with a clear message when nothing is running', async (t) => {
  const dir = t.testdir({ Procfile: procfile });
  for (const args of [
    ['status'],
    ['stop', 'web'],
    ['restart', 'web'],
    ['scale', 'web=2'],
    ['quit'],
  ]) {
    const result = await runCli(t, args, { cwd: dir });
    t.equal(result.exitCode, 1, args.join(' '));
    t.match(
      result.stderr,
      /^foreman-ts: no foreman-ts start is running in .* \(hint: start one with "foreman-ts start", or point at its app with -d\/--root\)\n$/,
    );
  }
});

t.test('a client finds the start from another folder with -d', async (t) => {
  const { dir } = await running(t, { Procfile: procfile, sub: {} });
  const result = await runCli(t, ['status', '-d', '..'], { cwd: join(dir, 'sub') });
  t.equal(result.exitCode, 0, result.stderr);
});

t.test('a live socket means already running; a stale one is replaced', async (t) => {
  const { dir, cli } = await running(t);
  const second = await runCli(t, ['start'], { cwd: dir });
  t.equal(second.exitCode, 1);
  t.equal(
    second.stderr,
    `foreman-ts: foreman-ts start is already running in ${dir} (pid ${cli.pid}) (hint: use "foreman-ts status" or "foreman-ts quit", or pass --no-control to run another)\n`,
  );
  const other = mkdtempSync(join(tmpdir(), 'fts-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  writeFileSync(join(other, 'Procfile'), 'web: echo side by side\n');
  const alongside = await runCli(
    t,
    ['start', '--no-control', '-d', dir, '-f', join(other, 'Procfile')],
    { cwd: other },
  );
  t.equal(alongside.exitCode, 0, '--no-control runs another start in the same root');
  cli.signal('SIGKILL');
  await cli.result;
  // Nothing runs when we are SIGKILLed: our children live on (docs/signals.md). End them here.
  for (const [, pid] of cli.output().matchAll(/started with pid (\d+)/g)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const { socket } = controlPlaceFor(dir, testEnv(t));
  t.ok(existsSync(socket), 'a SIGKILLed start leaves its socket behind');
  const again = startCli(t, ['start'], { cwd: dir });
  await again.waitFor(/worker\.1 +\| ready worker/);
  t.equal((await runCli(t, ['status'], { cwd: dir })).exitCode, 0, 'the stale socket was replaced');
  await runCliOk(t, ['quit'], { cwd: dir });
  await again.result;
});

t.test(
  'another user cannot connect',
  { skip: process.getuid?.() === 0 ? false : 'needs root to run a client as nobody' },
  async (t) => {
    const { dir } = await running(t);
    const { socket } = controlPlaceFor(dir, testEnv(t));
    const { execa } = await import('execa');
    const probe = `require('net').connect(process.argv[1]).on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(3); })`;
    const [file, args] = nodeCommand(['-e', probe, socket]);
    const asNobody = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', file, ...args];
    const result = await execa('setpriv', asNobody, {
      cwd: '/',
      env: testEnv(t),
      extendEnv: false,
      reject: false,
    });
    t.equal(result.stdout.trim(), 'EACCES', 'the socket refuses another uid');
    t.equal(result.exitCode, 3);
    const [cliFile, cliArgs] = nodeCommand([CLI, 'status', '-d', dir]);
    const client = await execa(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', cliFile, ...cliArgs],
      {
        cwd: '/',
        env: testEnv(t),
        extendEnv: false,
        reject: false,
      },
    );
    t.equal(client.exitCode, 1);
    t.notMatch(client.stdout, /PROCESS/, 'and the CLI as nobody sees no status');
  },
);

t.test('check reports after: cycles and unknown names', async (t) => {
  const files = {
    Procfile: 'web: a\nworker: b\n',
    '.foreman': 'processes:\n  web:\n    after: [worker]\n  worker:\n    after: [web, db]\n',
  };
  const result = await runCli(t, ['check'], { cwd: t.testdir(files) });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /\.foreman:5: worker: after: unknown process type "db"/);
  t.match(result.stderr, /\.foreman:3: after: forms a cycle: web -> worker -> web/);
});

t.test('a stalled reader of our output does not stall us: control still answers', async (t) => {
  const dir = t.testdir({ Procfile: `chatty: ${bin('lines.mjs')} 100000000 chatty 80\n` });
  const { execa } = await import('execa');
  const [file, argv] = nodeCommand([CLI, 'start', '--log-format', 'json']);
  const cli = execa(file, argv, {
    cwd: dir,
    env: testEnv(t),
    extendEnv: false,
    buffer: false,
    reject: false,
  });
  t.teardown(() => cli.kill('SIGKILL'));
  cli.stdout?.pause(); // nobody reads: the pipe fills, and we must pause the process, not block
  const status = async () => {
    for (let tries = 0; tries < 100; tries++) {
      const result = await runCli(t, ['status', '--json'], { cwd: dir, timeoutMs: 10_000 });
      if (result.exitCode === 0) return result;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('status never answered');
  };
  await status();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // A loop blocked in a write (pino's sync destination: docs/architecture.md) would never answer.
  const answer = await status();
  t.match(answer.stdout, /"state": "running"/, 'answered while the output is blocked');
  cli.kill('SIGTERM');
  cli.stdout?.resume();
  cli.stdout?.on('data', () => {});
  const result = await cli;
  t.equal(result.exitCode, 0);
});
