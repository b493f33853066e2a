import t from 'tap';
import { eventually } from '../helpers/cli.js';
import { openTerminal, skipUnlessInstalled, skipWithoutTmux } from '../helpers/tmux.js';
import { skipWithoutPty } from '../helpers/pty.js';

/**
 * The debuggers people put in apps under `start`, for real, in a real terminal (tmux):
 * Node's `node inspect` on a pipe, and Ruby's `debugger` (rdbg, what Rails generates) on a
 * pseudo-terminal, each while another process keeps printing (docs/interactive.md).
 */
const TICK = 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done\n';

t.test(
  'node inspect under start: debug> shows, exec x answers, cont continues',
  { skip: skipWithoutTmux },
  async (t) => {
    const dir = t.testdir({
      'app.js':
        'const x = 42;\nconsole.log("before");\ndebugger;\nconsole.log("after", x);\n' +
        'setInterval(() => {}, 1000);\n',
      'tick.sh': TICK,
      // --port=0: the inspector listens on a port the OS picks, never 9229.
      Procfile: 'web: node inspect --port=0 app.js\nticker: sh tick.sh\n',
    });
    const term = openTerminal(t, { args: 'start --no-control', dir });
    t.ok(
      await eventually(() => /web\.1 +\| debug> ?$/.test(term.bottom()), 30_000),
      'debug> on the bottom line, with its prefix',
    );
    // Lines that start with a backspace are drawn as a terminal would, not over our prefix.
    t.match(term.screen(), /web\.1 +\| < Debugger attached\.\n/, 'its prefix intact');
    term.type('cont');
    term.keys('Enter');
    // node inspect writes a backspace after its prompt: the line reads `debug>break in ...`.
    await term.waitFor(/web\.1 +\| (debug>)?break in app\.js:3/);
    t.ok(await eventually(() => /web\.1 +\| debug> ?$/.test(term.bottom()), 20_000));
    term.type('exec x');
    term.keys('Enter');
    await term.waitFor(/web\.1 +\| debug> exec x\n(.*\n)*?.*web\.1 +\| 42\n/);
    term.type('cont');
    term.keys('Enter');
    // Its prompt may come before the program's line, which starts with a backspace.
    await term.waitFor(/web\.1 +\| (debug>)?< after 42\n/);
    const ticks = (): number => (term.screen().match(/ticker\.1 +\| tick/g) ?? []).length;
    const before = ticks();
    t.ok(await eventually(() => ticks() > before + 3), 'the other process prints on');
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0', 'Ctrl-C stopped everything gracefully');
  },
);

t.test(
  "Ruby's debugger (rdbg) with tty: true: (rdbg) shows, p x answers, c continues",
  { skip: skipWithoutTmux || skipUnlessInstalled('ruby') || skipWithoutPty },
  async (t) => {
    const dir = t.testdir({
      'app.rb':
        'require "debug"\nx = 42\nputs "before"\n$stdout.flush\ndebugger\n' +
        'puts "after #{x}"\n$stdout.flush\nsleep 600\n',
      'tick.sh': TICK,
      '.foreman': 'processes:\n  web:\n    tty: true\n',
      Procfile: 'web: ruby app.rb\nticker: sh tick.sh\n',
    });
    const term = openTerminal(t, { args: 'start --no-control', dir });
    t.ok(
      await eventually(() => /web\.1 +\| \(rdbg\) ?$/.test(term.bottom()), 30_000),
      '(rdbg) on the bottom line, with its prefix',
    );
    term.type('p x + 1');
    term.keys('Enter');
    // rdbg's line editor marks the line it read: `(rdbg) p x + 1    # command`.
    await term.waitFor(/web\.1 +\| \(rdbg\) p x \+ 1( +# command)?\n(.*\n)*?.*web\.1 +\| => 43\n/);
    t.equal(term.screen().match(/\(rdbg\) p x \+ 1/g)?.length, 1, 'the typed line shows once');
    term.type('c');
    term.keys('Enter');
    await term.waitFor(/web\.1 +\| after 42/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);
