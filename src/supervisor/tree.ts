import { readFile, readdir } from 'node:fs/promises';
import {
  descendantsOf,
  parseStat,
  planSignals,
  type ProcEntry,
  type TreeRoot,
} from '../core/process-tree.js';

/**
 * Our process tree, read from /proc. Where /proc is missing (macOS), we fall back to the
 * groups we created: descendants that left their group are then out of reach (docs/signals.md).
 */
export async function readProcTable(): Promise<ProcEntry[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const reads = names.filter((name) => /^\d+$/.test(name)).map((name) => readEntry(name));
  return (await Promise.all(reads)).filter((entry): entry is ProcEntry => entry !== undefined);
}

async function readEntry(pid: string): Promise<ProcEntry | undefined> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // it exited while we looked
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
