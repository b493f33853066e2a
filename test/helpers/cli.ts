import { execa, type ResultPromise } from 'execa';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type tap from 'tap';
import treeKill from 'tree-kill';
import { controlPathsFor } from '../../src/io/control-client.js';

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
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}>;

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

/** Run the built CLI to completion, with a bound: a hang fails the test instead of the suite. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const result = await spawnCli(args, options);
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

/** A shell word that runs the CLI free of the test runner's injections (for `sh -c` pipelines). */
export function cliWords(): string {
  const [file, args] = nodeCommand([CLI]);
  return [file, ...args].join(' ');
}

function spawnCli(
  args: readonly string[],
  { cwd, env, input, timeoutMs = 60_000 }: CliOptions,
): ResultPromise<{ all: true; reject: false }> {
  const clean = cleanEnv(env);
  const [file, argv] = nodeCommand([CLI, ...args], clean);
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
  const child = spawnCli(args, options);
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
    rmSync(controlPathsFor(options.cwd, cleanEnv(options.env)).socket, { force: true });
  });
  return {
    pid,
    output: () => output,
    signal: (signal) => child.kill(signal),
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
