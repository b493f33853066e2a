import t from 'tap';
import { execFileSync } from 'node:child_process';
import { eventually, testPort } from '../helpers/cli.js';
import { openTerminal, skipUnlessInstalled, skipWithoutTmux } from '../helpers/tmux.js';
import { skipWithoutPty } from '../helpers/pty.js';

/**
 * The debuggers people put in apps under `start`, for real, in a real terminal (tmux):
 * Node's `node inspect` on a pipe, and Ruby's `debugger` (rdbg, what Rails generates) on a
 * pseudo-terminal, and pdb in a Django view under `runserver` with its autoreloader, each while
 * another process keeps printing (docs/interactive.md).
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

/** A python3 that can import Django (Debian's python3-django), or undefined. */
const djangoPython = ['python3', '/usr/bin/python3'].find((python) => {
  try {
    execFileSync(python, ['-c', 'import django'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** One-file Django app: `breakpoint()` in a view. */
const DJANGO_APP = `import sys
from django.conf import settings
settings.configure(DEBUG=True, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1"], SECRET_KEY="test")
from django.http import HttpResponse
from django.urls import path

def hello(request):
    x = 42
    breakpoint()
    return HttpResponse("answered %d" % x)

urlpatterns = [path("hello", hello)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
`;

t.test(
  'Django runserver (autoreloader on): breakpoint() in a view, p request.path, c answers',
  { skip: skipWithoutTmux || (djangoPython === undefined ? 'Django is not installed' : false) },
  async (t) => {
    const dir = t.testdir({
      'app.py': DJANGO_APP,
      'tick.sh': TICK,
      // The reloader runs the server in a child process: the stdin pipe must reach it.
      Procfile: `web: ${djangoPython} app.py runserver 127.0.0.1:$PORT\nticker: sh tick.sh\n`,
    });
    const term = openTerminal(t, { args: 'start --no-control', dir });
    await term.waitFor(/web\.1 +\| (Starting development server|Quit the server)/, 30_000);
    const response = fetch(`http://127.0.0.1:${testPort(t)}/hello`).then((reply) => reply.text());
    t.ok(
      await eventually(() => /web\.1 +\| \(Pdb\) ?$/.test(term.bottom()), 30_000),
      '(Pdb) on the bottom line',
    );
    term.type('p request.path');
    term.keys('Enter');
    await term.waitFor(/web\.1 +\| \(Pdb\) p request\.path\n(.*\n)*?.*web\.1 +\| '\/hello'\n/);
    term.type('c');
    term.keys('Enter');
    t.equal(await response, 'answered 42', 'the request finished');
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);
