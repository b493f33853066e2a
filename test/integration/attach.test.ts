import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { skipWithoutPty } from '../helpers/pty.js';
import { encodeFrame } from '../../src/core/attach-protocol.js';
import { controlPlaceFor } from '../../src/io/control-place.js';
import { eventually, runCli, startCli, testEnv } from '../helpers/cli.js';
import { openTerminal, skipUnlessInstalled, skipWithoutTmux } from '../helpers/tmux.js';

/**
 * `foreman-ts attach NAME` (issue 9, docs/control.md#attach): from a second terminal, a
 * process's output and our typing to it, through the control socket, until Ctrl-]; start and
 * its own terminal go on undisturbed.
 */

const PDB_APP = {
  'dbg.py':
    'import pdb, time\nx = 41 + 1\nprint("before", flush=True)\npdb.set_trace()\n' +
    'print("after", x, flush=True)\ntime.sleep(600)\n',
  'tick.sh': 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done\n',
  Procfile: 'web: python3 dbg.py\nticker: sh tick.sh\n',
};

t.test(
  'pdb through foreman-ts attach from a second tmux window',
  { skip: skipWithoutTmux || skipUnlessInstalled('python3') },
  async (t) => {
    const dir = t.testdir(PDB_APP);
    const term = openTerminal(t, { args: 'start', dir });
    await term.waitFor(/web\.1 +\| \(Pdb\)\s*$/);
    term.window('att', 'attach web');
    await term.waitFor(/attached to web\.1 \(Ctrl-\] detaches\)\n\(Pdb\)/, 20_000, 'att');
    await term.waitFor(/system +\| attach web\.1 \(requested\)/);
    term.type('p x', 'att');
    term.keysTo('att', 'Enter');
    await term.waitFor(/^\(Pdb\) p x\n42\n\(Pdb\)/m, 20_000, 'att');
    await term.waitFor(/web\.1 +\| \(Pdb\) p x\n(.*\n)*?.*web\.1 +\| 42\n/);
    term.type('c', 'att');
    term.keysTo('att', 'Enter');
    await term.waitFor(/after 42/, 20_000, 'att');
    term.keysTo('att', 'C-]');
    t.ok(await eventually(() => term.status('att') !== undefined, 20_000), 'Ctrl-] detaches');
    t.equal(term.status('att'), 'EXIT=0');
    t.match(term.screen('att'), /foreman-ts: detached from web\.1/);
    await term.waitFor(/system +\| detach web\.1 \(requested\)/);
    t.equal(term.status(), undefined, 'start runs on');
    const ticks = (): number => (term.screen().match(/ticker\.1 +\| tick/g) ?? []).length;
    const before = ticks();
    t.ok(await eventually(() => ticks() > before + 3), 'and its other processes still print');
    term.keys('C-c');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
  },
);

t.test(
  'a second attach to the same process takes over; the first is told and let go',
  { skip: skipWithoutTmux },
  async (t) => {
    const dir = t.testdir({
      'echo.sh': 'echo ready; while read line; do echo "got: $line"; done\n',
      Procfile: 'echo: sh echo.sh\n',
    });
    const term = openTerminal(t, { args: 'start', dir });
    await term.waitFor(/echo\.1 +\| ready/);
    term.window('first', 'attach echo');
    await term.waitFor(/attached to echo\.1/, 20_000, 'first');
    term.window('second', 'attach echo.1');
    await term.waitFor(/attached to echo\.1/, 20_000, 'second');
    t.ok(await eventually(() => term.status('first') !== undefined, 20_000));
    t.equal(term.status('first'), 'EXIT=0');
    t.match(term.screen('first'), /foreman-ts: attached from another terminal/);
    term.type('hello', 'second');
    term.keysTo('second', 'Enter');
    await term.waitFor(/^got: hello$/m, 20_000, 'second');
    await term.waitFor(/echo\.1 +\| got: hello/);
    term.keys('C-c');
    t.ok(
      await eventually(() => term.status('second') !== undefined, 20_000),
      'start stopping ends it',
    );
    t.match(term.screen('second'), /foreman-ts: (start stopped|echo\.1 ended)/);
  },
);

t.test(
  'a tty: true process gets the attaching window size, and ours back after Ctrl-]',
  {
    skip: skipWithoutTmux || skipUnlessInstalled('python3') || skipWithoutPty,
  },
  async (t) => {
    const dir = t.testdir({
      'size.py':
        'import os, shutil, signal, time\ndef show(*_):\n' +
        '    size = shutil.get_terminal_size((0, 0))\n' +
        '    print("size", size.columns, size.lines, flush=True)\n' +
        'signal.signal(signal.SIGWINCH, show)\nshow()\nwhile True: time.sleep(1)\n',
      Procfile: 'sized: python3 size.py\n',
    });
    const start = startCli(t, ['start', '--tty', 'sized'], { cwd: dir });
    await start.waitFor(/sized\.1 +\| size 80 24\n/);
    const term = openTerminal(t, { args: 'attach sized', dir, columns: 100, rows: 30 });
    await term.waitFor(/size 100 30/);
    term.keys('C-]');
    t.ok(await eventually(() => term.status() !== undefined, 20_000));
    t.equal(term.status(), 'EXIT=0');
    await start.waitFor(/sized\.1 +\| size 100 30\n(.*\n)*.*sized\.1 +\| size 80 24\n/);
    start.signal('SIGTERM');
    t.equal((await start.result).exitCode, 0);
  },
);

t.test('attach to a process that does not run: an error listing those that do', async (t) => {
  const dir = t.testdir({ Procfile: 'web: echo ready; sleep 600\n' });
  const start = startCli(t, ['start'], { cwd: dir });
  await start.waitFor(/web\.1 +\| ready/);
  const result = await runCli(t, ['attach', 'wbe'], { cwd: dir });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /no process "wbe" is running \(hint: running: web\.1\)/);
  start.signal('SIGTERM');
  t.equal((await start.result).exitCode, 0);
});

t.test('attach with no start running: exit 1 and how to start one', async (t) => {
  const dir = t.testdir({ Procfile: 'web: sleep 600\n' });
  const result = await runCli(t, ['attach', 'web'], { cwd: dir });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /no foreman-ts start is running in .* \(hint: start one/);
});

t.test(
  'a client that stops reading pauses that process, not our memory; reading resumes it',
  async (t) => {
    // Floods its stdout; marks in files when a write has been blocked for a second, and when
    // it flowed again.
    const flood =
      "const fs = require('fs'); const line = 'x'.repeat(1000) + '\\n'; let waited;\n" +
      'const write = () => { while (process.stdout.write(line)); waited = setTimeout(() => ' +
      "fs.writeFileSync('blocked', ''), 1000); process.stdout.once('drain', () => { " +
      "clearTimeout(waited); if (fs.existsSync('blocked')) fs.writeFileSync('flowed', ''); write(); }); };\n" +
      'write();\n';
    const dir = t.testdir({ 'flood.cjs': flood, Procfile: 'flood: node flood.cjs\n' });
    const start = startCli(t, ['start'], { cwd: dir });
    await start.waitFor(/flood\.1 +\| x{1000}/);
    const { socket } = controlPlaceFor(dir, testEnv(t));
    const client = connect(socket);
    t.teardown(() => client.destroy());
    client.write('{"v":1,"id":1,"cmd":"attach","target":"flood"}\n');
    await new Promise((resolve) => client.once('data', resolve));
    client.pause(); // a client that reads nothing more
    t.ok(await eventually(() => existsSync(join(dir, 'blocked')), 30_000), 'the process is held');
    const rss = Number(
      /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${start.pid}/status`, 'utf8'))?.[1],
    );
    t.ok(rss < 200_000, `start's peak memory stays bounded (${rss} kB)`);
    client.resume();
    client.on('data', () => {});
    t.ok(await eventually(() => existsSync(join(dir, 'flowed')), 30_000), 'and flows again');
    start.signal('SIGTERM');
    t.equal((await start.result).exitCode, 0);
  },
);

t.test('an attach outlives the idle timeout that closes a silent request', async (t) => {
  const dir = t.testdir({
    'echo.sh': 'echo ready; while read line; do echo "got: $line"; done\n',
    Procfile: 'echo: sh echo.sh\n',
  });
  const env = { FOREMAN_TS_TEST_CONTROL_LIMITS: 'idleMs=300' };
  const start = startCli(t, ['start'], { cwd: dir, env });
  await start.waitFor(/echo\.1 +\| ready/);
  const { socket } = controlPlaceFor(dir, testEnv(t));
  const client = connect(socket);
  t.teardown(() => client.destroy());
  let received = '';
  client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  let isClosed = false;
  client.on('close', () => (isClosed = true));
  client.write('{"v":1,"id":1,"cmd":"attach","target":"echo"}\n');
  t.ok(await eventually(() => received.includes('"attached"')), 'attached');
  // A connection opened after the attach, silent: once the server has closed it, the attach
  // has been idle for longer than the limit too.
  const silent = connect(socket);
  t.teardown(() => silent.destroy());
  await new Promise((resolve) => silent.once('close', resolve));
  t.notOk(isClosed, 'the attach is still open');
  client.write(encodeFrame({ kind: 'input', data: Buffer.from('hello\n') }));
  t.ok(await eventually(() => received.includes('got: hello')), 'and carries input and output');
  start.signal('SIGTERM');
  t.equal((await start.result).exitCode, 0);
});
