// What the benchmarks learn about processes, read from /proc (Linux only): peak memory, CPU time,
// the process tree, and the processes a run left behind. Sync reads on purpose: the harness calls
// these between phases, never on a hot path, and a snapshot should not interleave with events.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited while we looked
  }
}

/** `VmHWM` (peak resident set, the kernel's own high-water mark) in bytes, or undefined. */
export function peakRssBytes(pid) {
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

/** One line of /proc/<pid>/stat, parsed past the `(comm)` field, which may hold spaces. */
function parseStat(text) {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): ppid is 4, utime 14, stime 15, starttime 22.
  return {
    state: fields[0],
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    startTime: fields[19],
  };
}

/** User + system CPU seconds the process itself used so far (all its threads, no children). */
export function cpuSeconds(pid) {
  const text = read(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text).cpuSeconds;
}

/** Every process now: pid, ppid, state, start time (to tell a reused pid) and argv. */
export function readProcTable() {
  const table = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const cmdline = read(`/proc/${name}/cmdline`);
    if (stat === undefined || cmdline === undefined) continue;
    table.push({ pid: Number(name), ...parseStat(stat), argv: cmdline.split('\0').slice(0, -1) });
  }
  return table;
}

/** Living processes (zombies excluded) whose argv contains `marker` as a whole word. */
export function findByMarker(marker, table = readProcTable()) {
  const hasMarker = (arg) => arg.split(/[\s;'"]+/).includes(marker);
  return table.filter((p) => p.state !== 'Z' && p.argv.some(hasMarker));
}

/** The living descendants of `root` (children, grandchildren...) at this moment. */
export function descendantsOf(root, table = readProcTable()) {
  const found = [];
  const parents = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!parents.has(p.pid) && parents.has(p.ppid) && p.state !== 'Z') {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/**
 * Which of these remembered processes are still the same processes (pid and start time
 * match) and alive: only those may be signalled, so a reused pid is never hit.
 */
export function stillRunning(remembered) {
  const now = new Map(readProcTable().map((p) => [p.pid, p]));
  return remembered.filter((p) => {
    const current = now.get(p.pid);
    return current !== undefined && current.startTime === p.startTime && current.state !== 'Z';
  });
}

/** SIGKILL exactly these processes (ones we started); returns how many were still there. */
export function killAll(processes) {
  const alive = stillRunning(processes);
  for (const p of alive) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // exited between the check and the kill
    }
  }
  return alive.length;
}
