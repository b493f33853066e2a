import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  bin,
  cliWords,
  testEnv,
  eventually,
  leftovers,
  runCli,
  runCliOk,
  startCli,
  uniqueSleep,
  killMatching,
} from '../helpers/cli.js';

t.test(
  'arguments pass exactly as argv: spaces, quotes, $, *, empty strings, unicode',
  async (t) => {
    const args = ['[%s]', 'a b', '$HOME', '*', '', 'it\'s "q"', 'üñí ✓', '--flag'];
    const result = await runCli(t, ['run', 'printf', ...args], {
      cwd: t.testdir({ Procfile: 'web: true\n' }),
    });
    t.equal(result.exitCode, 0);
    t.equal(result.stdout, `[a b][$HOME][*][][it's "q"][üñí ✓][--flag]`);
    t.equal(result.stderr, '');
  },
);

t.test('a process type runs its command, arguments appended as quoted words', async (t) => {
  const dir = t.testdir({ Procfile: `web: printf '<%s>' web\nworker: printf '[%s]'\n` });
  t.equal((await runCliOk(t, ['run', 'web'], { cwd: dir })).stdout, '<web>');
  t.equal(
    (await runCliOk(t, ['run', 'worker', '--once', 'a b', '$X'], { cwd: dir })).stdout,
    '[--once][a b][$X]',
  );
});

t.test('one argument in shell syntax runs through sh -c', async (t) => {
  const result = await runCliOk(t, ['run', 'echo one && echo two'], { cwd: t.testdir({}) });
  t.equal(result.stdout, 'one\ntwo\n');
});

t.test('options end at the command', async (t) => {
  const result = await runCliOk(t, ['run', 'printf', '%s,', '--', '-p', 'x', '--help'], {
    cwd: t.testdir({}),
  });
  t.equal(result.stdout, '--,-p,x,--help,');
});

t.test('a Procfile is optional; a checkout with only .env works', async (t) => {
  const result = await runCliOk(t, ['run', 'sh', '-c', 'echo "$FOO $PS ${PORT-unset}"'], {
    cwd: t.testdir({ '.env': 'FOO=bar\n' }),
  });
  t.equal(result.stdout, 'bar run.1 unset\n');
});

t.test('-p sets PORT; the working directory is the root', async (t) => {
  const dir = t.testdir({ sub: { Procfile: 'web: true\n', '.env': 'FOO=inner\n' } });
  const result = await runCliOk(
    t,
    ['run', '-f', 'sub/Procfile', '-p', '6543', 'sh', '-c', 'echo "$PORT $FOO $(pwd)"'],
    { cwd: dir },
  );
  t.equal(result.stdout, `6543 inner ${join(dir, 'sub')}\n`);
});

t.test('exit codes: the child status, 128+n for a signal death, 127 and 126', async (t) => {
  const dir = t.testdir({ Procfile: 'web: true\n', 'script.sh': '#!/bin/sh\necho hi\n' });
  t.equal((await runCli(t, ['run', 'true'], { cwd: dir })).exitCode, 0);
  t.equal((await runCli(t, ['run', 'sh', '-c', 'exit 7'], { cwd: dir })).exitCode, 7);
  const missing = await runCli(t, ['run', 'no-such-cmd-xyz'], { cwd: dir });
  t.equal(missing.exitCode, 127);
  t.equal(missing.stderr, 'foreman-ts: command not found: no-such-cmd-xyz\n');
  const typo = await runCli(t, ['run', 'wbe'], { cwd: dir });
  t.equal(typo.exitCode, 127);
  t.match(typo.stderr, /command not found: wbe \(hint: did you mean the process type "web"\?\)/);
  const notExecutable = await runCli(t, ['run', './script.sh'], { cwd: dir });
  t.equal(notExecutable.exitCode, 126);
  t.equal(
    notExecutable.stderr,
    'foreman-ts: not executable: ./script.sh (hint: chmod +x ./script.sh, or run it with its interpreter)\n',
  );
  chmodSync(join(dir, 'script.sh'), 0o755);
  t.equal((await runCliOk(t, ['run', './script.sh'], { cwd: dir })).stdout, 'hi\n');
  const { execa } = await import('execa');
  const viaShell = await execa(
    'sh',
    ['-c', `${cliWords()} run sh -c 'kill -TERM $$'; echo "status $?"`],
    {
      cwd: dir,
      env: testEnv(t),
      extendEnv: false,
      reject: false,
    },
  );
  t.equal(viaShell.stdout, 'status 143', 'death by SIGTERM shows as 143 to the caller');
  const direct = await runCli(t, ['run', 'sh', '-c', 'kill -TERM $$'], { cwd: dir });
  t.equal(direct.signal, 'SIGTERM', 'we re-raise the child signal on ourselves');
  t.equal(direct.exitCode, undefined, 'killed by it: no exit code');
});

t.test('stdin passes through', async (t) => {
  const result = await runCliOk(t, ['run', 'cat'], { cwd: t.testdir({}), input: 'piped input\n' });
  t.equal(result.stdout, 'piped input\n');
});

t.test('SIGTERM to run reaches the child, which is never orphaned', async (t) => {
  const sleeper = uniqueSleep();
  t.teardown(() => killMatching(sleeper.pattern));
  const cli = startCli(t, ['run', ...sleeper.command.split(' ')], { cwd: t.testdir({}) });
  t.ok(await eventually(() => leftovers(sleeper.pattern).length > 0), 'the child runs');
  cli.signal('SIGTERM');
  const result = await cli.result;
  t.equal(result.signal, 'SIGTERM');
  t.same(leftovers(sleeper.pattern), []);
});

t.test('SIGTERM is forwarded to a child that handles it; its status is ours', async (t) => {
  const cli = startCli(
    t,
    [
      'run',
      'sh',
      '-c',
      'trap "echo got TERM; exit 5" TERM; echo ready; while :; do sleep 0.1; done',
    ],
    {
      cwd: t.testdir({}),
    },
  );
  await cli.waitFor(/ready/);
  cli.signal('SIGTERM');
  const result = await cli.result;
  t.equal(result.exitCode, 5);
  t.match(result.stdout, /got TERM/);
});

t.test(
  'SIGINT from outside is left to the terminal: the child is not signalled twice',
  async (t) => {
    const cli = startCli(
      t,
      ['run', 'node', join(process.cwd(), 'fixtures/bin/count-signals.mjs')],
      { cwd: t.testdir({}) },
    );
    await cli.waitFor(/ready/);
    cli.signal('SIGINT');
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.notMatch(result.stdout, /got SIGINT/, 'a SIGINT sent to us alone is not forwarded');
    t.match(result.stdout, /got SIGTERM 1/);
    t.equal(result.exitCode, 0);
  },
);

t.test('output is the child’s own: unprefixed, nothing added', async (t) => {
  const result = await runCliOk(t, ['run', 'sh', '-c', 'echo out; echo err >&2'], {
    cwd: t.testdir({ Procfile: 'web: x\n' }),
  });
  t.equal(result.stdout, 'out\n');
  t.equal(result.stderr, 'err\n');
});

t.test('bad input fails before anything runs', async (t) => {
  const marker = join(t.testdir({}), 'ran');
  const dir = t.testdir({ '.env': 'A="open\n' });
  const result = await runCli(t, ['run', 'touch', marker], { cwd: dir });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /\.env:1: A: unterminated " quote at column 3/);
  writeFileSync(join(dir, '.env'), 'A=1\n');
  t.equal((await runCli(t, ['run', 'true'], { cwd: dir })).exitCode, 0);
  t.equal((await runCli(t, ['run', '-e', 'missing.env', 'true'], { cwd: dir })).exitCode, 1);
});

t.test('run WEB with a fixture', async (t) => {
  const dir = t.testdir({ Procfile: `web: ${bin('exit-with.mjs')} 4\n` });
  const result = await runCli(t, ['run', 'web'], { cwd: dir });
  t.equal(result.exitCode, 4);
  t.equal(result.stdout, 'exiting 4 in 0ms\n');
});
