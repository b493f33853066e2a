// Benchmark 4: `run true` start-up (issue 3: within 1.3× of `node -e 0`, faster than every peer).
// All commands run in ONE hyperfine invocation, so they share the same machine conditions;
// on this shared, noisy box the ratios matter, not the milliseconds. Callgrind instruction
// counts (method in docs/architecture.md) back them up: they do not depend on load.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeApp } from './lib/app.mjs';
import { median } from './lib/stats.mjs';
import { displayCommand } from './lib/tools.mjs';

const PROCFILE = 'web: node -e "require(\'http\')"\nworker: sleep 1\nrelease: true\n';
const DOTENV =
  'APP_NAME=bench\nDATABASE_URL=postgres://localhost/bench\nGREETING="hello ${APP_NAME}"\n';

export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** The commands compared: the floor (`node -e 0`), ours, the peers, and a reference row. */
function commandsFor({ tools, repoRoot }) {
  const node = process.execPath;
  const list = [{ id: 'node -e 0', name: 'node -e 0', argv: [node, '-e', '0'] }];
  for (const tool of tools) {
    list.push({
      id: tool.id,
      name: displayCommand(tool, tool.runArgs(['true'])),
      argv: [tool.file, ...tool.runArgs(['true'])],
    });
  }
  list.push({
    id: 'floor',
    name: 'node bench/floor-spawn.mjs true',
    argv: [node, join(repoRoot, 'bench', 'floor-spawn.mjs'), 'true'],
  });
  return list;
}

/** hyperfine -N takes each command as one string and splits it on spaces itself. */
function commandLine(argv) {
  return argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word}'`)).join(' ');
}

/**
 * `rounds` hyperfine invocations, each comparing every command (the order rotated per round,
 * since hyperfine runs one command's runs back to back and load drifts on this box); the
 * samples are pooled. Each round is still one invocation with all commands, as issue 3 asks.
 */
export function runStartup({ tools, tmpDir, repoRoot, rounds, runs, warmup, log }) {
  const cwd = makeApp(tmpDir, 'startup', { Procfile: PROCFILE, '.env': DOTENV });
  const commands = commandsFor({ tools, repoRoot });
  const json = join(tmpDir, 'hyperfine.json');
  const samples = new Map(commands.map((command) => [command.id, { times: [], cpu: [] }]));
  const roundRatios = [];
  let shown = '';
  for (let round = 0; round < rounds; round++) {
    const order = commands.map((_, i) => commands[(i + round) % commands.length]);
    const args = ['-N', '--warmup', String(warmup), '--runs', String(runs), '--export-json', json];
    for (const command of order) args.push('-n', command.name, commandLine(command.argv));
    log(`startup: hyperfine round ${round + 1}/${rounds}, ${order.length} commands × ${runs} runs`);
    execFileSync('hyperfine', args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    const { results } = JSON.parse(readFileSync(json, 'utf8'));
    order.forEach((command, index) => {
      const entry = samples.get(command.id);
      entry.times.push(...results[index].times);
      entry.cpu.push(results[index].user + results[index].system);
    });
    const medianOf = (id) => results[order.findIndex((c) => c.id === id)].median;
    roundRatios.push(medianOf('foreman-ts') / medianOf('node -e 0'));
    if (round === 0)
      shown = args.map((w) => (w === json ? 'results.json' : shellWord(w))).join(' ');
  }
  return {
    rows: commands.map((command) => toRow(command, samples.get(command.id))),
    rounds,
    runs,
    roundRatios,
    hyperfineCommand: `hyperfine ${shown}`,
    procfile: PROCFILE,
    dotenv: DOTENV,
  };
}

function shellWord(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function toRow(command, { times, cpu }) {
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  const variance = times.reduce((sum, t) => sum + (t - mean) ** 2, 0) / (times.length - 1);
  return {
    id: command.id,
    name: command.name,
    samples: times.length,
    medianMs: median(times) * 1000,
    meanMs: mean * 1000,
    minMs: Math.min(...times) * 1000,
    stddevMs: Math.sqrt(variance) * 1000,
    cpuMs: (cpu.reduce((sum, c) => sum + c, 0) / cpu.length) * 1000,
  };
}

/**
 * Instructions executed by the main process of a command under callgrind, median of `repeats`.
 * Children are traced only so that a `#!/usr/bin/env node` launcher (nf) is followed into
 * node (same pid); the count taken is the main pid's, so `true` and any `sh` a tool spawns
 * are not in it.
 */
export function countInstructions({ argv, cwd, repeats }) {
  const counts = [];
  for (let i = 0; i < repeats; i++) {
    const result = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        '--trace-children=yes',
        '--trace-children-skip=*/true',
        ...argv,
      ],
      { cwd, encoding: 'utf8', timeout: 300_000 },
    );
    const count = mainProcessCount(result.stderr ?? '');
    if (count !== undefined) counts.push(count);
  }
  return median(counts);
}

function mainProcessCount(stderr) {
  const pid = /==(\d+)== Command:/.exec(stderr)?.[1];
  const counts = [...stderr.matchAll(/==(\d+)== Collected : (\d+)/g)].filter((m) => m[1] === pid);
  return counts.length === 0 ? undefined : Number(counts[counts.length - 1][2]);
}

/** The same commands as the hyperfine comparison, each counted on its own. */
export function runCallgrind({ tools, tmpDir, repoRoot, repeats, log }) {
  const cwd = makeApp(tmpDir, 'startup', { Procfile: PROCFILE, '.env': DOTENV });
  return commandsFor({ tools, repoRoot }).map((command) => {
    log(`callgrind: ${command.name} (${repeats}×)`);
    const instructions = countInstructions({ argv: command.argv, cwd, repeats });
    return { name: command.name, instructions };
  });
}
