// Benchmark 3: time from SIGTERM to full exit with 50 processes: the tool has exited *and*
// nothing it started is still running. Every process is `sleep <marker>`, which dies on
// SIGTERM at once, so the time measured is the tool's own stop machinery. Peers are known to
// hang or orphan (nf and honcho have left processes running after a stop, or kept running):
// each stop is bounded and leftovers are counted, then killed.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeApp, makeMarker } from './lib/app.mjs';
import { launch, stopTool } from './lib/launch.mjs';
import { findByMarker } from './lib/procfs.mjs';
import { max, median } from './lib/stats.mjs';
import { displayCommand } from './lib/tools.mjs';

const POLL_MS = 20;

export async function runShutdown({ tools, tmpDir, runs, processes, timeoutMs, log }) {
  const marker = makeMarker();
  const procfile = `s: sleep ${marker}\n`;
  const cwd = makeApp(tmpDir, 'shutdown', { Procfile: procfile });
  const formation = `s=${processes}`;
  const samples = new Map(tools.map((tool) => [tool.id, []]));
  for (let round = 0; round < runs; round++) {
    const order = tools.map((_, i) => tools[(i + round) % tools.length]);
    for (const tool of order) {
      const sample = await runOnce({ tool, cwd, formation, processes, marker, tmpDir, timeoutMs });
      samples.get(tool.id).push(sample);
      log(`shutdown ${tool.id} run ${round + 1}/${runs}: ${describe(sample)}`);
    }
  }
  const rows = tools.map((tool) => summarize(tool, samples.get(tool.id)));
  const commands = tools.map((tool) => `${displayCommand(tool, tool.startArgs(formation))}`);
  return { rows, commands, procfile, processes, timeoutMs };
}

async function runOnce({ tool, cwd, formation, processes, marker, tmpDir, timeoutMs }) {
  const session = launch({ tool, args: tool.startArgs(formation), cwd, marker, tmpDir });
  session.stream.resume(); // read and discard the tool's output, so it never blocks on it
  const running = await waitUntilUp({ session, marker, processes });
  if (running < processes) {
    const stop = await stopTool(session);
    return { error: `only ${running}/${processes} processes came up`, stop };
  }
  await sleep(500); // let the tool finish its start-up bookkeeping (timers, output) first
  session.snapshot(); // remember the tree, to find orphans after the tool is gone
  const { exitMs, goneMs } = await timeStop({ session, timeoutMs });
  const exit = session.exit;
  const stop = await stopTool(session, { timeoutMs: 5000 }); // SIGKILL whatever is left
  return {
    exitMs,
    goneMs,
    fullMs: exitMs === undefined || goneMs === undefined ? undefined : Math.max(exitMs, goneMs),
    exit,
    leftovers: stop.leftovers,
    hung: exitMs === undefined,
    stop,
  };
}

/** How many of the processes are running once all are, or after a minute. */
async function waitUntilUp({ session, marker, processes }) {
  const deadline = performance.now() + 60_000;
  let running = findByMarker(marker).length;
  while (running < processes && performance.now() < deadline && session.exit === undefined) {
    await sleep(50);
    running = findByMarker(marker).length;
  }
  return running;
}

/** SIGTERM, then when the tool exited and when the last process it started was gone. */
async function timeStop({ session, timeoutMs }) {
  const sentAt = performance.now();
  process.kill(session.pid, 'SIGTERM');
  let exitMs;
  let goneMs;
  while (performance.now() - sentAt < timeoutMs && (exitMs === undefined || goneMs === undefined)) {
    if (exitMs === undefined && session.exit !== undefined) exitMs = session.exit.at - sentAt;
    if (goneMs === undefined && session.leftovers().length === 0) {
      goneMs = performance.now() - sentAt;
    }
    await sleep(POLL_MS);
  }
  return { exitMs, goneMs };
}

function describe(s) {
  if (s.error !== undefined) return s.error;
  const ms = (v) => (v === undefined ? 'never' : `${v.toFixed(0)} ms`);
  const code = s.exit === undefined ? 'still running' : `exit ${s.exit.code ?? s.exit.signal}`;
  return `tool exited after ${ms(s.exitMs)}, children gone after ${ms(s.goneMs)}, ${code}, leftovers ${s.leftovers}`;
}

function summarize(tool, samples) {
  const ok = samples.filter((s) => s.error === undefined);
  return {
    tool: tool.id,
    runs: samples.length,
    errors: samples.filter((s) => s.error !== undefined).map((s) => s.error),
    fullMs: ok.every((s) => s.fullMs !== undefined) ? median(ok.map((s) => s.fullMs)) : undefined,
    exitMs: median(ok.map((s) => s.exitMs)),
    goneMs: median(ok.map((s) => s.goneMs)),
    hungRuns: ok.filter((s) => s.hung).length,
    orphanRuns: ok.filter((s) => s.goneMs === undefined).length,
    leftoversMax: max(ok.map((s) => s.leftovers)),
    exitCodes: [...new Set(ok.map((s) => (s.exit ? (s.exit.code ?? s.exit.signal) : 'running')))],
  };
}
