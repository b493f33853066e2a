import t from 'tap';
import { skipWithoutPty } from '../helpers/pty.js';
import {
  eventually,
  killMatching,
  leftovers,
  runCli,
  startCli,
  uniqueSleep,
} from '../helpers/cli.js';
import { openTerminal, skipUnlessInstalled, skipWithoutTmux } from '../helpers/tmux.js';

/**
 * `tty: true` (issue 9, docs/interactive.md): the process runs on a pseudo-terminal from the
 * optional @lydell/node-pty, sees isatty true and its window size (our width less the prefix),
 * and is told of resizes; its lines come through the relay without the terminal's CR.
 */

/** Prints whether its stdio are terminals, and its size, at start and on every SIGWINCH. */
const SIZE_PY = `import os, shutil, signal, time
def show(*_):
    size = shutil.get_terminal_size((0, 0))
    print("isatty", os.isatty(0), os.isatty(1), "size", size.columns, size.lines, flush=True)
signal.signal(signal.SIGWINCH, show)
show()
while True: time.sleep(1)
`;

t.test(
  'in a terminal: isatty, the size less our prefix, and the new size after a resize',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') || skipWithoutPty },
  async (t) => {
    const dir = t.testdir({ 'size.py': SIZE_PY, Procfile: 'sized: python3 size.py\n' });
    const term = openTerminal(t, { args: 'start --no-control --tty sized', dir, columns: 120 });
    // "HH:MM:SS " + "sized.1" + " | " is 19 columns: the process gets the other 101.
    await term.waitFor(/sized\.1 +\| isatty True True size 101 40/);
    term.resize(100, 20);
    await term.waitFor(/sized\.1 +\| isatty True True size 81 20/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);

t.test(
  'with output to a pipe: still a terminal (80x24), lines without CR, tree stopped',
  { skip: skipWithoutPty || skipUnlessInstalled('python3') },
  async (t) => {
    const sleeper = uniqueSleep();
    const dir = t.testdir({
      'size.py': SIZE_PY,
      '.foreman': 'processes:\n  sized:\n    tty: true\n  tree:\n    tty: true\n',
      Procfile: `sized: python3 size.py\ntree: ${sleeper.command} & echo tree up; wait\n`,
    });
    const cli = startCli(t, ['start', '--no-control'], { cwd: dir });
    await cli.waitFor(/sized\.1 +\| isatty True True size 80 24\n/);
    await cli.waitFor(/tree\.1 +\| tree up\n/);
    t.ok(await eventually(() => leftovers(sleeper.pattern).length > 0), 'its child runs');
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.equal(result.exitCode, 0);
    t.notMatch(result.stdout, /\r/, 'no CR from the terminal driver in our output');
    t.same(leftovers(sleeper.pattern), [], "the pty process's whole tree is gone");
  },
);

t.test(
  "a terminal's master is not inherited by the other processes (nor our stdio pipes)",
  { skip: skipWithoutPty },
  async (t) => {
    // The lister waits until the terminal process runs, then names each fd it has beyond 0-2.
    const dir = t.testdir({
      'list.sh':
        'while [ ! -e up ]; do sleep 0.1; done\n' +
        'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && echo "fd $n $(readlink "$f")"; done\n' +
        'echo listed; exec sleep 600\n',
      Procfile: 'term: touch up; exec sleep 600\nlister: sh list.sh\n',
    });
    const cli = startCli(t, ['start', '--no-control', '--tty', 'term'], { cwd: dir });
    await cli.waitFor(/lister\.1 +\| listed/);
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.equal(result.exitCode, 0);
    const inherited = result.stdout.match(/lister\.1 +\| fd \d+ .*/g) ?? [];
    t.same(
      inherited.filter((line) => /ptmx|\/dev\/pts|socket:/.test(line)),
      [],
      'no terminal or socket of ours (a pty master held elsewhere keeps its session alive)',
    );
  },
);

t.test(
  'start killed by SIGKILL: a tty process gets its hangup (no other process holds its terminal)',
  { skip: skipWithoutPty },
  async (t) => {
    const onTerminal = uniqueSleep();
    const onPipe = uniqueSleep();
    t.teardown(() => {
      killMatching(onPipe.pattern);
      killMatching(onTerminal.pattern);
    });
    const dir = t.testdir({
      Procfile: `term: echo up; exec ${onTerminal.command}\npiped: echo up; exec ${onPipe.command}\n`,
    });
    const cli = startCli(t, ['start', '--no-control', '--tty', 'term'], { cwd: dir });
    await cli.waitFor(/term\.1 +\| up[\s\S]*piped\.1 +\| up|piped\.1 +\| up[\s\S]*term\.1 +\| up/);
    cli.signal('SIGKILL');
    await cli.result;
    // SIGKILL leaves our processes to the reaper of orphans; the terminal's end closed with us,
    // which the kernel tells its session as a hangup, unless another process held it open.
    t.ok(
      await eventually(() => leftovers(onTerminal.pattern).length === 0, 20_000),
      'the process on the terminal got its SIGHUP',
    );
  },
);

t.test(
  'when the library cannot load: one warning with the fix, and a pipe',
  { skip: skipUnlessInstalled('python3') },
  async (t) => {
    const dir = t.testdir({
      'size.py': SIZE_PY.replace('signal.signal(signal.SIGWINCH, show)\n', ''),
      'no-pty.cjs':
        "const Module = require('node:module');\nconst resolve = Module._resolveFilename;\n" +
        'Module._resolveFilename = function (request, ...rest) {\n' +
        "  if (request === '@lydell/node-pty') throw Object.assign(new Error('blocked by the test'), { code: 'MODULE_NOT_FOUND' });\n" +
        '  return resolve.call(this, request, ...rest);\n};\n' +
        "Module.register?.('data:text/javascript,' + encodeURIComponent(\"export async function " +
        "resolve(s, c, n) { if (s === '@lydell/node-pty') throw new Error('blocked'); return n(s, c); }\"));\n",
      Procfile: 'sized: python3 size.py\n',
    });
    const cli = startCli(t, ['start', '--no-control', '--tty', 'sized'], {
      cwd: dir,
      env: { NODE_OPTIONS: `--require ${dir}/no-pty.cjs` },
    });
    await cli.waitFor(/sized\.1 +\| isatty False False/);
    cli.signal('SIGTERM');
    const result = await cli.result;
    t.equal(result.exitCode, 0);
    const warnings = result.stdout.match(
      /tty: sized will run on a pipe: @lydell\/node-pty did not load/g,
    );
    t.equal(warnings?.length, 1, 'one warning');
    t.match(result.stdout, /npm install @lydell\/node-pty/);
  },
);

t.test(
  'typing to a tty: true process in our terminal: echoed once by it; Ctrl-D is its EOF',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') || skipWithoutPty },
  async (t) => {
    const dir = t.testdir({
      'read.py':
        'import sys, time\nfor line in sys.stdin: print("got", line.strip(), flush=True)\n' +
        'print("eof", flush=True)\ntime.sleep(600)\n',
      Procfile: 'reader: python3 -c "print(\'ready\', flush=True)"; exec python3 read.py\n',
    });
    const term = openTerminal(t, { args: 'start --no-control --attach reader --tty reader', dir });
    await term.waitFor(/reader\.1 +\| ready/);
    term.type('hello');
    term.keys('Enter');
    await term.waitFor(/reader\.1 +\| got hello/);
    t.equal(term.screen().match(/hello/g)?.length, 2, 'its echo once, and its answer');
    term.keys('C-d');
    await term.waitFor(/reader\.1 +\| eof/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);

t.test('tty: in .foreman must be true or false', async (t) => {
  const dir = t.testdir({
    Procfile: 'web: sleep 100\n',
    '.foreman': 'processes:\n  web:\n    tty: maybe\n',
  });
  const result = await runCli(t, ['check'], { cwd: dir });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /\.foreman:3: "web\.tty" must be/);
});

t.test(
  'binding.irb on a terminal: its prompt shows, x + 1 answers, exit continues',
  { skip: skipWithoutTmux || skipUnlessInstalled('ruby') || skipWithoutPty },
  async (t) => {
    const dir = t.testdir({
      'dbg.rb':
        'x = 42\nputs "before"\n$stdout.flush\nbinding.irb\nputs "after #{x}"\n' +
        '$stdout.flush\nsleep 600\n',
      'tick.sh': 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done\n',
      '.foreman': 'processes:\n  console:\n    tty: true\n',
      Procfile: 'console: ruby dbg.rb\nticker: sh tick.sh\n',
    });
    const term = openTerminal(t, { args: 'start --no-control', dir });
    t.ok(
      await eventually(() => /console\.1 +\| irb\(main\):001:0> ?$/.test(term.bottom()), 30_000),
      "irb's prompt on the bottom line",
    );
    term.type('x + 1');
    term.keys('Enter');
    await term.waitFor(
      /console\.1 +\| irb\(main\):001:0> x \+ 1\n(.*\n)*?.*console\.1 +\| => 43\n/,
    );
    t.equal(term.screen().match(/> x \+ 1/g)?.length, 1, 'the typed line shows once');
    term.type('exit');
    term.keys('Enter');
    await term.waitFor(/console\.1 +\| after 42/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);
