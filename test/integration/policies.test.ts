import t from 'tap';
import { bin, runCli, startCli, testPort } from '../helpers/cli.js';

/** Positions of texts in the output; -1 if missing. */
const positions = (output: string, texts: readonly string[]) =>
  texts.map((text) => output.indexOf(text));

t.test('ready: port with a real HTTP server, and after: ordering', async (t) => {
  const files = {
    Procfile: `worker: ${bin('stamp.mjs')} worker\nweb: ${bin('web.mjs')} 800\n`,
    '.foreman': 'processes:\n  web:\n    ready: port\n  worker:\n    after: [web]\n',
  };
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: t.testdir(files) });
  await cli.waitFor(/worker\.1 +\| worker started at \d+/);
  cli.signal('SIGTERM');
  const { stdout, exitCode } = await cli.result;
  t.equal(exitCode, 0);
  const listening = `listening on ${testPort(t) + 100}`;
  // web's own "listening" line comes through its pipe, and may be printed after the probe has
  // connected and we said "ready": its timestamp, not its place in the output, orders it.
  const order = positions(stdout, ['web.1 started', 'web.1 ready', 'worker.1 started']);
  t.notOk([...order, stdout.indexOf(listening)].includes(-1), stdout);
  t.same(
    order,
    [...order].sort((a, b) => a - b),
    'worker starts only once web is ready',
  );
  const listened = Number(new RegExp(`${listening} at (\\d+)`).exec(stdout)?.[1]);
  const started = Number(/worker started at (\d+)/.exec(stdout)?.[1]);
  t.ok(started >= listened, `worker started at ${started}, after web listened at ${listened}`);
});

t.test('ready: http:/path and /regex/', async (t) => {
  const files = {
    Procfile: `api: ${bin('web.mjs')} 300\nlog: sh -c 'sleep 0.3; echo "booted OK"; sleep 60'\nlast: ${bin('stamp.mjs')} last\n`,
    '.foreman':
      'processes:\n  api:\n    ready: http:/health\n  log:\n    ready: /booted ok/i\n  last:\n    after: [api, log]\n',
  };
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: t.testdir(files) });
  await cli.waitFor(/last\.1 +\| last started/);
  cli.signal('SIGTERM');
  const { stdout } = await cli.result;
  const order = positions(stdout, ['api.1 ready', 'last.1 started']);
  t.ok(order[0] !== -1 && order[0]! < order[1]!, stdout);
  t.ok(stdout.indexOf('log.1 ready') < stdout.indexOf('last.1 started'));
});

t.test('a process never ready in time fails the start, naming it', async (t) => {
  const files = {
    Procfile: `web: ${bin('forever.mjs')}\nworker: ${bin('forever.mjs')}\n`,
    '.foreman':
      'processes:\n  web:\n    ready: port\n    ready_timeout: 1\n  worker:\n    after: [web]\n',
  };
  const result = await runCli(t, ['start', '--no-timestamp'], { cwd: t.testdir(files) });
  t.equal(result.exitCode, 1);
  t.match(result.stdout, /web\.1 not ready after 1s \(waited until its port accepts connections\)/);
  t.match(result.stdout, /web\.1 never became ready: sending SIGTERM to all processes/);
  t.notMatch(result.stdout, /worker\.1 started/);
});

t.test('--no-ready starts everything at once', async (t) => {
  const files = {
    Procfile: `web: ${bin('forever.mjs')} web\nworker: ${bin('forever.mjs')} worker\n`,
    '.foreman': 'processes:\n  web:\n    ready: port\n  worker:\n    after: [web]\n',
  };
  const cli = startCli(t, ['start', '--no-ready'], { cwd: t.testdir(files) });
  await cli.waitFor(/worker\.1 +\| ready worker/);
  cli.signal('SIGTERM');
  t.equal((await cli.result).exitCode, 0);
});

t.test('--can-die: its exit does not stop the others', async (t) => {
  const dir = t.testdir({ Procfile: `css: echo built; exit 2\nweb: ${bin('forever.mjs')} web\n` });
  const cli = startCli(t, ['start', '--can-die', 'css'], { cwd: dir });
  await cli.waitFor(/css\.1 exited with code 2/);
  // The supervisor handles events in order: a status answered after css's exit shows what that
  // exit decided.
  const status = await runCli(t, ['status'], { cwd: dir });
  t.equal(status.exitCode, 0, status.stderr);
  t.match(status.stdout, /^web\.1 +\d+ +running/m);
  cli.signal('SIGTERM');
  const result = await cli.result;
  t.equal(result.exitCode, 0);
  t.notMatch(result.stdout, /css\.1 ended/);
  t.match(result.stdout, /web\.1 terminated by SIGTERM/);
});

t.test('stop_signal: each type is stopped with its own signal', async (t) => {
  const files = {
    Procfile: `web: trap 'echo got INT; exit 0' INT; trap 'echo got TERM; exit 0' TERM; echo up; while :; do sleep 0.1; done\n`,
    '.foreman': 'processes:\n  web:\n    stop_signal: SIGINT\n',
  };
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: t.testdir(files) });
  await cli.waitFor(/web\.1 +\| up/);
  cli.signal('SIGTERM');
  const result = await cli.result;
  t.match(result.stdout, /web\.1 +\| got INT/);
  t.notMatch(result.stdout, /got TERM/);
});

t.test(
  '--restart: backoff 1s, 2s, 4s... then a crash loop gives up and stops everything',
  async (t) => {
    const cli = startCli(t, ['start', '--no-timestamp', '--restart', 'worker'], {
      cwd: t.testdir({
        Procfile: `worker: echo crashing; exit 3\nweb: ${bin('forever.mjs')} web\n`,
      }),
    });
    const result = await cli.result;
    t.equal(result.exitCode, 3);
    const delays = [
      ...result.stdout.matchAll(/worker\.1 restarting in (\d+)s \(restart (\d)\)/g),
    ].map((m) => [m[1], m[2]]);
    t.same(delays, [
      ['1', '1'],
      ['2', '2'],
      ['4', '3'],
      ['8', '4'],
      ['16', '5'],
    ]);
    t.equal(
      result.stdout.match(/worker\.1 +\| crashing/g)?.length,
      6,
      'first run and five restarts',
    );
    t.match(
      result.stdout,
      /worker\.1 crashed 6 times within 60s \(restarted 5 times\): giving up on restarts/,
    );
    t.match(result.stdout, /worker\.1 ended: sending SIGTERM to all processes/);
  },
);
