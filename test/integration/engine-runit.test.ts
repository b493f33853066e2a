/**
 * `export runit` run by runit's own runsvdir (not as PID 1: `setsid runsvdir -P DIR` over a
 * service folder of the test's own), stopped and killed by pid at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { TapTest } from '../helpers/cli.js';
import {
  ENGINE_APP,
  describePids,
  runAdmin,
  appLeftovers,
  engineApp,
  expectedEnv,
  exportApp,
  httpGet,
  isAlive,
  pickEnv,
  readDump,
  skipUnless,
  tool,
  treeOf,
  until,
  waitForDump,
  type EngineApp,
} from '../helpers/engines.js';

const RUNSVDIR = tool('runsvdir');
const SV = tool('sv');

/** runsvdir over a folder of symlinks to the exported services; stopped in the teardown. */
async function startRunsvdir(t: TapTest, app: EngineApp, dir: string) {
  const service = join(app.base, 'service');
  mkdirSync(service);
  for (const name of readdirSync(dir).filter((entry) => entry.startsWith('eng-'))) {
    if (existsSync(join(dir, name, 'run'))) symlinkSync(join(dir, name), join(service, name));
  }
  const sv = (...args: string[]) =>
    spawnSync(SV ?? 'sv', args, { cwd: service, encoding: 'utf8', timeout: 60_000 });
  const child = spawn('setsid', [RUNSVDIR ?? 'runsvdir', '-P', service], { stdio: 'ignore' });
  t.teardown(async () => {
    sv('-w', '5', 'force-stop', ...readdirSync(service).map((name) => `./${name}`));
    child.kill('SIGHUP');
    if (!(await until(() => child.exitCode !== null || child.signalCode !== null, 10_000))) {
      child.kill('SIGKILL');
    }
  });
  await until(() => existsSync(join(service, 'eng-web.1/supervise/ok')), 30_000);
  return { sv, service };
}

t.test('runit runs the export as written', skipUnless(RUNSVDIR, 'runsvdir', 'runit'), async (t) => {
  const app = await engineApp(t);
  const logs = join(app.base, 'logs/not-made-yet');
  const dir = await exportApp(t, app, 'runit', ['-t', '2', '-u', 'nobody', '-l', logs]);
  const { sv } = await startRunsvdir(t, app, dir);

  t.equal(sv('once', './eng-release').status, 0, 'sv once the release');
  const web = await waitForDump(app, 'web.1');
  const release = readDump(app, 'release');
  t.ok(release !== undefined && release.at <= web.at, 'the release ran before the formation');
  t.same(pick(web.env, app), await expectedEnv(t, app, 'web.1'), 'env byte-exact (web.1)');
  const admin = await expectedEnv(t, app, undefined);
  t.same(pick(release?.env ?? {}, app), { ...admin, PORT: undefined, PS: 'release.1' });
  t.equal(web.cwd, app.root, 'in the root folder');
  t.equal(web.uid, 65534, 'as -u nobody');
  t.equal(await httpGet(app.port), 'web.1\n', 'serves on its PORT');
  t.ok(await until(() => logHas(logs, 'eng-web.1', /listening on/)), 'logs in -l');

  const crashed = await treeOf(app, web.pid);
  process.kill(web.pid, 'SIGKILL');
  const again = await waitForDump(app, 'web.1', { accept: (d) => d.pid !== web.pid });
  t.not(again.pid, web.pid, 'a crash restarts the process');
  t.ok(await until(() => crashed.every((pid) => !isAlive(pid)), 10_000), 'nothing of it left');

  const tree = await treeOf(app, again.pid);
  const stop = sv('-w', '10', 'stop', './eng-web.1');
  t.equal(stop.status, 0, `sv -w 10 stop: ${stop.stdout}`);
  t.ok(existsSync(join(app.state, `term-${again.pid}`)), 'SIGTERM first');
  t.ok(await until(() => tree.every((pid) => !isAlive(pid)), 10_000), 'then the whole tree dies');

  t.equal(sv('up', './eng-web.1').status, 0);
  const third = await waitForDump(app, 'web.1', { accept: (d) => d.pid !== again.pid });
  const forced = await treeOf(app, third.pid);
  sv('-w', '1', 'force-stop', './eng-web.1');
  t.ok(await until(() => forced.every((pid) => !isAlive(pid)), 10_000), 'force-stop: whole tree');

  await checkAdminRun(t, app, dir);

  writeFileSync(join(app.state, 'release-exit'), '3');
  t.equal(sv('once', './eng-release').status, 0, 'sv once a failing release');
  const code = join(dir, 'eng-release/exit-code');
  t.ok(await until(() => existsSync(code) && readFileSync(code, 'utf8').trim() === '3'));
  t.ok(await until(() => logHas(logs, 'eng-release', /exit 3/)), 'the release log says it failed');
  sv('up', './eng-web.1');
  t.ok(
    await until(() => /^down: .*normally up/.test(sv('status', './eng-web.1').stdout)),
    'the formation stays down after a failed release',
  );
  t.ok(await until(() => logHas(logs, 'eng-web.1', /release phase failed/)), 'and says why');
  t.equal(readDump(app, 'web.1')?.pid, third.pid, 'web.1 never started again');
  sv('-w', '5', 'stop', './eng-release', './eng-web.1');
  const left = appLeftovers(app);
  t.same(left, [], `nothing left: ${describePids(left)}`);
});

/** `DIR/eng-run`: the release the services get, through chpst as -u; exit status passed through. */
async function checkAdminRun(t: TapTest, app: EngineApp, dir: string): Promise<void> {
  const run = join(dir, 'eng-run');
  const dumped = runAdmin(run, [process.execPath, ENGINE_APP, 'dump', app.state, 'admin']);
  t.equal(dumped.status, 0, `eng-run: ${dumped.stderr}`);
  const admin = readDump(app, 'admin');
  t.same(pick(admin?.env ?? {}, app), await expectedEnv(t, app, undefined), 'admin env = env');
  t.equal(admin?.cwd, app.root);
  t.equal(admin?.uid, 65534);
  t.equal(runAdmin(run, ['sh', '-c', 'exit 7']).status, 7, 'the exit status passes through');
  t.equal(runAdmin(run, ['exit 5']).status, 5, 'one argument in shell syntax runs through sh');
}

function pick(env: Record<string, string>, app: EngineApp): Record<string, string | undefined> {
  return pickEnv(env, [...Object.keys(app.env), 'PORT', 'PS']);
}

function logHas(logs: string, service: string, pattern: RegExp): boolean {
  const file = join(logs, service, 'current');
  return existsSync(file) && pattern.test(readFileSync(file, 'utf8'));
}
