import { readFile, readdir } from 'node:fs/promises';
import { descendantsOf, parseStat, planSignals, type ProcEntry } from '../core/process-tree.js';

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
 * Send `signal` to every living descendant exactly once; returns how many processes that is
 * (groups, where /proc is missing). `groups` are the process groups of our direct children (each its own leader).
 */
export async function signalTree(
  signal: NodeJS.Signals,
  groups: ReadonlySet<number>,
): Promise<number> {
  const living = await livingDescendants();
  if (living === undefined) return signalGroups(signal, [...groups]);
  const plan = planSignals(living, groups);
  signalGroups(signal, plan.groups);
  for (const pid of plan.pids) send(pid, signal);
  return living.length;
}

function signalGroups(signal: NodeJS.Signals, groups: readonly number[]): number {
  return groups.filter((pgid) => send(-pgid, signal)).length;
}

function send(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false; // gone already (ESRCH)
  }
}

/** Whether anything we started is still running (zombies do not count: R8). */
export async function isTreeAlive(groups: ReadonlySet<number>): Promise<boolean> {
  const living = await livingDescendants();
  if (living !== undefined) return living.length > 0;
  return [...groups].some((pgid) => send(-pgid, 0));
}
