// Benchmark 1: N processes × M lines through each tool to a pipe we read and verify (issue 2:
// every line delivered and intact; throughput ≥ 2× nf's and no worse than Ruby foreman's).
//
// Each Procfile line waits for a starting gun (lib/gun.mjs), then runs `seq` (fast C, numbered
// lines, no interpreter start-up to skew the race), prints a done line and ends in `sleep
// <marker>`: the generators must not exit, because a process exiting makes foreman-ts and Ruby
// foreman stop everything, which would cut the other streams short. The clock runs from the gun
// to the moment every `pN done` line has arrived; tool start-up is benchmark 4's subject.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeApp, makeMarker } from './lib/app.mjs';
import { makeGun } from './lib/gun.mjs';
import { launch, stopTool } from './lib/launch.mjs';
import { createSequenceCheck } from './lib/line-check.mjs';
import { cpuSeconds, findByMarker, peakRssBytes } from './lib/procfs.mjs';
import { max, median, min } from './lib/stats.mjs';
import { displayCommand } from './lib/tools.mjs';

const PAD = 'x'.repeat(40); // each content line is 52 bytes + newline
const POLL_MS = 250;
/** nf cuts lines at read boundaries, so its `done` lines may never arrive whole: then we call a
 * run finished once every generator sleeps and nothing came for this long. */
const QUIET_MS = 3000;
/** After the last generator is waiting, time for the tool's own start-up output to settle. */
const GUN_SETTLE_MS = 300;

export function procfileFor({ names, count, marker, gun }) {
  const line = (name) =>
    `${name}: cat ${gun} >/dev/null; seq -f '${name} %08.0f ${PAD}' 1 ${count}; ` +
    `echo '${name} done'; exec sleep ${marker}`;
  return `${names.map(line).join('\n')}\n`;
}

export async function runThroughput({ tools, tmpDir, runs, processes, count, timeoutMs, log }) {
  const names = Array.from({ length: processes }, (_, i) => `p${i + 1}`);
  const marker = makeMarker();
  const cwd = makeApp(tmpDir, 'throughput', {});
  const gun = makeGun(cwd);
  const procfile = procfileFor({ names, count, marker, gun: gun.path });
  makeApp(tmpDir, 'throughput', { Procfile: procfile });
  const samples = new Map(tools.map((tool) => [tool.id, []]));
  for (let round = 0; round < runs; round++) {
    // Rotate the order each round, so a load spike on this shared machine does not always
    // land on the same tool.
    const order = tools.map((_, i) => tools[(i + round) % tools.length]);
    for (const tool of order) {
      const sample = await runOnce({ tool, cwd, names, count, marker, gun, tmpDir, timeoutMs });
      samples.get(tool.id).push(sample);
      log(
        `throughput ${tool.id} run ${round + 1}/${runs}: ${describe(sample, names.length * count)}`,
      );
    }
  }
  const rows = tools.map((tool) => summarize(tool, samples.get(tool.id), names.length * count));
  const commands = tools.map((tool) => displayCommand(tool, tool.startArgs(undefined)));
  return { rows, commands, procfile, expected: names.length * count, processes, count };
}

async function runOnce({ tool, cwd, names, count, marker, gun, tmpDir, timeoutMs }) {
  const session = launch({ tool, args: tool.startArgs(undefined), cwd, marker, tmpDir });
  const race = { finishedAt: undefined };
  const check = createSequenceCheck({
    names,
    count,
    pad: PAD,
    onAllDone: () => (race.finishedAt = performance.now()),
  });
  session.stream.on('data', (chunk) => check.push(chunk));
  const streamEnded = new Promise((resolve) => session.stream.once('close', resolve));
  const isReady = await gun.ready(names.length, 60_000);
  await sleep(GUN_SETTLE_MS);
  const cpuAtGun = cpuSeconds(session.pid) ?? 0;
  const firedAt = performance.now();
  await gun.fire();
  const outcome = isReady
    ? await waitForFinish({
        session,
        check,
        race,
        marker,
        processes: names.length,
        deadline: firedAt + timeoutMs,
      })
    : 'generators never started';
  // VmHWM and CPU time now, while the tool is alive and before shutdown work adds to them.
  const peakRss = peakRssBytes(session.pid);
  const cpu = (cpuSeconds(session.pid) ?? Number.NaN) - cpuAtGun;
  const stop = await stopTool(session);
  await Promise.race([streamEnded, sleep(2000, undefined, { ref: false })]);
  check.end();
  const wallMs = (race.finishedAt ?? performance.now()) - firedAt;
  return { ...check.stats, wallMs, peakRss, cpu, outcome, stop, stderr: session.stderrTail() };
}

/** Until every done line arrived ('ok'), or why not. May set `race.finishedAt` itself. */
async function waitForFinish({ session, check, race, marker, processes, deadline }) {
  while (race.finishedAt === undefined) {
    await sleep(POLL_MS);
    const { exit } = session;
    if (exit !== undefined) return `tool exited early (code ${exit.code}, signal ${exit.signal})`;
    if (performance.now() > deadline) return 'timeout';
    const isQuiet = performance.now() - check.stats.lastDataAt > QUIET_MS;
    if (isQuiet && findByMarker(marker).length >= processes) {
      race.finishedAt = check.stats.lastDataAt; // every generator is done, nothing more comes
      return 'done lines not seen';
    }
  }
  return 'ok';
}

function describe(s, expected) {
  const seconds = (s.wallMs / 1000).toFixed(2);
  const rss = s.peakRss === undefined ? 'n/a' : `${(s.peakRss / 1048576).toFixed(0)} MiB`;
  const extra = s.outcome === 'ok' ? '' : ` [${s.outcome}]`;
  return `${seconds}s, ${s.intact}/${expected} intact, ${s.damaged} damaged, rss ${rss}, cpu ${s.cpu.toFixed(2)}s${extra}`;
}

function summarize(tool, samples, expected) {
  const wall = median(samples.map((s) => s.wallMs));
  return {
    tool: tool.id,
    runs: samples.length,
    wallMs: wall,
    wallMinMs: min(samples.map((s) => s.wallMs)),
    wallMaxMs: max(samples.map((s) => s.wallMs)),
    linesPerSecond: wall === undefined ? undefined : expected / (wall / 1000),
    cpuSeconds: median(samples.map((s) => s.cpu)),
    // The worst run decides: "every line delivered" must hold every time.
    intactMin: min(samples.map((s) => s.intact)),
    damagedMax: max(samples.map((s) => s.damaged)),
    skippedMax: max(samples.map((s) => s.skipped)),
    peakRss: max(samples.map((s) => s.peakRss)),
    outcomes: [...new Set(samples.map((s) => s.outcome))],
    leftovers: max(samples.map((s) => s.stop.leftovers)),
    stderr: samples.map((s) => s.stderr).find((text) => text !== '') ?? '',
  };
}
