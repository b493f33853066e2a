// Facts about the machine and the tree a run measured, printed with the results: numbers from a
// loaded 2-vCPU box mean little without the load next to them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function tryRun(file, args, cwd) {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0];
  } catch {
    return undefined;
  }
}

function cpuModel() {
  const text = readFileSync('/proc/cpuinfo', 'utf8');
  return /^model name\s*:\s*(.+)$/m.exec(text)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
}

export function loadAverage() {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

export function machineFacts(repoRoot) {
  const dirty = tryRun('sh', ['-c', 'git status --porcelain -- src | wc -l'], repoRoot);
  return {
    date: new Date().toISOString(),
    nproc: tryRun('nproc', []) ?? String(os.availableParallelism()),
    cpu: cpuModel(),
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    hyperfine: tryRun('hyperfine', ['--version']),
    valgrind: tryRun('valgrind', ['--version']),
    commit: tryRun('git', ['rev-parse', '--short', 'HEAD'], repoRoot),
    srcChanges: Number(dirty ?? 0),
  };
}
