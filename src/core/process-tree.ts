/**
 * Which processes a stop must reach, from a snapshot of the process table. Pure: the shell
 * reads /proc and performs the signals. Every descendant gets exactly one signal: through its
 * group when the group is one of ours, else by pid (docs/signals.md).
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

/** Living descendants of `root` (zombies and dead entries are not alive: docs/signals.md). */
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

/** A process we started (a group leader: pgid = pid), and the signal its tree should get. */
export type TreeRoot = Readonly<{ pid: number; signal: string }>;

export type SignalPlan = Readonly<{
  groups: readonly TreeRoot[];
  pids: readonly Readonly<{ pid: number; signal: string }>[];
}>;

/**
 * Give each living descendant exactly one signal: through its group when the group is one of
 * our roots, else by pid with the signal of the root it descends from (it left the group with
 * setsid), else (`fallback`, e.g. a daemon re-parented to us as subreaper) by pid, or not at all.
 */
export function planSignals(
  table: readonly ProcEntry[],
  living: readonly ProcEntry[],
  roots: readonly TreeRoot[],
  fallback: string | undefined,
): SignalPlan {
  const byPid = new Map(table.map((entry) => [entry.pid, entry]));
  const rootOf = new Map(roots.map((root) => [root.pid, root]));
  const groups = new Map<number, TreeRoot>();
  const pids: { pid: number; signal: string }[] = [];
  for (const entry of living) {
    const group = rootOf.get(entry.pgid);
    if (group !== undefined) {
      groups.set(group.pid, group);
      continue;
    }
    const signal = ancestorRoot(entry, byPid, rootOf)?.signal ?? fallback;
    if (signal !== undefined) pids.push({ pid: entry.pid, signal });
  }
  return { groups: [...groups.values()], pids };
}

function ancestorRoot(
  entry: ProcEntry,
  byPid: ReadonlyMap<number, ProcEntry>,
  rootOf: ReadonlyMap<number, TreeRoot>,
): TreeRoot | undefined {
  const seen = new Set<number>();
  for (let pid = entry.ppid; pid > 1 && !seen.has(pid); pid = byPid.get(pid)?.ppid ?? 0) {
    seen.add(pid);
    const root = rootOf.get(pid);
    if (root !== undefined) return root;
  }
  return undefined;
}
