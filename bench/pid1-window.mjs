// The PID-1 start-up window (issue 11): as PID 1 the kernel drops a signal nobody handles, and
// from exec to our first line Node's bootstrap runs with no handler of ours. How long is that,
// and what happens to a `docker stop` that lands in it? Three measurements:
//
// 1. Instructions (callgrind; they do not depend on the machine's load) from exec to Node's
//    own first sigaction() (its PlatformInit, after which its SIGINT/SIGTERM handler exits the
//    process, which as PID 1 it cannot) and to the first uv_signal_start() (the first JS
//    handler): for a one-line script, any Node program's floor, and for `dist/bin.js start`.
// 2. Times: `start` as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`),
//    /proc/<pid>/status polled from outside every ~0.2 ms: exec, then Node's SIGTERM handler
//    appears in SigCgt, then our SIGHUP handler (installed with SIGTERM's, on our first line).
// 3. Behaviour: SIGTERM from outside at increasing delays after exec, a few tries each:
//    honoured (the namespace ends within 5 s) or lost; then the same with tini as PID 1.
//
//   npm run build && node bench/pid1-window.mjs [--runs 20] [--tries 3] [--compare BIN] [--write]
//
// --compare BIN also counts the instructions of another build's bin.js (e.g. the one-file
// build before the entry was split off: scripts/build.mjs at an earlier commit).
// --write puts the results in docs/benchmarks.md, between markers (the rest of the file is
// bench/run.mjs's and is left as it is). Needs root (unshare) and valgrind; tini is optional.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeMarkedSection } from './lib/sections.mjs';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/bin.js');
const NODE = process.execPath;
const DELAYS_MS = [0, 10, 20, 40, 80, 160, 320, 640, 1280, 2560];
const TINI_DELAYS_MS = [0, 20, 80, 320];
const HONOUR_MS = 5000;

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    tries: { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
    compare: { type: 'string' },
  },
});
const log = (message) => process.stderr.write(`[pid1-window] ${message}\n`);
const nap = new Int32Array(new SharedArrayBuffer(4));
/** A short blocking pause: the poller must not take a CPU the measured process needs. */
const pause = (ms) => Atomics.wait(nap, 0, 0, ms);

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function childOf(pid) {
  for (const task of readdirSync(`/proc/${pid}/task`, { withFileTypes: false })) {
    const children = read(`/proc/${pid}/task/${task}/children`)?.trim();
    if (children) return Number(children.split(' ')[0]);
  }
  return undefined;
}

/** SigCgt of `pid` as a bit set (bit n-1 for signal n), or undefined once it is gone. */
function caught(pid) {
  const status = read(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  return {
    name: /^Name:\s+(\S+)/m.exec(status)?.[1],
    cgt: BigInt(`0x${/SigCgt:\s+(\w+)/.exec(status)?.[1] ?? '0'}`),
  };
}
const has = (cgt, signo) => (cgt & (1n << BigInt(signo - 1))) !== 0n;
const SIGHUP = 1;
const SIGTERM = 15;

/** Start `argv` as PID 1 of a new PID namespace; resolves the host pid of that PID 1. */
function startPid1(argv, cwd) {
  const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', ...argv], {
    cwd,
    stdio: 'ignore',
  });
  const exited = new Promise((done) =>
    unshare.once('exit', (code, signal) => done({ code, signal })),
  );
  let pid;
  const began = performance.now();
  while (pid === undefined && performance.now() - began < 10_000) {
    pid = unshare.pid === undefined ? undefined : childOf(unshare.pid);
    if (pid === undefined) pause(0.2);
  }
  const kill = async () => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited;
  };
  return { pid, exited, kill };
}

/** Poll until `name` has exec'd (its Name in /proc changes): the time of exec. */
function waitForExec(pid, name) {
  const began = performance.now();
  while (performance.now() - began < 10_000) {
    if (caught(pid)?.name === name) return performance.now();
    pause(0.1);
  }
  throw new Error(`pid ${pid} never exec'd ${name}`);
}

async function timeline(cwd) {
  const run = startPid1([NODE, CLI, 'start'], cwd);
  const exec = waitForExec(run.pid, 'node');
  let nodeAt;
  let oursAt;
  while (oursAt === undefined && performance.now() - exec < 30_000) {
    const state = caught(run.pid);
    if (state === undefined) break;
    if (nodeAt === undefined && has(state.cgt, SIGTERM)) nodeAt = performance.now();
    if (has(state.cgt, SIGHUP)) oursAt = performance.now();
    else pause(0.2);
  }
  await run.kill();
  return { node: nodeAt - exec, ours: oursAt - exec };
}

/** SIGTERM `delayMs` after exec; honoured if the namespace ends within HONOUR_MS. */
async function stopAt(argv, execName, delayMs, cwd) {
  const run = startPid1(argv, cwd);
  const exec = waitForExec(run.pid, execName);
  while (performance.now() - exec < delayMs) pause(0.1);
  const before = caught(run.pid);
  const sentAfterMs = performance.now() - exec;
  process.kill(run.pid, 'SIGTERM');
  const timeout = new Promise((done) => setTimeout(() => done(undefined), HONOUR_MS));
  const end = await Promise.race([run.exited, timeout]);
  await run.kill();
  return {
    delayMs,
    sentAfterMs,
    hadOurs: before !== undefined && has(before.cgt, SIGHUP),
    isHonoured: end !== undefined,
    code: end?.code ?? undefined,
  };
}

/** Instructions from exec to the first call of each trigger, from callgrind's dumps. */
function instructions(argv, cwd) {
  const dir = mkdtempSync(join(tmpdir(), 'pid1-cg-'));
  // %p: `start` forks its children, and their dumps must not overwrite ours.
  const result = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(dir, 'cg.%p')}`,
      '--dump-before=sigaction',
      '--dump-before=uv_signal_start',
      ...argv,
    ],
    { cwd, stdio: 'ignore', timeout: 600_000 },
  );
  const prefix = `cg.${result.pid}.`;
  const parts = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map((name) => readFileSync(join(dir, name), 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  let total = 0;
  const firsts = {};
  for (const part of parts) {
    total += Number(/^summary: (\d+)/m.exec(part)?.[1] ?? 0);
    const trigger = /dump-before=(\S+)/.exec(part)?.[1];
    if (trigger !== undefined && firsts[trigger] === undefined) firsts[trigger] = total;
  }
  return { sigaction: firsts.sigaction, handler: firsts.uv_signal_start };
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const msText = (value) => (value === undefined ? 'n/a' : `${value.toFixed(0)} ms`);
const mText = (value) => (value === undefined ? 'n/a' : `${(value / 1e6).toFixed(1)} M`);

function renderSection({ counts, times, stops, tiniStops, loads, startedAt, commit }) {
  const out = [];
  out.push('## PID 1: the start-up window for stop signals', '');
  out.push(
    `Generated by \`node bench/pid1-window.mjs --write\` on ${startedAt}, at commit ${commit};`,
  );
  out.push(`load average ${loads[0]} at start, ${loads[1]} at end. Method and meaning:`);
  out.push('[container.md](container.md#the-start-up-window).', '');
  out.push('Instructions from exec (callgrind, independent of load):', '');
  out.push(
    "| program | Node's own handlers (first `sigaction`) | first JS handler (`uv_signal_start`) |",
  );
  out.push('| --- | --- | --- |');
  for (const row of counts)
    out.push(`| ${row.name} | ${mText(row.sigaction)} | ${mText(row.handler)} |`);
  out.push('');
  out.push(
    `Times from exec, \`start\` as PID 1, ${times.length} runs (this machine, this load):`,
    '',
  );
  out.push('| moment | median | p90 | max |', '| --- | --- | --- | --- |');
  for (const [label, key] of [
    ["Node's SIGTERM handler", 'node'],
    ['our handlers', 'ours'],
  ]) {
    const values = times.map((run) => run[key]).filter(Number.isFinite);
    out.push(
      `| ${label} | ${msText(median(values))} | ${msText(pct(values, 90))} | ${msText(Math.max(...values))} |`,
    );
  }
  out.push('');
  out.push(
    'SIGTERM sent from outside at a delay after exec (honoured: the namespace ended within 5 s):',
    '',
  );
  out.push('| PID 1 | delay | honoured | sent before our handlers existed | exit codes |');
  out.push('| --- | --- | --- | --- | --- |');
  const rows = (label, list, delays) => {
    for (const delay of delays) {
      const at = list.filter((stop) => stop.delayMs === delay);
      const honoured = at.filter((stop) => stop.isHonoured).length;
      const early = at.filter((stop) => !stop.hadOurs).length;
      const codes = [...new Set(at.map((stop) => stop.code ?? 'still running'))].join(', ');
      out.push(
        `| ${label} | ${delay} ms | ${honoured}/${at.length} | ${early}/${at.length} | ${codes} |`,
      );
    }
  };
  rows('foreman-ts', stops, DELAYS_MS);
  if (tiniStops.length > 0) rows('tini → foreman-ts', tiniStops, TINI_DELAYS_MS);
  out.push('');
  return `${out.join('\n')}\n`;
}

/** Replace our section of docs/benchmarks.md (or append it), leaving the rest as it is. */
function writeSection(section) {
  const file = join(ROOT, 'docs/benchmarks.md');
  writeMarkedSection({ file, name: 'pid1-window', script: 'bench/pid1-window.mjs', section });
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root: unshare --pid');
  const startedAt = new Date().toISOString();
  const loads = [
    loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
  ];
  const cwd = mkdtempSync(join(tmpdir(), 'pid1-window-'));
  writeFileSync(join(cwd, 'Procfile'), 'web: sleep 3600\n');
  writeFileSync(join(cwd, 'first-line.js'), "process.on('SIGHUP', () => {});\n");
  const quick = mkdtempSync(join(tmpdir(), 'pid1-window-quick-'));
  writeFileSync(join(quick, 'Procfile'), 'web: true\n');
  const counts = [];
  if (hasCommand('valgrind')) {
    const programs = [
      ['`node first-line.js` (any Node program)', [NODE, 'first-line.js'], cwd],
      ['`node dist/bin.js start`', [NODE, CLI, 'start'], quick],
    ];
    if (flags.compare !== undefined) {
      programs.push([
        `\`start\`, ${flags.compare}`,
        [NODE, resolve(flags.compare), 'start'],
        quick,
      ]);
    }
    for (const [name, argv, dir] of programs) {
      log(`callgrind: ${name}`);
      counts.push({ name, ...instructions(argv, dir) });
    }
  }
  const times = [];
  for (let i = 0; i < Number(flags.runs); i++) {
    log(`timeline ${i + 1}/${flags.runs}`);
    times.push(await timeline(cwd));
  }
  const stops = [];
  const tiniStops = [];
  for (let i = 0; i < Number(flags.tries); i++) {
    for (const delay of DELAYS_MS) {
      log(`stop at ${delay} ms (try ${i + 1})`);
      stops.push(await stopAt([NODE, CLI, 'start'], 'node', delay, cwd));
    }
    if (!hasCommand('tini')) continue;
    for (const delay of TINI_DELAYS_MS) {
      log(`tini: stop at ${delay} ms (try ${i + 1})`);
      tiniStops.push(await stopAt(['tini', '--', NODE, CLI, 'start'], 'tini', delay, cwd));
    }
  }
  loads.push(
    loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
  );
  rmSync(cwd, { recursive: true, force: true });
  rmSync(quick, { recursive: true, force: true });
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const section = renderSection({ counts, times, stops, tiniStops, loads, startedAt, commit });
  process.stdout.write(section);
  if (flags.write) writeSection(section);
}

await main();
