/**
 * `export supervisord` run by a real supervisord: a private instance (its own socket, pid file
 * and logs under the test's folder), killed by pid at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  readDump,
  skipUnless,
  tool,
  treeOf,
  until,
  waitForDump,
  type EngineApp,
} from '../helpers/engines.js';

const SUPERVISORD = tool('supervisord');
const SUPERVISORCTL = tool('supervisorctl');

type Supervisord = Readonly<{
  ctl: (...args: string[]) => { status: number | null; stdout: string };
  stateOf: (program: string) => string;
  shutdown: () => Promise<void>;
}>;

/** A private supervisord that includes the export; its teardown shuts it down and kills it. */
async function startSupervisord(t: TapTest, app: EngineApp, dir: string, name: string) {
  const base = join(app.base, name);
  const conf = `${base}.conf`;
  writeFileSync(
    conf,
    [
      '[unix_http_server]',
      `file=${base}.sock`,
      '[supervisord]',
      `logfile=${base}.log`,
      `pidfile=${base}.pid`,
      `childlogdir=${app.base}`,
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[supervisorctl]',
      `serverurl=unix://${base}.sock`,
      '[include]',
      `files=${dir}/*.conf`,
      '',
    ].join('\n'),
  );
  const child = spawn(SUPERVISORD ?? 'supervisord', ['-n', '-c', conf], { stdio: 'ignore' });
  const ctl = (...args: string[]) =>
    spawnSync(SUPERVISORCTL ?? 'supervisorctl', ['-c', conf, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
  const shutdown = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    ctl('shutdown');
    if (!(await until(() => child.exitCode !== null || child.signalCode !== null, 30_000))) {
      child.kill('SIGKILL');
    }
  };
  t.teardown(shutdown);
  await until(() => existsSync(`${base}.sock`), 30_000);
  const stateOf = (program: string) => /\s(\w+)/.exec(ctl('status', program).stdout)?.[1] ?? '';
  return { ctl, stateOf, shutdown } satisfies Supervisord;
}

t.test(
  'supervisord runs the export as written',
  skipUnless(SUPERVISORD, 'supervisord', 'supervisor'),
  async (t) => {
    const app = await engineApp(t);
    const logs = join(app.base, 'logs/not-made-yet');
    const dir = await exportApp(t, app, 'supervisord', ['-t', '2', '-u', 'nobody', '-l', logs]);
    t.ok(existsSync(logs), 'the -l folder is made by the export');
    const supd = await startSupervisord(t, app, dir, 'supd');

    const web = await waitForDump(app, 'web.1');
    const release = readDump(app, 'release');
    t.ok(release !== undefined && release.at <= web.at, 'the release ran before the formation');
    t.same(pickKeys(web.env, app), await expectedEnv(t, app, 'web.1'), 'env byte-exact (web.1)');
    const admin = await expectedEnv(t, app, undefined);
    t.same(pickKeys(release?.env ?? {}, app), { ...admin, PORT: undefined, PS: 'release.1' });
    t.equal(web.cwd, app.root, 'in the root folder');
    t.equal(web.uid, 65534, 'as -u nobody');
    t.equal(await httpGet(app.port), 'web.1\n', 'serves on its PORT');
    t.match(readFileSync(join(logs, 'eng-web.1.log'), 'utf8'), /listening on/, 'logs in -l');

    const crashed = await treeOf(app, web.pid);
    process.kill(web.pid, 'SIGKILL');
    const again = await waitForDump(app, 'web.1', { accept: (d) => d.pid !== web.pid });
    t.not(again.pid, web.pid, 'a crash restarts the process');
    t.ok(await until(() => crashed.every((pid) => !isAlive(pid)), 10_000), 'nothing of it left');

    const tree = await treeOf(app, again.pid);
    t.equal(supd.ctl('stop', 'eng:*').status, 0, 'supervisorctl stop');
    t.ok(existsSync(join(app.state, `term-${again.pid}`)), 'SIGTERM first');
    t.same(tree.filter(isAlive), [], 'then the whole tree is killed');

    await checkAdminRun(t, app, dir);

    await supd.shutdown();
    const left = appLeftovers(app);
    t.same(left, [], `nothing left running: ${describePids(left)}`);
    writeFileSync(join(app.state, 'release-exit'), '3');
    const failing = await startSupervisord(t, app, dir, 'supd2');
    t.ok(
      await until(() => failing.stateOf('eng-release') === 'FATAL'),
      'a failed release is FATAL',
    );
    t.equal(failing.stateOf('eng:eng-web-1'), 'STOPPED', 'and the formation stays down');
    t.equal(readDump(app, 'web.1')?.pid, again.pid, 'web.1 never started again');
  },
);

/** `DIR/eng-run`: the release programs get, as -u; exit status passed through. */
async function checkAdminRun(t: TapTest, app: EngineApp, dir: string): Promise<void> {
  const run = join(dir, 'eng-run');
  const dumped = runAdmin(run, [process.execPath, ENGINE_APP, 'dump', app.state, 'admin']);
  t.equal(dumped.status, 0, `eng-run: ${dumped.stderr}`);
  const admin = readDump(app, 'admin');
  t.same(pickKeys(admin?.env ?? {}, app), await expectedEnv(t, app, undefined), 'admin env = env');
  t.equal(admin?.cwd, app.root);
  t.equal(admin?.uid, 65534);
  t.equal(runAdmin(run, ['sh', '-c', 'exit 7']).status, 7, 'the exit status passes through');
  const type = runAdmin(run, ['release']);
  t.equal(type.status, 0, 'eng-run release runs the Procfile command');
  t.equal(readDump(app, 'release')?.env.PS, 'run.1');
}

function pickKeys(env: Record<string, string>, app: EngineApp): Record<string, string | undefined> {
  const keys = [...Object.keys(app.env), 'PORT', 'PS'];
  return Object.fromEntries(keys.map((key) => [key, env[key]]));
}
