import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { eventually, runCli, type TapTest } from '../helpers/cli.js';
import {
  openTerminal,
  skipUnlessInstalled,
  skipWithoutTmux,
  type Terminal,
} from '../helpers/tmux.js';

/**
 * `start` in a real terminal (tmux) with real debuggers (issue 9, docs/interactive.md): a
 * prompt without a newline stays on the bottom line with its prefix, what is typed appears
 * after it and reaches that one process, and other processes' lines keep scrolling above.
 */
const PDB_APP = {
  'dbg.py':
    'import pdb, time\nx = 41 + 1\nprint("before", flush=True)\npdb.set_trace()\n' +
    'print("after", x, flush=True)\ntime.sleep(600)\n',
  'tick.sh': 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done\n',
  Procfile: 'web: python3 dbg.py\nticker: sh tick.sh\n',
};

const ticks = (term: Terminal): number =>
  (term.screen().match(/ticker\.1 +\| tick \d+/g) ?? []).length;

/** Let the ticker print a few more lines, so a check sees their effect on the bottom line. */
async function afterMoreTicks(term: Terminal, count = 5): Promise<void> {
  const from = ticks(term);
  await eventually(() => ticks(term) >= from + count, 20_000);
}

t.test(
  'pdb under start: the prompt stays at the bottom, p x answers, c continues',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') },
  async (t) => {
    const dir = t.testdir(PDB_APP);
    const term = openTerminal(t, { args: 'start --no-control', dir });
    await term.waitFor(/web\.1 +\| before/);
    t.ok(
      await eventually(() => /web\.1 +\| \(Pdb\)$/.test(term.bottom()), 20_000),
      'the (Pdb) prompt shows, with its prefix, on the bottom line',
    );
    await afterMoreTicks(term);
    t.match(term.bottom(), /web\.1 +\| \(Pdb\)$/, 'and stays there while another process prints');
    term.type('p x');
    await afterMoreTicks(term);
    t.match(term.bottom(), /web\.1 +\| \(Pdb\) p x$/, 'typing appears after the prompt, intact');
    term.keys('Enter');
    await term.waitFor(/web\.1 +\| 42\n/);
    const screen = term.screen();
    t.equal(screen.match(/\(Pdb\) p x/g)?.length, 1, 'the typed line shows once');
    t.match(screen, /web\.1 +\| \(Pdb\) p x\n(.*\n)*?.*web\.1 +\| 42\n/, 'then its answer');
    term.type('c');
    term.keys('Enter');
    await term.waitFor(/web\.1 +\| after 42/);
    t.notMatch(term.bottom(), /\(Pdb\)/, 'no prompt left once it continued');
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0', 'Ctrl-C stopped everything gracefully');
    t.match(term.screen(), /SIGINT received: sending SIGTERM to all processes/);
  },
);

t.test(
  // start runs in a subshell (openTerminal's jobControl), as under `npm run dev`: not the job's leader.
  'Ctrl-Z stops the whole job, so the shell has the terminal; fg gives it back, prompt and all',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') },
  async (t) => {
    const dir = t.testdir(PDB_APP);
    const term = openTerminal(t, { args: 'start --no-control', dir, jobControl: true });
    t.ok(await eventually(() => /web\.1 +\| \(Pdb\)$/.test(term.bottom()), 20_000));
    term.keys('C-z');
    await term.waitFor(/Stopped/);
    term.type('echo "the shell $((40 + 2))"');
    term.keys('Enter');
    await term.waitFor(/^the shell 42$/m);
    term.type('fg');
    term.keys('Enter');
    t.ok(
      await eventually(() => /web\.1 +\| \(Pdb\)$/.test(term.bottom()), 20_000),
      'the prompt is drawn again at the bottom',
    );
    term.type('p x');
    term.keys('Enter');
    await term.waitFor(/web\.1 +\| \(Pdb\) p x\n(.*\n)*?.*web\.1 +\| 42\n/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);

t.test(
  'two debuggers waiting: the second is announced, and gets the input once the first goes on',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') },
  async (t) => {
    const dir = t.testdir({
      'dbg.py':
        'import os, pdb, time\nx = os.environ["X"]\npdb.set_trace()\n' +
        'print("after", x, flush=True)\ntime.sleep(600)\n',
      Procfile: 'one: X=first python3 dbg.py\ntwo: X=second python3 dbg.py\n',
    });
    const term = openTerminal(t, { args: 'start --no-control', dir });
    const announced = /system +\| (one|two)\.1 is waiting for input; typing goes to (one|two)\.1/;
    await term.waitFor(announced);
    const [, second = '', first = ''] = announced.exec(term.screen()) ?? [];
    t.not(first, second, 'the input stays with the one that waited first');
    t.match(term.bottom(), new RegExp(`${first}\\.1 +\\| \\(Pdb\\)$`), 'its prompt below');
    term.type('c');
    term.keys('Enter');
    await term.waitFor(new RegExp(`${first}\\.1 +\\| after`));
    t.ok(
      await eventually(() => new RegExp(`${second}\\.1 +\\| \\(Pdb\\)$`).test(term.bottom())),
      'then the other one, still waiting, has the input and its prompt shows',
    );
    term.type('p x');
    term.keys('Enter');
    await term.waitFor(new RegExp(`${second}\\.1 +\\| '${second === 'one' ? 'first' : 'second'}'`));
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);

t.test(
  '~NAME moves the input to another process; ~? explains; Ctrl-C while typing still stops',
  { skip: skipWithoutTmux },
  async (t) => {
    const dir = t.testdir({
      'echo.sh': 'while read line; do echo "got: $line"; done\n',
      Procfile: 'one: sh echo.sh\ntwo: sh echo.sh\n',
    });
    const term = openTerminal(t, { args: 'start --no-control --attach one', dir });
    await term.waitFor(/two\.1 started/);
    term.type('hello');
    term.keys('Enter');
    await term.waitFor(/one\.1 +\| got: hello/);
    term.type('~two');
    term.keys('Enter');
    await term.waitFor(/system +\| typing goes to two\.1/);
    term.type('again');
    term.keys('Enter');
    await term.waitFor(/two\.1 +\| got: again/);
    t.notMatch(term.screen(), /one\.1 +\| got: again/, 'exactly one process got it');
    term.type('~~tilde');
    term.keys('Enter');
    await term.waitFor(/two\.1 +\| got: ~tilde/);
    term.type('~?');
    term.keys('Enter');
    await term.waitFor(/~NAME sends it to NAME \(one\.1, two\.1\)/);
    term.type('half typed');
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);

const ECHO_APP = {
  'echo.sh': 'echo ready; while read line; do echo "got: $line"; done\n',
  Procfile: 'one: sh echo.sh\ntwo: sh echo.sh\n',
};

/** Type a line with nobody at a prompt: it reaches two.1, the one pinned, and only it. */
async function typedReachesTwo(t: TapTest, term: Terminal): Promise<void> {
  await term.waitFor(
    /one\.1 +\| ready\n(.*\n)*.*two\.1 +\| ready|two\.1 +\| ready\n(.*\n)*.*one\.1 +\| ready/,
  );
  term.type('hello');
  term.keys('Enter');
  await term.waitFor(/two\.1 +\| got: hello/);
  t.notMatch(term.screen(), /one\.1 +\| got/, 'exactly one process got it');
  term.keys('C-c');
  t.ok(await eventually(() => term.status() !== undefined, 20_000));
  t.equal(term.status(), 'EXIT=0');
}

t.test('attach: in .foreman pins the input', { skip: skipWithoutTmux }, async (t) => {
  const dir = t.testdir({ ...ECHO_APP, '.foreman': 'attach: two\n' });
  await typedReachesTwo(t, openTerminal(t, { args: 'start --no-control', dir }));
});

t.test('FOREMAN_TS_ATTACH pins the input', { skip: skipWithoutTmux }, async (t) => {
  const dir = t.testdir(ECHO_APP);
  const env = { FOREMAN_TS_ATTACH: 'two' };
  await typedReachesTwo(t, openTerminal(t, { args: 'start --no-control', dir, env }));
});

t.test('--attach names a process that is not in the formation: a usage error', async (t) => {
  const dir = t.testdir({ Procfile: 'web: sleep 100\n' });
  const result = await runCli(t, ['start', '--attach', 'wbe'], { cwd: dir });
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /--attach: unknown process "wbe" \(hint: known: web\.1\)/);
});

t.test(
  'stdin not a terminal: nothing is routed, the prompt is printed as a line',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') },
  async (t) => {
    const dir = t.testdir(PDB_APP);
    const term = openTerminal(t, { args: 'start --no-control < /dev/null', dir });
    await term.waitFor(/web\.1 +\| \(Pdb\)\s*\n(.*\n)*.*ticker\.1 +\| tick/);
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0', 'the terminal still sends us SIGINT');
  },
);

t.test('run, and start without a terminal, evaluate none of the terminal code', async (t) => {
  const watched = ['node:readline', 'node:tty', '@lydell/node-pty'];
  const cwd = t.testdir({
    Procfile: 'a: echo hi\n',
    // Both ways a module can be asked for: require() (builtins from the bundle) and import().
    'trace.cjs': `
const Module = require('node:module');
const fs = require('node:fs');
const watched = ${JSON.stringify(watched)};
const note = (request) => watched.includes(request) && fs.appendFileSync(process.env.TRACE_FILE, request + '\\n');
const load = Module._load;
Module._load = function (request, ...rest) { note(request); return load.call(this, request, ...rest); };
Module.register('data:text/javascript,' + encodeURIComponent(
  "import { appendFileSync } from 'node:fs';" +
  "export async function resolve(s, c, n) { if (s === '@lydell/node-pty') appendFileSync(process.env.TRACE_FILE, s + '\\\\n'); return n(s, c); }"));
`,
  });
  const loadsOf = async (args: string[], name: string): Promise<string> => {
    const traceFile = `${cwd}/${name}.trace`;
    await runCli(t, args, {
      cwd,
      env: { NODE_OPTIONS: `--require ${cwd}/trace.cjs`, TRACE_FILE: traceFile },
    });
    return existsSync(traceFile) ? readFileSync(traceFile, 'utf8') : '';
  };
  t.equal(await loadsOf(['run', 'true'], 'run'), '', 'run');
  t.equal(
    await loadsOf(['start'], 'start'),
    'node:tty\n',
    'start asks whether stdin is a terminal',
  );
  t.match(await loadsOf(['start', '--tty', 'a'], 'tty'), /@lydell\/node-pty/, 'tty: loads it');
});
