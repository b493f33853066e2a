import t from 'tap';
import { runCli, startCli } from '../helpers/cli.js';

/**
 * A Procfile command that is one simple command is exec'd by its wrapper shell, so signals
 * reach the app itself. Quoting must not fool that decision, and `exec` must never be put
 * before a shell builtin.
 */
t.test(
  'SIGUSR2 reaches node -e "process.on(\'SIGUSR2\', ...)"; the formation keeps running',
  async (t) => {
    const script = `process.on('SIGUSR2', () => console.log('got USR2 in node')); console.log('listening'); setInterval(() => {}, 1000)`;
    // idle ignores SIGUSR2 (an ignored signal stays ignored across exec): only web can end by it.
    const idle = `trap '' USR2; echo ready idle; exec sleep 600`;
    const dir = t.testdir({ Procfile: `web: node -e "${script}"\nidle: ${idle}\n` });
    const cli = startCli(t, ['start', '--no-timestamp'], { cwd: dir });
    await cli.waitFor(
      /web\.1 +\| listening[\s\S]*idle\.1 +\| ready idle|idle\.1 +\| ready idle[\s\S]*web\.1 +\| listening/,
    );
    const pid = Number(/web\.1 started with pid (\d+)/.exec(cli.output())?.[1]);
    cli.signal('SIGUSR2');
    await cli.waitFor(/web\.1 +\| got USR2 in node/);
    // Events are handled in order: a status answered now has seen any exit the signal caused.
    const status = await runCli(t, ['status', '--json'], { cwd: dir });
    t.equal(status.exitCode, 0, status.stderr);
    const processes = (
      JSON.parse(status.stdout) as { processes: { process: string; state: string; pid: number }[] }
    ).processes;
    t.same(
      processes.map((p) => [p.process, p.state]),
      [
        ['web.1', 'running'],
        ['idle.1', 'running'],
      ],
    );
    t.equal(processes[0]?.pid, pid, 'node is the process we started: the shell exec-ed it');
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.equal(result.exitCode, 0);
    t.notMatch(result.stdout, /terminated by SIGUSR2/, 'nothing ended by SIGUSR2');
  },
);

t.test('a: command echo x runs the builtin, not "exec: command: not found"', async (t) => {
  const result = await runCli(t, ['start', '--no-timestamp'], {
    cwd: t.testdir({ Procfile: 'a: command echo x\n' }),
  });
  t.equal(result.exitCode, 0, result.stdout);
  t.match(result.stdout, /^a\.1 +\| x$/m);
  t.notMatch(result.stdout, /not found/);
});
