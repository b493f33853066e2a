/**
 * `export systemd` run by a real systemd: the host's own, booted once for this file in a
 * systemd-nspawn container (`-D / --volatile=yes`, the test's folder bound in), driven with
 * nsenter + systemctl, powered off by SIGTERM to nspawn and killed by pid at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { leftovers, type TapTest } from '../helpers/cli.js';
import {
  describePids,
  engineApp,
  expectedEnv,
  exportApp,
  httpGet,
  pickEnv,
  readDump,
  skipUnless,
  tool,
  until,
  waitForDump,
  type EngineApp,
} from '../helpers/engines.js';

const NSPAWN = tool('systemd-nspawn');
const NSENTER = tool('nsenter');

type Container = Readonly<{
  /** nsenter's arguments that enter the container. */
  prefix: readonly string[];
  /** Run a command inside (mount, pid, uts, ipc and network namespaces of its PID 1). */
  run: (args: readonly string[], timeoutMs?: number) => ReturnType<typeof spawnSync>;
  systemctl: (...args: string[]) => { status: number | null; stdout: string };
}>;

/** Boot the host's systemd in a container with `dir` bound in; its teardown powers it off. */
async function bootContainer(t: TapTest, dir: string): Promise<Container> {
  const machine = `fts-${process.pid}-${Date.now() % 100000}`;
  const child = spawn(
    NSPAWN ?? 'systemd-nspawn',
    [
      '-D',
      '/',
      '--volatile=yes',
      `--bind=${dir}`,
      '--register=no',
      '--keep-unit',
      '--console=passive',
      `--machine=${machine}`,
      '-b',
      'systemd.firstboot=off',
    ],
    { stdio: 'ignore' },
  );
  t.teardown(() => powerOff(child));
  let leader = 0;
  await until(() => (leader = childOf(child.pid ?? 0)) !== 0, 60_000);
  const prefix = ['-t', String(leader), '-m', '-p', '-u', '-i', '-n'];
  const run = (args: readonly string[], timeoutMs = 120_000) =>
    spawnSync(NSENTER ?? 'nsenter', [...prefix, ...args], { encoding: 'utf8', timeout: timeoutMs });
  const systemctl = (...args: string[]) => {
    const result = run(['systemctl', ...args]);
    return { status: result.status, stdout: String(result.stdout) };
  };
  const isUp = () => /^(running|degraded)/.test(systemctl('is-system-running', '--wait').stdout);
  if (!(await until(isUp, 180_000))) throw new Error('the container did not boot in 180 s');
  return { prefix, run, systemctl };
}

/** The container's PID 1 as the host sees it: nspawn's child once it runs systemd. */
function childOf(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const first = Number(children.split(' ')[0] ?? 0);
    return readFileSync(`/proc/${first}/comm`, 'utf8').trim() === 'systemd' ? first : 0;
  } catch {
    return 0;
  }
}

async function powerOff(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await until(() => child.exitCode !== null || child.signalCode !== null, 60_000))) {
    child.kill('SIGKILL');
  }
}

t.test(
  'systemd, booted in systemd-nspawn, runs the export as written',
  skipUnless(NSPAWN && NSENTER, 'systemd-nspawn', 'systemd-container'),
  async (t) => {
    const app = await engineApp(t, { isCopied: true });
    const dir = await exportApp(t, app, 'systemd', ['-t', '2', '-u', 'nobody']);
    const box = await bootContainer(t, app.base);
    const units = ['eng.target', 'eng-release.service', 'eng-web.1.service'];
    t.equal(box.systemctl('link', ...units.map((unit) => join(dir, unit))).status, 0, 'link');
    t.equal(box.systemctl('start', 'eng.target').status, 0, 'systemctl start eng.target');

    const web = await waitForDump(app, 'web.1');
    const release = readDump(app, 'release');
    t.ok(release !== undefined && release.at <= web.at, 'the release ran before the formation');
    t.same(pick(web.env, app), await expectedEnv(t, app, 'web.1'), 'env byte-exact (web.1)');
    const admin = await expectedEnv(t, app, undefined);
    t.same(pick(release?.env ?? {}, app), { ...admin, PORT: undefined, PS: 'release.1' });
    t.equal(web.cwd, app.root, 'in the root folder');
    t.equal(web.uid, 65534, 'as -u nobody');
    t.equal(await httpGet(app.port), 'web.1\n', 'serves on its PORT');

    const alive = (pids: readonly number[]) =>
      pids.filter((pid) => box.run(['kill', '-0', String(pid)]).status === 0);
    t.equal(box.run(['kill', '-KILL', String(web.pid)]).status, 0, 'crash web.1');
    const again = await waitForDump(app, 'web.1', { accept: (d) => d.pid !== web.pid });
    t.not(again.pid, web.pid, 'a crash restarts the process');

    const tree = [again.pid, ...(await containerTree(app, again.pid))];
    t.equal(box.systemctl('stop', 'eng.target').status, 0, 'systemctl stop eng.target');
    // The target stops before the units it wants (it starts after them): wait for web.1.
    const isDown = () =>
      /^(inactive|failed)$/.test(box.systemctl('is-active', 'eng-web.1.service').stdout.trim());
    t.ok(await until(isDown, 60_000), 'web.1 stops with the target');
    t.ok(existsSync(join(app.state, `term-${again.pid}`)), 'SIGTERM first');
    t.same(alive(tree), [], 'then the whole tree is killed');

    checkAdminRun(t, app, dir, box, admin);
    await checkInterruptedRun(t, app, dir, box);

    writeFileSync(join(app.state, 'release-exit'), '3');
    t.not(box.systemctl('start', 'eng.target').status, 0, 'a failed release fails the start');
    t.not(box.systemctl('is-active', 'eng.target').stdout.trim(), 'active', 'target not active');
    t.equal(box.systemctl('is-failed', 'eng-release.service').stdout.trim(), 'failed');
    t.not(box.systemctl('is-active', 'eng-web.1.service').stdout.trim(), 'active', 'web down');
    t.equal(readDump(app, 'web.1')?.pid, again.pid, 'web.1 never started again');
    const left = leftovers(app.state);
    t.same(left, [], `nothing left: ${describePids(left)}`);
  },
);

/** The admin wrapper inside the container: systemd-run, the same env, user and folder. */
function checkAdminRun(
  t: TapTest,
  app: EngineApp,
  dir: string,
  box: Container,
  expected: Record<string, string | undefined>,
): void {
  const run = join(dir, 'eng-run');
  const dumped = box.run([run, process.execPath, app.program, 'dump', app.state, 'admin']);
  t.equal(dumped.status, 0, `eng-run: ${String(dumped.stderr)}`);
  const admin = readDump(app, 'admin');
  t.same(pick(admin?.env ?? {}, app), expected, 'admin env = foreman-ts env');
  t.equal(admin?.cwd, app.root);
  t.equal(admin?.uid, 65534);
  t.equal(box.run([run, 'sh', '-c', 'exit 7']).status, 7, 'the exit status passes through');
  t.equal(box.run([run, 'sh', '-c', 'kill -TERM $$']).status, 143, 'a signal as 128+n');
  t.equal(box.run([run, 'exit 5']).status, 5, 'shell syntax through sh');
  const echo = box.run([run, 'printf', '%s', '$HOME ${PATH} $$']);
  t.equal(String(echo.stdout), '$HOME ${PATH} $$', 'arguments reach the command unchanged');
}

/** SIGTERM to `<app>-run` stops its transient unit: the admin process does not outlive it. */
async function checkInterruptedRun(
  t: TapTest,
  app: EngineApp,
  dir: string,
  box: Container,
): Promise<void> {
  const args = [join(dir, 'eng-run'), process.execPath, app.program, 'stay', app.state, 'stay'];
  const wrapper = spawn(NSENTER ?? 'nsenter', [...box.prefix, ...args], { stdio: 'ignore' });
  const ended = new Promise<number | null>((resolve) => wrapper.on('exit', resolve));
  t.teardown(() => void wrapper.kill('SIGKILL'));
  const stay = await waitForDump(app, 'stay');
  const isShell = (pid: number) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/bin/sh\0');
  const [pid] = leftovers(`${join(dir, 'eng-run')} ${process.execPath}`).filter(isShell);
  t.ok(pid !== undefined, 'the wrapper runs');
  process.kill(pid ?? 0, 'SIGTERM');
  t.equal(await ended, 143, 'the wrapper exits 128+15');
  const isGone = () => box.run(['kill', '-0', String(stay.pid)]).status !== 0;
  t.ok(await until(isGone, 30_000), 'and the admin process is gone');
}

/** web's child and grandchild, as the container sees them (the app wrote their pids). */
async function containerTree(app: EngineApp, main: number): Promise<number[]> {
  const path = join(app.state, `tree-${main}.json`);
  await until(() => {
    try {
      readFileSync(path);
      return true;
    } catch {
      return false;
    }
  }, 30_000);
  return JSON.parse(readFileSync(path, 'utf8')) as number[];
}

function pick(env: Record<string, string>, app: EngineApp): Record<string, string | undefined> {
  return pickEnv(env, [...Object.keys(app.env), 'PORT', 'PS']);
}
