import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import {
  bin,
  CLI,
  eventually,
  leftovers,
  nodeCommand,
  startCli,
  testEnv,
  testPort,
} from '../helpers/cli.js';
import { openTerminal, skipWithoutTmux } from '../helpers/tmux.js';
import { provesWatching, watcherApp } from '../helpers/watcher.js';

/**
 * Every child's stdin is a pipe `start` holds open for the child's whole life (issue 9): the
 * real `esbuild --watch` stops at once on EOF, so it proves the pipe stays open.
 */
t.test('esbuild --watch keeps watching under start with no stdin (CI)', async (t) => {
  const dir = watcherApp(t);
  const cli = startCli(t, ['start', '--no-control'], { cwd: dir });
  await cli.waitFor(/js\.1 +\| \[watch\] build finished/);
  await cli.waitFor(/idle\.1 +\| ready/);
  t.ok(await provesWatching(dir), 'the edit was rebuilt: the watcher is watching');
  t.notMatch(cli.output(), /stdin was closed/);
  t.notMatch(cli.output(), /js\.1 exited/);
  cli.signal('SIGINT');
  const result = await cli.result;
  t.equal(result.exitCode, 0, 'a clean stop we were asked for');
  t.match(result.all, /js\.1 terminated by SIGTERM|js\.1 exited with code 0/);
});

t.test('esbuild --watch keeps watching when our own fd 0 is closed', async (t) => {
  const dir = watcherApp(t);
  const env = testEnv(t);
  const [file, argv] = nodeCommand([CLI, 'start', '--no-control', '-p', String(testPort(t))]);
  // `exec 0<&-`: start runs with no fd 0 at all, as under some init systems.
  const child = spawn('sh', ['-c', 'exec 0<&- "$@"', 'sh', file, ...argv], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  t.ok(await eventually(() => /js\.1 +\| \[watch\] build finished/.test(output), 20_000));
  t.ok(await provesWatching(dir), 'the edit was rebuilt');
  child.kill('SIGTERM');
  t.equal(await ended, 0);
  t.notMatch(output, /stdin was closed/);
});

t.test(
  'esbuild --watch keeps watching under start in a terminal',
  { skip: skipWithoutTmux },
  async (t) => {
    const dir = watcherApp(t);
    const term = openTerminal(t, { args: 'start --no-control', dir });
    await term.waitFor(/js\.1 +\| \[watch\] build finished/);
    t.ok(await provesWatching(dir), 'the edit was rebuilt');
    await term.waitFor(/js\.1 +\| \[watch\] build finished[\s\S]*build finished/);
    t.notMatch(term.screen(), /stdin was closed/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000), 'Ctrl-C stopped it');
    t.equal(term.status(), 'EXIT=0', 'a clean stop we were asked for (docs/exit-codes.md)');
  },
);

t.test('a process reading its stdin sees EOF only once we stop it', async (t) => {
  const dir = t.testdir({
    'read.mjs':
      "process.stdin.on('end', () => { console.log('stdin ended'); process.exit(0); });\n" +
      "process.stdin.resume(); console.log('reading');\n" +
      "process.on('SIGTERM', () => { console.log('got SIGTERM'); setTimeout(() => process.exit(0), 300); });\n",
    Procfile: `reader: node read.mjs\nidle: ${bin('forever.mjs')}\n`,
  });
  const cli = startCli(t, ['start', '--no-control'], { cwd: dir });
  await cli.waitFor(/reader\.1 +\| reading/);
  await cli.waitFor(/idle\.1 +\| ready/);
  cli.signal('SIGTERM');
  const result = await cli.result;
  t.equal(result.exitCode, 0);
  const lines = result.all.split('\n');
  const term = lines.findIndex((line) => /reader\.1 +\| got SIGTERM/.test(line));
  const eof = lines.findIndex((line) => /reader\.1 +\| stdin ended/.test(line));
  t.ok(term !== -1 && (eof === -1 || eof > term), 'no EOF before the stop began');
  t.same(leftovers(join(dir, 'read.mjs')), [], 'nothing left running');
});

t.test('the release phase gets EOF on stdin: a prompt in a deploy fails fast', async (t) => {
  const dir = t.testdir({
    Procfile: `release: cat; echo migrated\nidle: ${bin('forever.mjs')}\n`,
  });
  const cli = startCli(t, ['start', '--no-control'], { cwd: dir });
  await cli.waitFor(/release\.1 +\| migrated/);
  await cli.waitFor(/idle\.1 +\| ready/);
  cli.signal('SIGTERM');
  t.equal((await cli.result).exitCode, 0);
});
