/**
 * Why the system refused to start a process: spawn's errno code, as a value. Under `start`
 * this is never the program's own failure (a missing command is /bin/sh's exit 127): it is a
 * limit of the machine or of exec (docs/start.md).
 */
export type SpawnFailure = Readonly<{
  errno: string;
  /** What the system said, for an errno we do not know (a pseudo-terminal's spawn has none). */
  message?: string;
}>;

type Known = Readonly<{ reason: string; hint?: string; isShortage: boolean }>;

/** Shortages pass as processes end and free what they held: worth waiting for. */
const KNOWN: Readonly<Record<string, Known>> = {
  EMFILE: {
    reason: 'too many open files',
    hint: 'raise the limit (ulimit -n) or run fewer processes',
    isShortage: true,
  },
  ENFILE: { reason: 'too many open files on this machine', isShortage: true },
  EAGAIN: {
    reason: 'no more processes allowed',
    hint: 'raise the limit (ulimit -u, the container pids limit) or run fewer processes',
    isShortage: true,
  },
  ENOMEM: { reason: 'out of memory', isShortage: true },
  E2BIG: {
    reason: 'its command and environment are too large for exec',
    hint: 'exec allows a quarter of the stack limit (ulimit -s); set fewer or smaller variables',
    isShortage: false,
  },
  ENOENT: { reason: 'its folder or /bin/sh is missing', isShortage: false },
  EACCES: { reason: 'permission denied on its folder or /bin/sh', isShortage: false },
};

export function isShortage(failure: SpawnFailure): boolean {
  return KNOWN[failure.errno]?.isShortage ?? false;
}

/** `too many open files (EMFILE; raise the limit ...)`. */
export function describeSpawnFailure(failure: SpawnFailure): string {
  const known = KNOWN[failure.errno];
  if (known === undefined)
    return failure.message === undefined
      ? `spawn failed (${failure.errno})`
      : `spawn failed (${failure.errno}: ${failure.message})`;
  return `${known.reason} (${failure.errno}${known.hint === undefined ? '' : `; ${known.hint}`})`;
}

/** The failure of a spawn's error: its errno code, or its message when it has no code. */
export function spawnFailureOf(error: unknown): SpawnFailure {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return { errno: code };
  return { errno: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}
