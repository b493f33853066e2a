/**
 * The app every engine test exports, and what the tests check it against: the env `foreman-ts
 * env` shows, the processes left behind, the files the app wrote (fixtures/bin/engine-app.mjs).
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync as spawnSyncRaw, type SpawnSyncReturns } from 'node:child_process';
import {
  FIXTURES,
  cleanCommand,
  cleanEnv,
  killMatching,
  leftovers,
  runCli,
  type TapTest,
} from './cli.js';

const TRICKY = JSON.parse(readFileSync(join(FIXTURES, 'export/tricky.json'), 'utf8')) as {
  env: Record<string, string>;
  extra: Record<string, string>;
};
export const ENGINE_APP = join(FIXTURES, 'bin/engine-app.mjs');

/** Every value the env-file dialect can hold: quotes of both kinds, $, #, newlines, unicode... */
export const TRICKY_ENV: Readonly<Record<string, string>> = { ...TRICKY.env, ...TRICKY.extra };

export type EngineApp = Readonly<{
  /** The program the Procfile runs (fixtures/bin/engine-app.mjs, or its copy). */
  program: string;
  /** The test's own folder under /tmp (readable by every user, for -u tests). */
  base: string;
  /** The app's root: a name with a space. */
  root: string;
  /** Where the app writes its records; writable by every user. */
  state: string;
  env: Readonly<Record<string, string>>;
  port: number;
}>;

/** Variables of the test runner's shell that would change what gets exported. */
export function quietEnv(keys: readonly string[] = []): Record<string, undefined> {
  const names = Object.keys(process.env).filter((key) => key.startsWith('FOREMAN_TS_'));
  return Object.fromEntries([...names, ...keys].map((key) => [key, undefined]));
}

/** A port nobody listens on now (the OS picks it); the exported units use it as -p. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The app in a fresh folder; its teardown kills whatever still runs from it and removes it. */
export async function engineApp(
  t: TapTest,
  {
    env = TRICKY_ENV,
    isCopied = false,
  }: {
    env?: Record<string, string>;
    /** Run a copy of the app from the test's folder (a container sees only that folder). */
    isCopied?: boolean;
  } = {},
): Promise<EngineApp> {
  const base = mkdtempSync(join(tmpdir(), 'foreman-ts-engine-'));
  chmodSync(base, 0o755);
  const root = join(base, 'my app');
  const state = join(base, 'state');
  mkdirSync(root, { mode: 0o755 });
  mkdirSync(state);
  chmodSync(state, 0o777);
  t.teardown(() => {
    killMatching(base);
    rmSync(base, { recursive: true, force: true });
  });
  const program = isCopied ? join(base, 'engine-app.mjs') : ENGINE_APP;
  if (isCopied) copyFileSync(ENGINE_APP, program);
  const app = (role: string) => `${process.execPath} ${program} ${role} ${state}`;
  writeFileSync(join(root, 'Procfile'), `release: ${app('release')}\nweb: ${app('web')}\n`);
  writeFileSync(join(root, '.env'), renderDotenv(env));
  return { base, root, state, env, program, port: await freePort() };
}

/** Each value double-quoted with the dialect's escapes, so every byte survives. */
export function renderDotenv(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(
    ([key, value]) =>
      `${key}="${value
        .replace(/[\\"$]/g, '\\$&')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r')
        .replace(/\t/g, '\\t')}"`,
  );
  return `${lines.join('\n')}\n`;
}

/** `foreman-ts export FORMAT DIR` of the app, with its port; fails the test on a non-zero exit. */
export async function exportApp(
  t: TapTest,
  app: EngineApp,
  format: string,
  args: readonly string[] = [],
): Promise<string> {
  const dir = join(app.base, format);
  const result = await runCli(
    t,
    ['export', format, dir, '-a', 'eng', '-p', String(app.port), ...args],
    { cwd: app.root, env: quietEnv(Object.keys(app.env)) },
  );
  t.equal(result.exitCode, 0, `export ${format}: ${result.stderr}`);
  return dir;
}

/**
 * What `foreman-ts env NAME` shows for the keys a process gets from the release: the env-file
 * keys, PORT and PS. NAME undefined: the admin env (`foreman-ts env`, as `run` gets it).
 */
export async function expectedEnv(
  t: TapTest,
  app: EngineApp,
  name: string | undefined,
): Promise<Record<string, string | undefined>> {
  const args = ['env', ...(name === undefined ? [] : [name]), '--json', '--show-secrets'];
  const result = await runCli(t, [...args, '-p', String(app.port)], {
    cwd: app.root,
    env: quietEnv(Object.keys(app.env)),
  });
  if (result.exitCode !== 0) throw new Error(`foreman-ts env failed: ${result.stderr}`);
  const env = JSON.parse(result.stdout) as Record<string, string>;
  return pickEnv(env, [...Object.keys(app.env), 'PORT', 'PS']);
}

export function pickEnv(
  env: Readonly<Record<string, string>>,
  keys: readonly string[],
): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((key) => [key, env[key]]));
}

export type Dump = Readonly<{
  pid: number;
  uid: number;
  cwd: string;
  at: number;
  env: Record<string, string>;
}>;

export function readDump(app: EngineApp, name: string): Dump | undefined {
  const path = join(app.state, `${name}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Dump;
}

/** Wait for a record the app writes; `accept` can ask for a newer one (another pid). */
export async function waitForDump(
  app: EngineApp,
  name: string,
  {
    timeoutMs = 60_000,
    accept = () => true,
  }: { timeoutMs?: number; accept?: (d: Dump) => boolean } = {},
): Promise<Dump> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dump = readDump(app, name);
    if (dump !== undefined && accept(dump)) return dump;
    if (Date.now() > deadline)
      throw new Error(`no ${name}.json from the engine in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pids of web's tree: the main process, its child and grandchild (all ignore SIGTERM). */
export async function treeOf(app: EngineApp, main: number): Promise<number[]> {
  const path = join(app.state, `tree-${main}.json`);
  for (let tries = 0; tries < 300 && !existsSync(path); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [main, ...(JSON.parse(readFileSync(path, 'utf8')) as number[])];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Processes still running from the app's folder (its argv names the state folder). */
export function appLeftovers(app: EngineApp): number[] {
  return leftovers(app.state).filter((pid) => pid !== process.pid);
}

export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return predicate();
}

/** GET http://127.0.0.1:PORT/ with curl-free node: the body, or undefined when nothing answers. */
export async function httpGet(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      signal: AbortSignal.timeout(5000),
    });
    return await response.text();
  } catch {
    return undefined;
  }
}

/** Where a tool is missing, the test says so and skips; it never passes silently. */
export function tool(name: string): string | undefined {
  const found = spawnSyncRaw('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export function skipUnless(path: string | undefined, name: string, pkg: string): { skip?: string } {
  if (path === undefined) return { skip: `${name} is not installed (Debian package "${pkg}")` };
  if (process.getuid?.() !== 0) return { skip: `${name} tests run as root (CI does)` };
  return {};
}

/** `DIR/<app>-run ARGS...` as a user would run it (no test-runner variables), bounded in time. */
export function runAdmin(run: string, args: readonly string[]): SpawnSyncReturns<string> {
  const [file, argv] = cleanCommand(run, args);
  return spawnSyncRaw(file, argv, { encoding: 'utf8', timeout: 120_000, env: cleanEnv() });
}

/** The command lines of `pids`, for a failure message. */
export function describePids(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      try {
        return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
      } catch {
        return `${pid}: gone`;
      }
    })
    .join('; ');
}
