import { execa, type ResultPromise } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type tap from 'tap';
import treeKill from 'tree-kill';
import { controlPlaceFor } from '../../src/io/control-place.js';
import { freeBasePort } from './ports.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = resolve(ROOT, 'dist/bin.js');
export const FIXTURES = resolve(ROOT, 'fixtures');

/** A fixture program, as a shell word for a Procfile line: `node /abs/fixtures/bin/NAME`. */
export function bin(name: string): string {
  return `node ${resolve(FIXTURES, 'bin', name)}`;
}

type Teardown = { teardown: (fn: () => unknown) => void };

/** The `t` a subtest callback receives. */
export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0];

export type CliResult = Readonly<{
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  all: string;
  isTimedOut: boolean;
}>;

export type CliOptions = Readonly<{
  cwd: string;
  /** Added to the user's env; a key set to undefined removes it (XDG_RUNTIME_DIR too). */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /**
   * The base port of a `start` (passed as `-p`): the test's free port by default; `false` leaves
   * it to the release (.foreman `port:`, PORT in .env), for tests of exactly that. A `-p` in the
   * args or a PORT/FOREMAN_TS_PORT in `env` wins over the default too.
   */
  port?: number | false;
}>;

/** What every CLI call of one test shares: a private runtime dir (control sockets) and ports. */
type TestSetup = Readonly<{ runtimeDir: string; basePort: number }>;

const setups = new WeakMap<Teardown, TestSetup>();

function setupOf(t: Teardown): TestSetup {
  let setup = setups.get(t);
  if (setup === undefined) {
    // Short, under /tmp: a socket path must fit in 108 bytes.
    const runtimeDir = mkdtempSync(join(tmpdir(), 'fts-xdg-'));
    // Teardowns run last-registered first: this one, registered before any start, runs last.
    t.teardown(() => rmSync(runtimeDir, { recursive: true, force: true }));
    setup = { runtimeDir, basePort: freeBasePort() };
    setups.set(t, setup);
  }
  return setup;
}

/**
 * The environment every CLI call of test `t` gets: the user's (see cleanEnv), with the test's
 * own XDG_RUNTIME_DIR, so control sockets never meet another test's or user's. For spawning the
 * CLI by other means (execa, unshare, a shell) in a test that also uses runCli/startCli.
 */
export function testEnv(
  t: Teardown,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  return cleanEnv({ XDG_RUNTIME_DIR: setupOf(t).runtimeDir, ...extra });
}

/** The base port `start` gets in test `t` (type i, instance n: base + 100*i + n-1). */
export function testPort(t: Teardown): number {
  return setupOf(t).basePort;
}

const PORT_FLAG = /^(-p|--port)(=|\d|$)/;

/** The args with the test's base port added to a `start` that does not choose its own. */
function withPort(t: Teardown, args: readonly string[], options: CliOptions): readonly string[] {
  if (args[0] !== 'start' || options.port === false || args.some((arg) => PORT_FLAG.test(arg)))
    return args;
  if (options.port === undefined && (options.env?.PORT ?? options.env?.FOREMAN_TS_PORT))
    return args;
  return [...args, '-p', String(options.port ?? testPort(t))];
}

/**
 * The environment a user would have: ours, minus what the test runner injects (its loader in
 * NODE_OPTIONS, coverage, colour forcing), so the CLI runs as it does for real.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...extra })) {
    if (value === undefined) continue;
    if (
      /^(NODE_OPTIONS|NODE_V8_COVERAGE|TAP|TAP_.*|_TAPJS_.*|FORCE_COLOR|NO_COLOR|TS_NODE_.*)$/.test(
        key,
      ) &&
      !(key in extra)
    )
      continue;
    env[key] = value;
  }
  return env;
}

/**
 * Run the built CLI to completion, with a bound: a hang fails the test instead of the suite.
 * Every call of one test shares its runtime dir and base port (see CliOptions.port).
 */
export async function runCli(
  t: Teardown,
  args: readonly string[],
  options: CliOptions,
): Promise<CliResult> {
  const result = await spawnCli(t, args, options);
  return toResult(result);
}

/**
 * tap's process tracking injects NODE_OPTIONS (its loader) and _TAPJS_* into every process a
 * test spawns, whatever env we pass, and our children would inherit them. `env -u` drops them
 * between the spawn and the exec of node, so the CLI runs exactly as a user's would.
 */
const INJECTED = [
  'NODE_OPTIONS',
  ...[
    'CWD',
    'EXCLUDE',
    'COVERAGE',
    'COV_FILES',
    'COV_EXCLUDE_FILES',
    'COV_EXCLUDE',
    'ROOT',
    'PARENT',
  ].map((name) => `_TAPJS_PROCESSINFO_${name}_`),
];

/** argv for running node with `args` free of the test runner's injections. */
export function nodeCommand(
  args: readonly string[],
  env: Record<string, string> = {},
): [string, string[]] {
  const tap = Object.keys(process.env).filter((key) => key.startsWith('_TAPJS_'));
  const unset = [...new Set([...INJECTED, ...tap])].flatMap((key) => ['-u', key]);
  const keep = env.NODE_OPTIONS === undefined ? [] : [`NODE_OPTIONS=${env.NODE_OPTIONS}`];
  return ['/usr/bin/env', [...unset, ...keep, process.execPath, ...args]];
}

/** argv for running any program free of the test runner's injections (e.g. a script that runs node). */
export function cleanCommand(file: string, args: readonly string[]): [string, string[]] {
  const [env, argv] = nodeCommand([]);
  return [env, [...argv.slice(0, -1), file, ...args]];
}

/** A shell word that runs the CLI free of the test runner's injections (for `sh -c` pipelines). */
export function cliWords(): string {
  const [file, args] = nodeCommand([CLI]);
  return [file, ...args].join(' ');
}

function spawnCli(
  t: Teardown,
  args: readonly string[],
  options: CliOptions,
): ResultPromise<{ all: true; reject: false }> {
  const { cwd, env, input, timeoutMs = 60_000 } = options;
  const clean = testEnv(t, env);
  const [file, argv] = nodeCommand([CLI, ...withPort(t, args, options)], clean);
  return execa(file, argv, {
    cwd,
    env: clean,
    extendEnv: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    reject: false,
    all: true,
    timeout: timeoutMs,
    forceKillAfterDelay: 2000,
    stripFinalNewline: false,
    cleanup: true,
  });
}

function toResult(result: Awaited<ResultPromise<{ all: true; reject: false }>>): CliResult {
  return {
    exitCode: result.exitCode,
    signal: result.signal ?? undefined,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    all: String(result.all ?? ''),
    isTimedOut: result.timedOut,
  };
}

export type RunningCli = Readonly<{
  pid: number;
  /** Resolves once the combined output matches, or rejects after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  output: () => string;
  signal: (signal: NodeJS.Signals) => void;
  result: Promise<CliResult>;
}>;

/** Start the CLI and keep it running; the test's teardown kills its whole tree if it is still up. */
export function startCli(t: Teardown, args: readonly string[], options: CliOptions): RunningCli {
  const child = spawnCli(t, args, options);
  let output = '';
  const waiters = new Set<() => void>();
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters) wake();
  });
  const result = child.then(toResult);
  const pid = child.pid ?? 0;
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return void (await result);
    await killTree(pid);
    await result;
    // A start killed here leaves its control socket behind; the next start would replace it,
    // but test roots are never reused: remove it.
    rmSync(controlPlaceFor(options.cwd, testEnv(t, options.env)).socket, { force: true });
  });
  return {
    pid,
    output: () => output,
    // Straight to the pid, as a user's kill would: execa's kill() adds its own SIGKILL after
    // forceKillAfterDelay, which turned a slow but graceful stop on a loaded machine into a crash.
    signal: (signal) => void process.kill(pid, signal),
    result,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolvePromise, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match === null) return;
          cleanup();
          resolvePromise(match[0]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${String(pattern)}; output so far:\n${output}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void result.then(() => {
          check();
          if (waiters.has(check)) {
            cleanup();
            reject(new Error(`the CLI ended before ${String(pattern)}; output:\n${output}`));
          }
        });
        check();
      }),
  };
}

/** A safety net for teardown only: kill a tree that a failing test left behind. */
export function killTree(pid: number): Promise<void> {
  return new Promise((resolvePromise) => treeKill(pid, 'SIGKILL', () => resolvePromise()));
}

/** A command whose process we can find later: `sleep` with a number no other test uses. */
export function uniqueSleep(): { command: string; pattern: string } {
  const seconds = 7_000_000 + Math.floor(Math.random() * 999_999);
  return { command: `sleep ${seconds}`, pattern: `sleep ${seconds}` };
}

/** Pids of processes whose command line contains `pattern` (pgrep -f). */
export function leftovers(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Kill what matches `pattern`, for teardown after a test that failed. */
export function killMatching(pattern: string): void {
  for (const pid of leftovers(pattern)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Wait until `predicate` holds, polling; for effects we cannot get a marker line for. */
export async function eventually(predicate: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return predicate();
}
