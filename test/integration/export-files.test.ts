// Files written by `export` against a second real user (`nobody`, through setpriv): a folder
// another user can write is refused, nothing they plant is followed, and the modes we set do
// not depend on the umask (docs/security.md).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { writeFiles, type FileToWrite } from '../../src/io/write-files.js';
import { runCli, type TapTest } from '../helpers/cli.js';

const NOBODY = 65534;
const SETPRIV = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
/** Test folders live under the checkout: the attacker must be able to reach them. */
function isReachableByOthers(path: string): boolean {
  const parent = dirname(path);
  const isSearchable = (statSync(path).mode & 0o001) !== 0;
  return parent === path ? isSearchable : isSearchable && isReachableByOthers(parent);
}
const SECOND_USER =
  process.geteuid?.() !== 0
    ? { skip: 'needs root, to run the attacker as a second user (nobody)' }
    : SETPRIV === ''
      ? { skip: 'setpriv is not installed (Debian package "util-linux")' }
      : !isReachableByOthers(process.cwd())
        ? { skip: 'another user cannot reach the checkout (a folder above it lacks o+x)' }
        : {};
const RACE_MS = 5000;

const modeOf = (path: string): string => (statSync(path).mode & 0o7777).toString(8);
const env = { FOREMAN_TS_APP: undefined, FOREMAN_TS_USER: undefined };

/** A root-owned file the attacker wants to open up: its mode must never change. */
function plantTarget(dir: string): string {
  const target = join(dir, 'secret');
  writeFileSync(target, 'root only\n', { mode: 0o600 });
  chmodSync(target, 0o600);
  return target;
}

/**
 * `nobody` swapping every temp file that appears in `folder` for a symlink to `target`, in a
 * tight loop. Resolves, once the attacker has proved it can write there, to a function that
 * stops it (also called in teardown; the folder cannot be removed while it keeps planting).
 */
async function startSwapper(
  t: TapTest,
  folder: string,
  target: string,
): Promise<() => Promise<void>> {
  const script = `
const fs = require('node:fs');
const path = require('node:path');
const [folder, target] = process.argv.slice(1);
const probe = path.join(folder, '.probe-' + process.pid);
fs.symlinkSync(target, probe);
fs.unlinkSync(probe);
console.log('ready');
for (let n = 0; ; n++) {
  for (const name of fs.readdirSync(folder)) {
    if (!name.endsWith('.tmp')) continue;
    const link = path.join(folder, '.swap-' + n);
    try {
      fs.symlinkSync(target, link);
      fs.renameSync(link, path.join(folder, name));
    } catch {
      fs.rmSync(link, { force: true });
    }
  }
}
`;
  const attacker = spawn(
    SETPRIV,
    [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      process.execPath,
      '-e',
      script,
      folder,
      target,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } },
  );
  const exited = new Promise<void>((resolve) => attacker.on('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (attacker.exitCode === null && attacker.signalCode === null) attacker.kill('SIGKILL');
    await exited;
  };
  t.teardown(stop);
  let stderr = '';
  attacker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: attacker.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => (line === 'ready' ? resolve() : undefined));
    void exited.then(() => reject(new Error(`the attacker ended before ready: ${stderr}`)));
  });
  return stop;
}

const MANY: FileToWrite[] = Array.from({ length: 20 }, (_, n) => ({
  path: `app-${n}.service`,
  content: `[Service]\nExecStart=/bin/true ${n}\n`,
  mode: 0o644,
}));

/** Export in a loop while the attacker swaps; stop early if the target's mode changed. */
async function raceExports(out: string, target: string): Promise<[number, Set<string>]> {
  const deadline = Date.now() + RACE_MS;
  const refusals = new Set<string>();
  let attempts = 0;
  while (Date.now() < deadline && modeOf(target) === '600') {
    attempts += 1;
    await writeFiles(out, MANY).catch((error: Error) => refusals.add(error.message));
  }
  return [attempts, refusals];
}

t.test(
  'nobody racing a root export in a folder they can write never changes a file’s mode',
  SECOND_USER,
  async (t) => {
    const dir = t.testdir();
    const target = plantTarget(dir);
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const stop = await startSwapper(t, open, target);
    const [attempts, refusals] = await raceExports(open, target);
    await stop();
    t.equal(modeOf(target), '600', `the target kept its mode after ${attempts} exports`);
    t.same([...refusals], [`cannot write to ${open}: it is writable by every user (mode 0777)`]);
  },
);

t.test(
  'in a sticky folder nobody can write, exports succeed under the same attack',
  SECOND_USER,
  async (t) => {
    const dir = t.testdir();
    const target = plantTarget(dir);
    const sticky = join(dir, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const stop = await startSwapper(t, sticky, target);
    const [attempts, refusals] = await raceExports(sticky, target);
    await stop();
    t.equal(modeOf(target), '600', `the target kept its mode after ${attempts} exports`);
    t.same([...refusals], [], 'every export was written');
    t.equal(modeOf(join(sticky, 'app-0.service')), '644');
  },
);

t.test('the CLI refuses, in one line, a folder another user can write', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n', '.env': 'A=1\n' });
  const cases: [string, (path: string) => void, RegExp][] = [
    ['world', (path) => chmodSync(path, 0o777), /it is writable by every user \(mode 0777\)/],
    ['group', (path) => chmodSync(path, 0o775), /writable by group 4242 \(mode 0775\)/],
    ['owned', (path) => chownSync(path, NOBODY, 0), /it belongs to uid 65534/],
  ];
  for (const [name, spoil, problem] of cases) {
    const out = join(cwd, name);
    mkdirSync(out);
    chownSync(out, 0, 4242);
    spoil(out);
    const result = await runCli(t, ['export', 'systemd', out], { cwd, env });
    t.equal(result.exitCode, 1, name);
    t.match(result.stderr, problem, name);
    t.equal(result.stderr.split('\n').length, 2, `${name}: one line`);
    t.same(
      spawnSync('ls', ['-A', out], { encoding: 'utf8' }).stdout,
      '',
      `${name}: nothing written`,
    );
  }
});

t.test('a folder anyone can write above DIR is refused (they could move DIR away)', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n', open: { safe: {} } });
  chmodSync(join(cwd, 'open'), 0o777);
  const result = await runCli(t, ['export', 'systemd', 'open/safe/systemd'], { cwd, env });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /cannot write to .*\/open\/safe\/systemd: .*\/open is writable by every/);
});

t.test('in a sticky folder, what another user planted is refused, never followed', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n', '.env': 'A=1\n', tmp: {} });
  const target = plantTarget(cwd);
  const tmp = join(cwd, 'tmp');
  chmodSync(tmp, 0o1777);
  const ours = await runCli(t, ['export', 'systemd', 'tmp/ours'], { cwd, env });
  t.equal(ours.exitCode, 0, `a sticky folder with our own files is fine: ${ours.stderr}`);

  mkdirSync(join(tmp, 'theirs'));
  symlinkSync(target, join(tmp, 'theirs', 'app.target'));
  for (const path of [join(tmp, 'theirs'), join(tmp, 'theirs', 'app.target')]) {
    spawnSync('chown', ['-h', `${NOBODY}:${NOBODY}`, path]);
  }
  symlinkSync('/etc', join(tmp, 'link'));
  spawnSync('chown', ['-h', `${NOBODY}:${NOBODY}`, join(tmp, 'link')]);
  const planted = await runCli(t, ['export', 'systemd', 'tmp/theirs'], { cwd, env });
  t.equal(planted.exitCode, 1);
  t.match(planted.stderr, /tmp\/theirs: it belongs to uid 65534/);
  const linked = await runCli(t, ['export', 'systemd', 'tmp/link/x'], { cwd, env });
  t.equal(linked.exitCode, 1);
  t.match(linked.stderr, /tmp\/link belongs to uid 65534/);
  t.equal(modeOf(target), '600');
  t.equal(readlinkSync(join(tmp, 'theirs', 'app.target')), target);
});

t.test('umask 000 still gives 0755 folders and 0700 env folders', async (t) => {
  const cwd = t.testdir({ Procfile: 'web: node web.js\n', '.env': 'A=1\n', out: {} });
  const previous = process.umask(0);
  t.teardown(() => process.umask(previous));
  const result = await runCli(t, ['export', 'runit', 'sv', '-a', 'app'], { cwd, env });
  t.equal(result.exitCode, 0, result.stderr);
  const service = join(cwd, 'sv', 'app-web.1');
  t.same(
    [
      modeOf(join(cwd, 'sv')),
      modeOf(service),
      modeOf(join(service, 'log')),
      modeOf(join(service, 'run')),
      modeOf(join(cwd, 'sv', 'app.env')),
    ],
    ['755', '755', '755', '755', '600'],
  );
  const dir = join(cwd, 'out');
  await writeFiles(join(dir, 'out'), [
    { path: 'svc/env/A', content: '1', mode: 0o600 },
    { path: 'svc/env/B', content: '2', mode: 0o600 },
    { path: 'svc/run', content: '#!/bin/sh\n', mode: 0o755 },
  ]);
  t.same(
    [modeOf(join(dir, 'out')), modeOf(join(dir, 'out/svc')), modeOf(join(dir, 'out/svc/env'))],
    ['755', '755', '700'],
    'a folder that holds only private files (an env folder) is 0700',
  );
});

t.test('the writer makes folders and symlinks as renderers ask, safely', async (t) => {
  const dir = t.testdir({ elsewhere: 'not me' });
  const previous = process.umask(0);
  t.teardown(() => process.umask(previous));
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'current'));
  await writeFiles(dir, [
    { path: 'private', content: '', kind: 'folder', mode: 0o750 },
    { path: 'current', content: 'releases/2', kind: 'symlink' },
    { path: 'sub/link', content: '../private', kind: 'symlink' },
  ]);
  t.equal(modeOf(join(dir, 'private')), '750');
  t.equal(readlinkSync(join(dir, 'current')), 'releases/2', 'the old link is replaced');
  t.equal(readlinkSync(join(dir, 'sub/link')), '../private');
  t.ok(lstatSync(join(dir, 'elsewhere')).isFile(), 'the old link’s target is untouched');
  t.equal(modeOf(join(dir, 'sub')), '755');
});
