import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import t from 'tap';
import { bytesOfMsg } from '../helpers/json-msg.js';
import { bin, CLI, nodeCommand, testEnv, type TapTest } from '../helpers/cli.js';
import { provesWatching, watcherApp } from '../helpers/watcher.js';

/**
 * The built CLI as a container's entrypoint: PID 1 of a new PID namespace (`unshare --pid
 * --fork --mount-proc`, as root here and in CI), signalled from outside as `docker stop`
 * does (docs/container.md, "PID 1 duties"; issue 6).
 */
const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
const skip =
  probe.status === 0
    ? false
    : `unshare --pid --fork --mount-proc is not permitted here (${String(
        probe.error?.message ?? probe.stderr.toString().trim(),
      )})`;

type Pid1 = Readonly<{
  /** Our CLI's pid as seen from here (it is 1 inside its namespace). */
  pid: () => Promise<number>;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  output: () => string;
  result: Promise<{ code: number | null; signal: string | null; output: string }>;
}>;

/** Run the CLI as PID 1; teardown SIGKILLs it, which takes its whole namespace down. */
function startAsPid1(
  t: TapTest,
  args: readonly string[],
  { cwd, nodeOptions, init = [] }: { cwd: string; nodeOptions?: string; init?: readonly string[] },
): Pid1 {
  const env = testEnv(t);
  const extra: Record<string, string> =
    nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions };
  const [file, argv] = nodeCommand([CLI, ...args], extra);
  const command = [...init, file, ...argv];
  const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', ...command], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const wake = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const each of wake) each();
  };
  unshare.stdout.on('data', collect);
  unshare.stderr.on('data', collect);
  const result = new Promise<{ code: number | null; signal: string | null; output: string }>(
    (resolve) => unshare.once('close', (code, signal) => resolve({ code, signal, output })),
  );
  let isDone = false;
  void result.then(() => (isDone = true));
  const pid = async (): Promise<number> => {
    for (let tries = 0; tries < 200; tries++) {
      const child = childOf(unshare.pid ?? 0);
      if (child !== undefined) return child;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the namespace never got its PID 1');
  };
  t.teardown(async () => {
    if (isDone) return;
    const child = childOf(unshare.pid ?? 0);
    if (child !== undefined) process.kill(child, 'SIGKILL');
    unshare.kill('SIGKILL');
    await result;
  });
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match !== null) {
          done();
          resolve(match);
        } else if (isDone) {
          done();
          reject(new Error(`ended before ${String(pattern)}; output:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${String(pattern)}; output:\n${output}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        wake.delete(check);
      };
      wake.add(check);
      void result.then(check);
      check();
    });
  return { pid, waitFor, output: () => output, result };
}

/** The child of `parent`, read from /proc (the namespace's PID 1, seen from outside). */
function childOf(parent: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) return Number(name);
    } catch {
      // it ended while we looked
    }
  }
  return undefined;
}

/**
 * Reports the namespace's zombies once the orphans it waits for have ended: `zombies=N`.
 * It reads /proc inside the namespace, where PID 1 is foreman-ts.
 */
const ZOMBIE_PROBE = `
import { readdirSync, readFileSync } from 'node:fs';
const table = () => readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).flatMap((pid) => {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    const cmd = readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').join(' ').trim();
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [{ pid, ppid, state, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cmd }];
  } catch { return []; }
});
let endedAt;
const timer = setInterval(() => {
  if (readdirSync('.').filter((name) => name.startsWith('gone-')).length < 10) return;
  const rows = table();
  if (rows.some((row) => row.state !== 'Z' && row.cmd.includes('touch gone-'))) return;
  endedAt ??= Date.now();
  const zombies = rows.filter((row) => row.state === 'Z');
  if (zombies.length > 0 && Date.now() - endedAt < 2000) return;
  clearInterval(timer);
  const list = zombies.map((z) => z.pid + ':' + z.comm + ':ppid=' + z.ppid).join(' ');
  console.log('zombies=' + zombies.length + ' ' + list);
}, 100);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30); // stay: our exit would stop the formation
`;

/**
 * Ten orphans (re-parented to PID 1: five plain, five in their own session) that each leave a
 * file just before they exit, so the probe knows they have all ended; then it waits.
 */
const ORPHANS =
  `for i in 1 2 3 4 5; do (sh -c "sleep 0.2; touch gone-a$i" &); ` +
  `(setsid sh -c "sleep 0.3; touch gone-b$i; exit 7" &); done; exec sleep 300`;

/** Makes `koffi` unloadable, as on a platform without its prebuilt binary. */
const NO_KOFFI = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'koffi') throw Object.assign(new Error('koffi blocked by the test'), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
Module.register?.('data:text/javascript,' + encodeURIComponent(
  "export async function resolve(s, c, n) { if (s === 'koffi') throw new Error('koffi blocked'); return n(s, c); }"));
`;

type JsonRecord = Record<string, unknown>;

function recordsOf(output: string): JsonRecord[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonRecord);
}

t.test(
  'as PID 1: orphans are reaped, SIGTERM stops everything cleanly, exit 0',
  { skip },
  async (t) => {
    const cwd = t.testdir({
      Procfile: `orphans: ${ORPHANS}\nprobe: node probe.mjs\n`,
      'probe.mjs': ZOMBIE_PROBE,
    });
    const pid1 = startAsPid1(t, ['start', '--log-format', 'json', '--no-control'], { cwd });
    const [report] = await pid1.waitFor(/zombies=\d+[^"]*/);
    t.match(report, /^zombies=0 /, 'no zombie left in the namespace');
    t.comment(report);
    process.kill(await pid1.pid(), 'SIGTERM');
    const { code, output } = await pid1.result;
    t.equal(code, 0, 'a clean stop we were asked for (docs/exit-codes.md)');
    const records = recordsOf(output);
    t.notOk(
      records.some((record) => record.event === 'warning'),
      'no zombie warning: koffi reaps',
    );
    t.match(
      records.find((record) => record.event === 'stopping'),
      { cause: 'signal', received: 'SIGTERM', signal: 'SIGTERM' },
    );
    t.notOk(
      records.some((record) => record.event === 'killing'),
      'everything ended within the grace period',
    );
    for (const process of ['orphans.1', 'probe.1'])
      t.ok(
        records.some((record) => record.event === 'exited' && record.process === process),
        `${process} ended before we did`,
      );
  },
);

t.test(
  'as PID 1 and a non-root user (USER node): reaping and the stop work alike',
  { skip },
  async (t) => {
    const cwd = t.testdir({
      Procfile: `orphans: ${ORPHANS}\nprobe: node probe.mjs\n`,
      'probe.mjs': ZOMBIE_PROBE,
    });
    chmodSync(cwd, 0o777); // the orphans, uid 1000, leave their files here
    const pid1 = startAsPid1(t, ['start', '--no-control'], {
      cwd,
      init: ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups'],
    });
    const [report] = await pid1.waitFor(/zombies=\d+.*/);
    t.match(report, /^zombies=0 /, 'koffi needs no privilege for prctl and waitpid');
    process.kill(await pid1.pid(), 'SIGTERM');
    const { code, output } = await pid1.result;
    t.equal(code, 0);
    t.notMatch(output, /without a zombie reaper/);
  },
);

t.test(
  'as PID 1 without a reaper: one warning naming the fix, and the stop still works',
  { skip },
  async (t) => {
    const cwd = t.testdir({
      Procfile: `orphans: ${ORPHANS}\nprobe: node probe.mjs\n`,
      'probe.mjs': ZOMBIE_PROBE,
      'no-koffi.cjs': NO_KOFFI,
    });
    const pid1 = startAsPid1(t, ['start', '--no-control'], {
      cwd,
      nodeOptions: `--require ${cwd}/no-koffi.cjs`,
    });
    const [report] = await pid1.waitFor(/zombies=\d+.*/);
    t.notMatch(report, /^zombies=0 /, 'the probe does see zombies when nobody reaps them');
    t.comment(report);
    t.match(report, /:ppid=1\b/, "they are PID 1's");
    process.kill(await pid1.pid(), 'SIGTERM');
    const { code, output } = await pid1.result;
    t.equal(code, 0, 'zombies do not count as running processes');
    const warnings = output.match(/running as PID 1 without a zombie reaper/g) ?? [];
    t.equal(warnings.length, 1, 'exactly one warning');
    t.match(output, /docker run --init/);
    t.match(output, /tini/);
  },
);

t.test(
  'as PID 1: a process that ignores SIGTERM is killed after -t, exit 1',
  { skip },
  async (t) => {
    const cwd = t.testdir({
      Procfile: `stubborn: trap '' TERM; echo ready; while :; do sleep 0.1; done\n`,
    });
    const pid1 = startAsPid1(t, ['start', '-t', '1', '--no-control'], { cwd });
    await pid1.waitFor(/stubborn\.1 +\| ready/);
    process.kill(await pid1.pid(), 'SIGTERM');
    const { code, output } = await pid1.result;
    t.match(output, /still running after 1s: sending SIGKILL/);
    t.equal(code, 1);
  },
);

t.test('as PID 1: the failing process decides the exit code', { skip }, async (t) => {
  const cwd = t.testdir({ Procfile: `web: sleep 300\nbroken: sleep 0.5; exit 3\n` });
  const pid1 = startAsPid1(t, ['start', '--no-control'], { cwd });
  const { code, output } = await pid1.result;
  t.match(output, /broken\.1 exited with code 3/);
  t.match(output, /web\.1 terminated by SIGTERM/);
  t.equal(code, 3, 'what the orchestrator sees');
});

t.test('as PID 1: SIGUSR1 and SIGUSR2 are forwarded to each process', { skip }, async (t) => {
  const cwd = t.testdir({
    Procfile: 'app: node usr.mjs\n',
    'usr.mjs':
      "for (const s of ['SIGUSR1', 'SIGUSR2']) process.on(s, () => console.log('got ' + s));\n" +
      "process.on('SIGTERM', () => process.exit(0));\n" +
      "console.log('ready');\nsetInterval(() => {}, 1 << 30);\n",
  });
  const pid1 = startAsPid1(t, ['start', '--log-format', 'json', '--no-control'], { cwd });
  await pid1.waitFor(/"msg":"ready"/);
  const pid = await pid1.pid();
  process.kill(pid, 'SIGUSR2');
  await pid1.waitFor(/"msg":"got SIGUSR2"/);
  process.kill(pid, 'SIGUSR1');
  await pid1.waitFor(/"msg":"got SIGUSR1"/);
  process.kill(pid, 'SIGTERM');
  const { code, output } = await pid1.result;
  t.equal(code, 0, 'forwarding stopped nothing; SIGTERM did, cleanly');
  const forwarded = recordsOf(output).filter((record) => record.event === 'forwarded');
  t.same(
    forwarded.map((record) => [record.signal, record.targets]),
    [
      ['SIGUSR2', ['app.1']],
      ['SIGUSR1', ['app.1']],
    ],
  );
});

t.test('as PID 1: invalid UTF-8 in JSON records survives the trip', { skip }, async (t) => {
  const cwd = t.testdir({ Procfile: `bytes: printf 'caf\\351 \\033[1m\\n'; sleep 300\n` });
  const pid1 = startAsPid1(t, ['start', '--log-format', 'json', '--no-control'], { cwd });
  await pid1.waitFor(/"process":"bytes\.1","type":"bytes","msg"/);
  process.kill(await pid1.pid(), 'SIGTERM');
  const { output } = await pid1.result;
  const line = recordsOf(output).find((record) => record.process === 'bytes.1' && !record.event);
  t.same(bytesOfMsg(String(line?.msg)), Buffer.from('caf\u00e9 \u001b[1m', 'latin1'));
});

t.test('`run` as PID 1 forwards SIGTERM and exits with the command code', { skip }, async (t) => {
  const cwd = t.testdir({ Procfile: 'web: sleep 300\n' });
  const pid1 = startAsPid1(
    t,
    ['run', 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo ready; sleep 300 & wait'],
    { cwd },
  );
  await pid1.waitFor(/ready/);
  process.kill(await pid1.pid(), 'SIGTERM');
  const { code, output } = await pid1.result;
  t.match(output, /got TERM/);
  t.equal(code, 7, "the Job's status is the command's");
});

t.test('`run` as PID 1 forwards SIGINT: no terminal sent it to the child', { skip }, async (t) => {
  const cwd = t.testdir({});
  const pid1 = startAsPid1(
    t,
    ['run', 'sh', '-c', 'trap "echo got INT; exit 5" INT; echo ready; sleep 300 & wait'],
    { cwd },
  );
  await pid1.waitFor(/ready/);
  process.kill(await pid1.pid(), 'SIGINT');
  const { code, output } = await pid1.result;
  t.match(output, /got INT/);
  t.equal(code, 5);
});

for (const init of [['tini', '--'], ['tini', '-g', '--'], ['dumb-init']]) {
  const isThere = spawnSync('sh', ['-c', `command -v ${init[0] ?? ''}`]).status === 0;
  t.test(
    `under ${init.join(' ')} as PID 1: one SIGTERM per process, our status passed through`,
    { skip: skip || (isThere ? false : `${init[0]} is not installed`) },
    async (t) => {
      const cwd = t.testdir({
        Procfile: `a: ${bin('count-signals.mjs')}\nb: ${bin('count-signals.mjs')}\n`,
      });
      const pid1 = startAsPid1(t, ['start', '--no-control'], { cwd, init });
      await pid1.waitFor(/a\.1 +\| ready[\s\S]*b\.1 +\| ready|b\.1 +\| ready[\s\S]*a\.1 +\| ready/);
      process.kill(await pid1.pid(), 'SIGTERM');
      const { code, output } = await pid1.result;
      t.equal(output.match(/got SIGTERM 1/g)?.length, 2, 'each process got SIGTERM');
      t.notMatch(output, /got SIGTERM 2|got SIGINT/, 'exactly once');
      t.equal(code, 0);
    },
  );
}

t.test('as PID 1: esbuild --watch keeps watching (its stdin stays open)', { skip }, async (t) => {
  const cwd = watcherApp(t);
  const pid1 = startAsPid1(t, ['start', '--no-control'], { cwd });
  await pid1.waitFor(/js\.1 +\| \[watch\] build finished/);
  t.ok(await provesWatching(cwd), 'the edit was rebuilt');
  t.notMatch(pid1.output(), /stdin was closed/);
  process.kill(await pid1.pid(), 'SIGTERM');
  const { code } = await pid1.result;
  t.equal(code, 0, 'a clean stop: the watcher was still running when we stopped it');
});
