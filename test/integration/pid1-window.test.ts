// The PID-1 start-up window (docs/container.md, "The start-up window"): from exec to our first
// line a stop signal sent to PID 1 is lost, so the handlers come before the CLI is even read,
// a signal that arrives once they exist is queued until `start` takes it, and under tini
// (`docker run --init`) an early signal still ends the container.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import t from 'tap';
import { CLI, nodeCommand, runCli, testEnv, type TapTest } from '../helpers/cli.js';

const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
const skip = probe.status === 0 ? false : 'unshare --pid --fork --mount-proc is not permitted here';
const tini = spawnSync('sh', ['-c', 'command -v tini'], { encoding: 'utf8' }).stdout.trim();
const SIGHUP_BIT = 1n << 0n;

/** Prints, when dist/cli/main.js is about to be compiled, which handlers already exist. */
const LOAD_PROBE = `
const Module = require('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (filename.endsWith('/dist/cli/main.js')) {
    const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
    const listeners = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'].map((s) => process.listenerCount(s));
    process.stderr.write('compiling cli/main.js; listeners ' + listeners.join(',') + '\\n');
  }
  return compile.call(this, content, filename);
};
`;

t.test('the stop signals have handlers before the CLI bundle is read', async (t) => {
  const cwd = t.testdir({ 'probe.cjs': LOAD_PROBE });
  const result = await runCli(t, ['--version'], {
    cwd,
    env: { NODE_OPTIONS: `--require ${cwd}/probe.cjs` },
  });
  t.equal(result.exitCode, 0, result.stderr);
  t.match(result.stderr, /compiling cli\/main\.js; listeners 1,1,1,1/);
  t.ok(readFileSync(CLI).length < 8192, 'the entry is a small file of its own');
});

/** The host pid of the namespace's PID 1 (the child of `unshare`). */
function childOf(parent: number): number | undefined {
  for (const task of readdirSync(`/proc/${parent}/task`)) {
    const children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim();
    if (children !== '') return Number(children.split(' ')[0]);
  }
  return undefined;
}

function statusOf(pid: number): { name: string; caught: bigint } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? '';
    return { name, caught: BigInt(`0x${/^SigCgt:\s+(\w+)/m.exec(status)?.[1] ?? '0'}`) };
  } catch {
    return undefined;
  }
}

/** Poll /proc every millisecond until `isDone` holds for the PID 1's status (bounded). */
async function pollStatus(
  pid: number,
  isDone: (status: { name: string; caught: bigint }) => boolean,
): Promise<void> {
  for (let tries = 0; tries < 30_000; tries++) {
    const status = statusOf(pid);
    if (status === undefined) throw new Error(`pid ${pid} ended`);
    if (isDone(status)) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`pid ${pid} never reached the state waited for`);
}

type Pid1 = Readonly<{ pid: number; ended: Promise<number | null>; output: () => string }>;

/** The exit code, or a failure after 30 s: a lost signal must not hang the suite. */
function endOf(pid1: Pid1): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running:\n${pid1.output()}`)), 30_000);
  });
  return Promise.race([pid1.ended, late]).finally(() => clearTimeout(timer));
}

async function startAsPid1(t: TapTest, command: readonly string[], cwd: string): Promise<Pid1> {
  const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', ...command], {
    cwd,
    env: testEnv(t),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  unshare.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  unshare.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<number | null>((resolve) => unshare.once('close', resolve));
  let pid: number | undefined;
  for (let tries = 0; pid === undefined && tries < 5_000; tries++) {
    pid = childOf(unshare.pid ?? 0);
    if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (pid === undefined) throw new Error('the namespace never got its PID 1');
  const found = pid;
  t.teardown(async () => {
    if (unshare.exitCode !== null) return;
    try {
      process.kill(found, 'SIGKILL');
    } catch {
      // it ended meanwhile
    }
    await ended;
  });
  return { pid: found, ended, output: () => output };
}

t.test(
  'as PID 1, a SIGTERM that lands once the handlers exist is queued and honoured',
  { skip },
  async (t) => {
    const cwd = t.testdir({ Procfile: 'web: sleep 3600\n' });
    const [file, argv] = nodeCommand([CLI, 'start']);
    const pid1 = await startAsPid1(t, [file, ...argv], cwd);
    await pollStatus(
      pid1.pid,
      ({ name, caught }) => name === 'node' && (caught & SIGHUP_BIT) !== 0n,
    );
    process.kill(pid1.pid, 'SIGTERM');
    t.equal(await endOf(pid1), 0, 'a graceful stop');
    t.match(pid1.output(), /SIGTERM received/);
  },
);

t.test(
  'under tini a SIGTERM during Node’s start-up still ends the container',
  { skip: skip || (tini === '' ? 'tini is not installed (Debian package "tini")' : false) },
  async (t) => {
    const cwd = t.testdir({ Procfile: 'web: sleep 3600\n' });
    const [file, argv] = nodeCommand([CLI, 'start']);
    const pid1 = await startAsPid1(t, [tini, '--', file, ...argv], cwd);
    await pollStatus(pid1.pid, ({ name }) => name === 'tini');
    const node = await waitForChild(pid1.pid);
    const early = statusOf(node);
    process.kill(pid1.pid, 'SIGTERM');
    const code = await endOf(pid1);
    if (early !== undefined && (early.caught & SIGHUP_BIT) !== 0n) {
      t.equal(code, 0, 'our handlers were already there: a graceful stop');
    } else {
      t.equal(code, 143, 'Node died of the SIGTERM tini passed on');
    }
  },
);

/** tini's child (our node), once tini has forked it and it has exec'd node. */
async function waitForChild(pid: number): Promise<number> {
  for (let tries = 0; tries < 30_000; tries++) {
    const child = childOf(pid);
    if (child !== undefined && statusOf(child)?.name === 'node') return child;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('tini never started node');
}
