/**
 * Which processes a stop must reach, from a snapshot of the process table. Pure: the shell
 * reads /proc and performs the signals. Every descendant gets exactly one signal: through its
 * group when the group is one of ours, else by pid (runtime.md R6, R7).
 */
export type ProcEntry = Readonly<{ pid: number; ppid: number; pgid: number; state: string }>;

/** `/proc/<pid>/stat`: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parens. */
export function parseStat(text: string): ProcEntry | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close === -1 || !Number.isInteger(pid)) return undefined;
  const [state, ppid, pgid] = text.slice(close + 2).split(' ');
  if (state === undefined || ppid === undefined || pgid === undefined) return undefined;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state };
}

/** Living descendants of `root` (zombies and dead entries are not alive: R8). */
export function descendantsOf(table: readonly ProcEntry[], root: number): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>();
  for (const entry of table) {
    const siblings = children.get(entry.ppid);
    if (siblings === undefined) children.set(entry.ppid, [entry]);
    else siblings.push(entry);
  }
  const found: ProcEntry[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
    if (isAlive(entry)) found.push(entry);
    queue.push(...(children.get(entry.pid) ?? []));
  }
  return found;
}

export function isAlive(entry: ProcEntry): boolean {
  return entry.state !== 'Z' && entry.state !== 'X' && entry.state !== 'x';
}

export type SignalPlan = Readonly<{ groups: readonly number[]; pids: readonly number[] }>;

/**
 * Signal each of our groups that still has a living member, and each living descendant that
 * left our groups (setsid, or a daemon re-parented to us as subreaper) by pid.
 */
export function planSignals(
  living: readonly ProcEntry[],
  ourGroups: ReadonlySet<number>,
): SignalPlan {
  const groups = new Set<number>();
  const pids: number[] = [];
  for (const entry of living) {
    if (ourGroups.has(entry.pgid)) groups.add(entry.pgid);
    else pids.push(entry.pid);
  }
  return { groups: [...groups], pids };
}
