import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  descendantsOf,
  isAlive,
  parseStat,
  planSignals,
  type ProcEntry,
  type TreeRoot,
} from '../core/process-tree.js';

const GROUP_POLL_MS = 50;

/** /proc reads in flight at once: a bounded number of file descriptors, however many processes. */
const READ_BATCH = 64;
const OUT_OF_FILES = 'out-of-files';

/**
 * Our process tree, read from /proc. Where /proc is missing (macOS), or we are out of file
 * descriptors to read it with (EMFILE: a table missing processes would let them escape a
 * stop), callers fall back to the groups we created: descendants that left their group are
 * then out of reach (docs/signals.md).
 */
export async function readProcTable(): Promise<ProcEntry[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const pids = names.filter((name) => /^\d+$/.test(name));
  const table: ProcEntry[] = [];
  for (let start = 0; start < pids.length; start += READ_BATCH) {
    const batch = await Promise.all(pids.slice(start, start + READ_BATCH).map(readEntry));
    for (const entry of batch) {
      if (entry === OUT_OF_FILES) return undefined;
      if (entry !== undefined) table.push(entry);
    }
  }
  return table;
}

async function readEntry(pid: string): Promise<ProcEntry | typeof OUT_OF_FILES | undefined> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? OUT_OF_FILES : undefined; // or it exited
  }
}

/** Living members of a process group, or undefined where /proc cannot tell. */
export async function livingInGroup(pgid: number): Promise<number[] | undefined> {
  // The common case, a group that ended with its leader, needs no /proc scan.
  if (!hasGroup(pgid)) return [];
  const table = await readProcTable();
  return table?.filter((entry) => entry.pgid === pgid && isAlive(entry)).map((entry) => entry.pid);
}

/** Resolves once a group has no living member, /proc cannot tell, or `isCancelled()`. */
export async function untilGroupEmpty(pgid: number, isCancelled: () => boolean): Promise<void> {
  while (!isCancelled()) {
    const living = await livingInGroup(pgid);
    if (living === undefined || living.length === 0) return;
    await sleep(GROUP_POLL_MS);
  }
}

export async function livingDescendants(): Promise<ProcEntry[] | undefined> {
  const table = await readProcTable();
  return table === undefined ? undefined : descendantsOf(table, process.pid);
}

/**
 * Signal the trees of `roots` (each with its own signal), exactly once per process, and, with
 * a `fallback` signal, every other living descendant of ours too. Returns how many processes
 * that reached (groups, where /proc is missing).
 */
export async function signalTrees(
  roots: readonly TreeRoot[],
  fallback: string | undefined,
): Promise<number> {
  const table = await readProcTable();
  if (table === undefined) return roots.filter((root) => send(-root.pid, root.signal)).length;
  const living = descendantsOf(table, process.pid);
  const plan = planSignals(table, living, roots, fallback);
  for (const group of plan.groups) send(-group.pid, group.signal);
  for (const { pid, signal } of plan.pids) send(pid, signal);
  const groups = new Set(plan.groups.map((group) => group.pid));
  return living.filter((entry) => groups.has(entry.pgid)).length + plan.pids.length;
}

function send(target: number, signal: string): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false; // gone already (ESRCH)
  }
}

/** Whether a process group has any member (zombies too: then /proc tells the living). */
function hasGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // someone else's: still there
  }
}
