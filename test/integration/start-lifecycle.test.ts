import t from 'tap';
import {
  bin,
  eventually,
  killMatching,
  leftovers,
  runCli,
  startCli,
  uniqueSleep,
} from '../helpers/cli.js';

t.test('the first failure stops the others and sets the exit code', async (t) => {
  const procfile = `idle: ${bin('forever.mjs')}\nfail: ${bin('exit-with.mjs')} 3 300\n`;
  const result = await runCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
  t.equal(result.exitCode, 3);
  t.match(result.stdout, /system +\| fail\.1 exited with code 3/);
  t.match(result.stdout, /fail\.1 ended: sending SIGTERM to all processes/);
  t.match(result.stdout, /idle\.1 terminated by SIGTERM/);
});

t.test('a process killed by a signal gives 128+n', async (t) => {
  const procfile = `idle: ${bin('forever.mjs')}\nself: sleep 0.3; kill -KILL $$\n`;
  const result = await runCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
  t.equal(result.exitCode, 137);
  t.match(result.stdout, /self\.1 terminated by SIGKILL/);
});

t.test('every process ending 0 on its own ends 0', async (t) => {
  const result = await runCli(t, ['start'], { cwd: t.testdir({ Procfile: 'a: echo one\n' }) });
  t.equal(result.exitCode, 0);
  t.match(result.stdout, /a\.1 +\| one/);
  t.notMatch(result.stdout, /sending SIGTERM/);
});

t.test('a command that is not found is reported like any exit, 127', async (t) => {
  const result = await runCli(t, ['start'], {
    cwd: t.testdir({ Procfile: 'a: no-such-command-xyz --flag\n' }),
  });
  t.equal(result.exitCode, 127);
  t.match(result.stdout, /a\.1 +\| .*no-such-command-xyz: not found/);
  t.match(result.stdout, /a\.1 exited with code 127 \(command not found\)/);
});

for (const [signal, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
  ['SIGQUIT', 3],
] as const) {
  t.test(`${signal} to us stops everything; a clean stop exits 0`, async (t) => {
    const sleeper = uniqueSleep();
    t.teardown(() => killMatching(sleeper.pattern));
    const procfile = `web: ${bin('forever.mjs')}\ntree: ${sleeper.command} & wait\n`;
    const cli = startCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
    await cli.waitFor(/tree\.1 started/);
    await cli.waitFor(/web\.1 +\| ready/);
    t.ok(await eventually(() => leftovers(sleeper.pattern).length > 0), 'the grandchild runs');
    cli.signal(signal);
    const result = await cli.result;
    t.equal(result.exitCode, 0, `not 128+${number}: the stop was ours and clean`);
    t.match(result.stdout, new RegExp(`${signal} received: sending SIGTERM to all processes`));
    t.same(leftovers(sleeper.pattern), [], 'no grandchild left');
  });
}

t.test('each process gets exactly one SIGTERM', async (t) => {
  const procfile = `a: ${bin('count-signals.mjs')}\nb: ${bin('count-signals.mjs')}\n`;
  const cli = startCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
  await cli.waitFor(/a\.1 +\| ready[\s\S]*b\.1 +\| ready|b\.1 +\| ready[\s\S]*a\.1 +\| ready/);
  cli.signal('SIGINT');
  const { stdout } = await cli.result;
  t.equal(stdout.match(/got SIGTERM 1/g)?.length, 2);
  t.notMatch(stdout, /got SIGTERM 2|got SIGINT/);
});

t.test('a child that ignores SIGTERM is killed after the timeout', async (t) => {
  const procfile = `stubborn: ${bin('ignore-term.mjs')}\nquick: ${bin('exit-with.mjs')} 0 500\n`;
  const result = await runCli(t, ['start', '-t', '1'], { cwd: t.testdir({ Procfile: procfile }) });
  t.match(result.stdout, /stubborn\.1 +\| ignoring SIGTERM/);
  t.match(result.stdout, /still running after 1s: sending SIGKILL to 1 process/);
  t.match(result.stdout, /stubborn\.1 terminated by SIGKILL/);
  t.equal(result.exitCode, 0, 'quick.1 ended first, with 0: its code decides');
});

t.test(
  'a shell that dies before its app: the stop says the app ran on until SIGKILL',
  async (t) => {
    // Not a simple command: the shell stays, dies of SIGTERM, and the app it waits for ignores it.
    const procfile = `stubborn: ${bin('ignore-term.mjs')}; echo unreachable\n`;
    const cli = startCli(t, ['start', '--no-timestamp', '-t', '1'], {
      cwd: t.testdir({ Procfile: procfile }),
    });
    await cli.waitFor(/stubborn\.1 +\| ready/);
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.match(
      result.stdout,
      /still running after 1s: sending SIGKILL to 1 process\n.*stubborn\.1 terminated by SIGTERM; 1 more process of its group ran on until SIGKILL\n/,
    );
    t.notMatch(result.stdout, /stubborn\.1 terminated by SIGTERM\n/, 'never the shell alone');
    t.equal(result.exitCode, 1, 'something had to be killed');
  },
);

t.test('a forced stop after our own signal exits 1', async (t) => {
  const cli = startCli(t, ['start', '-t', '0.5'], {
    cwd: t.testdir({ Procfile: `stubborn: ${bin('ignore-term.mjs')}\n` }),
  });
  await cli.waitFor(/stubborn\.1 +\| ready/);
  cli.signal('SIGTERM');
  const result = await cli.result;
  t.match(result.stdout, /sending SIGKILL to 1 process/);
  t.equal(result.exitCode, 1);
});

t.test('a second Ctrl-C skips the wait', async (t) => {
  const cli = startCli(t, ['start', '-t', '60'], {
    cwd: t.testdir({ Procfile: `stubborn: ${bin('ignore-term.mjs')}\n` }),
  });
  await cli.waitFor(/stubborn\.1 +\| ready/);
  cli.signal('SIGINT');
  await cli.waitFor(/ignoring SIGTERM/);
  cli.signal('SIGINT');
  const result = await cli.result;
  t.match(result.stdout, /second signal: sending SIGKILL to 1 process/);
  t.equal(result.exitCode, 1);
});

t.test(
  'a grace period longer than a timer can hold is refused, not turned into SIGKILL',
  async (t) => {
    const procfile = `stubborn: ${bin('ignore-term.mjs')}\n`;
    const flag = await runCli(t, ['start', '-t', '3000000'], {
      cwd: t.testdir({ Procfile: procfile }),
    });
    t.equal(flag.exitCode, 2);
    t.match(flag.stderr, /^foreman-ts: -t must be a number of seconds from 0 to 2147483 /);
    t.equal(flag.stdout, '', 'nothing started');
    const file = await runCli(t, ['start'], {
      cwd: t.testdir({ Procfile: procfile, '.foreman': 'timeout: 3000000\n' }),
    });
    t.equal(file.exitCode, 1);
    t.match(file.stderr, /^foreman-ts: \.foreman:1: "timeout" must be a number of seconds/);
    const env = await runCli(t, ['start'], {
      cwd: t.testdir({ Procfile: procfile }),
      env: { FOREMAN_TS_TIMEOUT: '3000000' },
    });
    t.equal(env.exitCode, 2);
    t.match(env.stderr, /^foreman-ts: FOREMAN_TS_TIMEOUT must be a number of seconds/);
  },
);

t.test('whole trees are stopped: groups, setsid children, double-forked daemons', async (t) => {
  const s = [uniqueSleep(), uniqueSleep(), uniqueSleep(), uniqueSleep(), uniqueSleep()];
  t.teardown(() => s.forEach((one) => killMatching(one.pattern)));
  const procfile = [
    `s1: ${s[0]!.command}`,
    `s2: setsid ${s[1]!.command} & wait`,
    `s3: (setsid ${s[2]!.command} &); ${s[3]!.command}`,
    `s5: trap "" TERM; ${s[4]!.command} & wait`,
  ].join('\n');
  const cli = startCli(t, ['start', '-t', '1'], { cwd: t.testdir({ Procfile: `${procfile}\n` }) });
  await cli.waitFor(/s5\.1 started/);
  t.ok(
    await eventually(() => s.every((one) => leftovers(one.pattern).length > 0)),
    'all five sleeps run',
  );
  cli.signal('SIGTERM');
  await cli.result;
  for (const one of s) t.same(leftovers(one.pattern), [], `${one.pattern} is gone`);
});

t.test('a background grandchild holding the pipe neither hangs us nor survives', async (t) => {
  const sleeper = uniqueSleep();
  t.teardown(() => killMatching(sleeper.pattern));
  const procfile = `a: (${sleeper.command} &); echo started; exit 3\nb: ${bin('forever.mjs')}\n`;
  const result = await runCli(t, ['start'], {
    cwd: t.testdir({ Procfile: procfile }),
    timeoutMs: 30_000,
  });
  t.equal(result.exitCode, 3);
  t.notOk(result.isTimedOut);
  t.same(leftovers(sleeper.pattern), []);
});

t.test('a closed stdout stops everything', async (t) => {
  const sleeper = uniqueSleep();
  t.teardown(() => killMatching(sleeper.pattern));
  const dir = t.testdir({
    Procfile: `chatty: ${bin('lines.mjs')} 100000000\nidle: ${sleeper.command}\n`,
  });
  const { execa } = await import('execa');
  const { cliWords, testEnv, testPort } = await import('../helpers/cli.js');
  const result = await execa(
    'sh',
    ['-c', `${cliWords()} start -p ${testPort(t)} | head -n 5 > /dev/null; echo "pipestatus done"`],
    {
      cwd: dir,
      env: testEnv(t),
      extendEnv: false,
      timeout: 60_000,
      reject: false,
    },
  );
  t.match(result.stdout, /pipestatus done/);
  t.ok(await eventually(() => leftovers(sleeper.pattern).length === 0), 'nothing left running');
});

t.test('SIGUSR2 is passed on, and never ends the run or changes its status', async (t) => {
  const procfile = `a: trap 'echo got USR2' USR2; echo up; while :; do sleep 0.1; done\n`;
  const cli = startCli(t, ['start'], { cwd: t.testdir({ Procfile: procfile }) });
  await cli.waitFor(/a\.1 +\| up/);
  cli.signal('SIGUSR2');
  await cli.waitFor(/a\.1 +\| got USR2/);
  cli.signal('SIGTERM');
  t.equal((await cli.result).exitCode, 0);
});
