import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  cliWords,
  eventually,
  FIXTURES,
  killMatching,
  leftovers,
  uniqueSleep,
} from '../helpers/cli.js';
import type { TapTest } from '../helpers/cli.js';

/**
 * A real terminal: `run` under tmux, typed at with send-keys and read with capture-pane.
 * The admin process must own the terminal: echo, line editing, Ctrl-C for it and not us.
 */
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

function session(
  t: TapTest,
  command: string,
  dir: string,
): { keys: (...keys: string[]) => void; screen: () => string } {
  const socket = `fts-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const status = join(dir, 'status');
  const script = `cd ${dir} && ${cliWords()} ${command}; echo "EXIT=$?" > ${status}; sleep 30`;
  tmux(
    socket,
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    '150',
    '-y',
    '40',
    `env -u TMUX bash --norc --noprofile -c '${script}'`,
  );
  t.teardown(() => {
    try {
      tmux(socket, 'kill-server');
    } catch {
      // already gone
    }
  });
  return {
    keys: (...keys) => void tmux(socket, 'send-keys', '-t', 'main', ...keys),
    screen: () => tmux(socket, 'capture-pane', '-p', '-t', 'main'),
  };
}

const statusOf = (dir: string): string | undefined => {
  const path = join(dir, 'status');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
};

t.test(
  'run bash: echo, Ctrl-C to the child only, and its exit status',
  { skip: hasTmux ? false : 'tmux is not installed' },
  async (t) => {
    const dir = t.testdir({ '.env': 'GREETING=hello-from-env\n' });
    const term = session(t, 'run bash --norc --noprofile -i', dir);
    const prompt = (): boolean => /^bash[^\n]*[#$]\s*$/m.test(term.screen());
    t.ok(await eventually(prompt, 20_000), 'bash prompt shows');
    term.keys('echo "typed $GREETING $PS"', 'Enter');
    t.ok(
      await eventually(() => /^typed hello-from-env run\.1$/m.test(term.screen())),
      'typed input echoed and run',
    );
    const sleeper = uniqueSleep();
    t.teardown(() => killMatching(sleeper.pattern));
    term.keys(sleeper.command, 'Enter');
    t.ok(await eventually(() => leftovers(sleeper.pattern).length > 0), 'sleep runs');
    term.keys('C-c');
    term.keys('echo still-alive', 'Enter');
    t.ok(
      await eventually(() => /^still-alive$/m.test(term.screen()), 15_000),
      'Ctrl-C interrupted sleep, not bash or us',
    );
    term.keys('exit 3', 'Enter');
    t.ok(await eventually(() => statusOf(dir) !== undefined, 15_000));
    t.equal(statusOf(dir), 'EXIT=3');
  },
);

t.test(
  'one Ctrl-C is one SIGINT for the child',
  { skip: hasTmux ? false : 'tmux is not installed' },
  async (t) => {
    const dir = t.testdir({});
    const term = session(t, `run node ${join(FIXTURES, 'bin', 'count-signals.mjs')}`, dir);
    t.ok(await eventually(() => /^ready$/m.test(term.screen()), 20_000));
    term.keys('C-c');
    t.ok(await eventually(() => /got SIGINT 1/.test(term.screen())));
    term.keys('C-c');
    t.ok(await eventually(() => /got SIGINT 2/.test(term.screen())));
    term.keys('C-\\');
    t.ok(
      await eventually(() => statusOf(dir) !== undefined, 15_000),
      'SIGQUIT from the terminal ends the child',
    );
    t.equal(statusOf(dir), 'EXIT=131', 'and we mirror its death by SIGQUIT as 128+3');
    // Two keys, two signals: a copy forwarded by us would have shown by the end.
    t.notMatch(term.screen(), /got SIGINT 3/);
  },
);

t.test(
  'run node: a REPL with line editing',
  { skip: hasTmux ? false : 'tmux is not installed' },
  async (t) => {
    const dir = t.testdir({});
    const term = session(t, 'run node', dir);
    t.ok(await eventually(() => /^>\s*$/m.test(term.screen()), 20_000), 'node prompt shows');
    term.keys('1 + 41', 'Enter');
    t.ok(await eventually(() => /^42$/m.test(term.screen())));
    term.keys('process.exit(7)', 'Enter');
    t.ok(await eventually(() => statusOf(dir) !== undefined, 15_000));
    t.equal(statusOf(dir), 'EXIT=7');
  },
);
