// Benchmark 2: foreman-ts's peak memory when its stdout is slower than its children (issue 2:
// peak RSS under 100 MB whatever the volume; docs/architecture.md, "Output path"). One process writes ~1 GiB as fast
// as `yes | head` can; our reader first reads nothing, then reads at a few MiB/s, then drains at
// full speed. If foreman-ts buffered instead of pausing its children, the first phase alone would
// pile up hundreds of MiB. The byte count at the far end must be exact.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeApp, makeMarker } from './lib/app.mjs';
import { launch, stopTool } from './lib/launch.mjs';
import { createRepeatCheck } from './lib/line-check.mjs';
import { peakRssBytes } from './lib/procfs.mjs';
import { displayCommand } from './lib/tools.mjs';

/** 63 bytes + newline = 64, so a power-of-two volume is a whole number of lines. */
const CONTENT = `slow-consumer-line-${'0123456789'.repeat(4)}abcd`;
const LINE_BYTES = CONTENT.length + 1;
const DRAIN_TIMEOUT_MS = 600_000;

export function procfileFor({ bytes, marker }) {
  return `big: yes '${CONTENT}' | head -c ${bytes}; echo 'big done'; exec sleep ${marker}\n`;
}

/**
 * Read `stream` no faster than `bytesPerSecond` by pausing it whenever we are ahead: a reader
 * that is merely slow, like a log shipper over a thin link.
 */
function throttle(stream, bytesPerSecond) {
  const startedAt = performance.now();
  let taken = 0;
  let timer;
  const onData = (chunk) => {
    taken += chunk.length;
    const aheadMs = (taken / bytesPerSecond) * 1000 - (performance.now() - startedAt);
    if (aheadMs > 0) {
      stream.pause();
      timer = setTimeout(() => stream.resume(), aheadMs);
    }
  };
  stream.on('data', onData);
  return () => {
    clearTimeout(timer);
    stream.off('data', onData);
  };
}

export async function runSlowConsumer({ tool, tmpDir, bytes, pauseMs, slowMs, slowRate, log }) {
  if (bytes % LINE_BYTES !== 0) throw new Error(`volume must be a multiple of ${LINE_BYTES}`);
  const marker = makeMarker();
  const procfile = procfileFor({ bytes, marker });
  const cwd = makeApp(tmpDir, 'slow-consumer', { Procfile: procfile });
  const session = launch({ tool, args: tool.startArgs(undefined), cwd, marker, tmpDir });
  const reader = createReader(session);
  const phases = await readInPhases({ session, reader, pauseMs, slowMs, slowRate, log });
  const peakRss = peakRssBytes(session.pid);
  const stop = await stopTool(session);
  reader.check.end();
  const { stats } = reader.check;
  log(
    `slow consumer: peak RSS ${mib(peakRss)}, ${stats.contentBytes}/${bytes} content bytes, ` +
      `${stats.damaged} damaged lines`,
  );
  return {
    command: displayCommand(tool, tool.startArgs(undefined)),
    procfile,
    bytes,
    expectedLines: bytes / LINE_BYTES,
    ...{ pauseMs, slowMs, slowRate },
    ...phases,
    peakRss,
    ...stats,
    stop,
  };
}

/** Our end of the tool's stdout, verified as it is read, and not read until told to. */
function createReader(session) {
  const reader = { doneAt: undefined, stream: session.stream };
  reader.check = createRepeatCheck({
    label: 'big.1',
    content: CONTENT,
    doneLine: 'big done',
    onDone: () => (reader.doneAt = performance.now()),
  });
  reader.stream.on('data', (chunk) => reader.check.push(chunk));
  reader.stream.pause(); // attaching 'data' set it flowing; phase 1 reads nothing
  return reader;
}

/** Paused, then throttled, then full speed; the tool's peak RSS after each phase. */
async function readInPhases({ session, reader, pauseMs, slowMs, slowRate, log }) {
  const { stream, check } = reader;
  const measure = (phase) => {
    const result = { peakRss: peakRssBytes(session.pid), delivered: check.stats.receivedBytes };
    log(`slow consumer: after ${phase}: peak RSS ${mib(result.peakRss)}`);
    return result;
  };
  await sleep(pauseMs);
  const afterPause = measure(`${pauseMs / 1000} s paused`);
  const unthrottle = throttle(stream, slowRate);
  stream.resume();
  await sleep(slowMs);
  unthrottle();
  stream.resume();
  const afterSlow = measure(`${slowMs / 1000} s at ${mib(slowRate)}/s`);
  const drainStart = performance.now();
  const deadline = drainStart + DRAIN_TIMEOUT_MS;
  while (reader.doneAt === undefined && session.exit === undefined) {
    if (performance.now() > deadline) break;
    await sleep(100);
  }
  const isDone = reader.doneAt !== undefined;
  return {
    afterPause,
    afterSlow,
    isDone,
    drainMs: (reader.doneAt ?? performance.now()) - drainStart,
  };
}

function mib(bytes) {
  return bytes === undefined ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MiB`;
}
