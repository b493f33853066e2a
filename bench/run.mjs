#!/usr/bin/env node
// The benchmark suite (a script, not a test: speed belongs here, results in docs/). Runs every
// benchmark whose tools are installed, against Ruby foreman and node-foreman when present, and
// writes docs/benchmarks.md. `npm run bench` builds first.
//
//   node bench/run.mjs [--only throughput,slow,shutdown,startup] [--runs N] [--quick] [--out FILE]
//
// --quick shrinks every volume, for checking the harness itself; its numbers mean little.
import { performance } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeTmpRoot } from './lib/app.mjs';
import { cleanupEverything } from './lib/launch.mjs';
import { loadAverage, machineFacts } from './lib/machine.mjs';
import { renderReport } from './lib/report.mjs';
import { detectTools } from './lib/tools.mjs';
import { runShutdown } from './shutdown.mjs';
import { runSlowConsumer } from './slow-consumer.mjs';
import { hasCommand, runCallgrind, runStartup } from './startup.mjs';
import { runThroughput } from './throughput.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['startup', 'shutdown', 'throughput', 'slow'];

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const quick = flags.quick;
const runs = Number(flags.runs ?? (quick ? 1 : 3));
const only = new Set(flags.only?.split(',') ?? ALL);
const SETTINGS = {
  throughput: { processes: 8, count: quick ? 20_000 : 200_000, timeoutMs: 300_000 },
  slow: {
    bytes: quick ? 64 * 2 ** 20 : 2 ** 30,
    pauseMs: quick ? 2_000 : 10_000,
    slowMs: quick ? 2_000 : 10_000,
    slowRate: 4 * 2 ** 20,
  },
  shutdown: { processes: 50, timeoutMs: 10_000 },
  startup: {
    rounds: quick ? 1 : 5, // 5 commands: each takes every position in the order once
    warmup: 3,
    runs: quick ? 10 : 12,
    callgrindRepeats: quick ? 1 : 2,
  },
};

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

async function main() {
  if (process.platform !== 'linux') throw new Error('the benchmarks read /proc: Linux only');
  const startedAt = performance.now();
  const results = {
    facts: machineFacts(REPO),
    loadStart: loadAverage(),
    tools: detectTools(REPO),
    skipped: [],
    notes: [],
  };
  const ours = results.tools[0];
  if (ours.missing !== undefined) throw new Error(ours.missing);
  for (const tool of results.tools.filter((t) => t.missing !== undefined)) {
    const reason = `${tool.id}: ${tool.missing}`;
    results.skipped.push(reason);
    log(`skipping ${reason}`);
  }
  const tools = results.tools.filter((t) => t.missing === undefined);
  log(
    `load average ${results.loadStart}; tools: ${tools.map((t) => `${t.id} ${t.version}`).join(', ')}`,
  );
  const tmp = makeTmpRoot();
  try {
    await runSelected({ results, tools, tmpDir: tmp.dir });
  } finally {
    cleanupEverything();
    tmp.remove();
  }
  results.loadEnd = loadAverage();
  results.durationS = (performance.now() - startedAt) / 1000;
  results.notes.push(...NOTES);
  const out = flags.out ?? join(REPO, 'docs', 'benchmarks.md');
  writeFileSync(out, renderReport(results) + keptSections(out));
  log(`wrote ${out} (load average at end ${results.loadEnd})`);
}

async function runSelected({ results, tools, tmpDir }) {
  const ours = tools[0];
  if (only.has('startup')) {
    if (!hasCommand('hyperfine')) results.skipped.push('startup: hyperfine not installed');
    else {
      const { callgrindRepeats, ...startup } = SETTINGS.startup;
      results.startup = runStartup({ tools, tmpDir, repoRoot: REPO, ...startup, log });
      if (!hasCommand('valgrind')) results.skipped.push('callgrind: valgrind not installed');
      else
        results.callgrind = runCallgrind({
          tools,
          tmpDir,
          repoRoot: REPO,
          repeats: callgrindRepeats,
          log,
        });
    }
  }
  if (only.has('shutdown')) {
    results.shutdown = await runShutdown({ tools, tmpDir, runs, ...SETTINGS.shutdown, log });
  }
  if (only.has('throughput')) {
    results.throughput = await runThroughput({ tools, tmpDir, runs, ...SETTINGS.throughput, log });
  }
  if (only.has('slow')) {
    results.slowConsumer = await runSlowConsumer({ tool: ours, tmpDir, ...SETTINGS.slow, log });
  }
}

/** Method notes that hold for every run; the numbers above them change, these do not. */
const NOTES = [
  'Peers: Ruby foreman takes its options after the subcommand (`foreman start -m s=50`); nf takes ' +
    'the formation as a positional list (`nf start s=50`) and `--` before a command with flags.',
  'Ruby foreman 0.87.2 can deadlock at start-up when a process writes more than a pipe buffer ' +
    '(64 KiB) before foreman has started every process: its spawn loop writes "started with pid" ' +
    "into each child's pipe before any thread reads them (engine.rb 362-378). The throughput " +
    'generators therefore wait for a starting gun, which every tool gets alike.',
  'nf relays each read chunk as if it ended a line (lib/console.js splits `data.toString()` on ' +
    '`\\n`), so lines that straddle a read boundary arrive cut in two: those are its damaged lines.',
  "Peak RSS is the kernel's VmHWM of the tool's own process (`/proc/<pid>/status`), read just " +
    'before it is stopped; for the Node tools that is the node process itself.',
];

main().catch((error) => {
  cleanupEverything();
  log(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});

/**
 * Sections other scripts write into the same file between `<!-- BEGIN x -->` and
 * `<!-- END x -->` markers (bench/json-vs-text.mjs): kept as they are, after our report.
 */
function keptSections(file) {
  let doc;
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const blocks = doc.match(/<!-- BEGIN [^>]*-->[\s\S]*?<!-- END [^>]*-->\n?/g) ?? [];
  return blocks.length === 0 ? '' : `\n${blocks.join('\n')}`;
}
