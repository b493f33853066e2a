/**
 * Where a root's control socket lives, and when a folder or socket there can be trusted
 * (docs/control.md, docs/security.md). Pure: the shell (io/control-place.ts) stats the paths
 * and hands the facts in; `start` and every client apply the same rules. The folder that
 * holds ours is judged as export judges its folders (file-safety.ts): whoever may rename
 * entries in it could swap our folder for theirs between our check and our use.
 */

/** What `lstat` (or `stat`, for a folder we may reach through a link) says of a path. */
export type PathFacts = Readonly<{
  type: 'directory' | 'socket' | 'symlink' | 'other';
  uid: number;
  gid: number;
  mode: number;
}>;

/** A Unix socket path is at most 107 bytes; Node silently cuts a longer one (elsewhere). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Our folder in `runtimeDir`, and one socket per app root (the first 16 hex of its digest). */
export function controlPaths({
  root,
  runtimeDir,
  uid,
  digest,
}: {
  root: string;
  runtimeDir: string;
  uid: number;
  digest: (text: string) => string;
}): { dir: string; socket: string } {
  const dir = `${runtimeDir.replace(/\/+$/, '')}/foreman-ts-${uid}`;
  return { dir, socket: `${dir}/${digest(root).slice(0, 16)}.sock` };
}

/** Our folder: ours, a real folder (not a link), closed to everyone else. */
export function problemWithFolder(facts: PathFacts, uid: number): string | undefined {
  if (facts.type === 'symlink') return 'is a symbolic link';
  if (facts.type !== 'directory') return 'is not a folder';
  if (facts.uid !== uid) return ownerProblem(facts, uid);
  if ((facts.mode & 0o077) !== 0) return `is open to others (mode ${modeOf(facts)})`;
  return undefined;
}

/** The socket itself: in a folder of ours only we (or root) can put one, but check anyway. */
export function problemWithSocket(facts: PathFacts, uid: number): string | undefined {
  if (facts.type !== 'socket') return 'is not a socket';
  if (facts.uid !== uid) return ownerProblem(facts, uid);
  return undefined;
}

/**
 * A folder that may serve as the runtime folder when XDG_RUNTIME_DIR is unset
 * (/run/user/<uid>, $HOME): ours, and no one else may write to it.
 */
export function isPrivateBase(facts: PathFacts | undefined, uid: number): boolean {
  return facts?.type === 'directory' && facts.uid === uid && (facts.mode & 0o022) === 0;
}

export function problemWithSocketPath(socket: string): string | undefined {
  const bytes = new TextEncoder().encode(socket).length;
  if (bytes <= MAX_SOCKET_PATH_BYTES) return undefined;
  return `socket path ${socket} is ${bytes} bytes long; a Unix socket path can have at most ${MAX_SOCKET_PATH_BYTES}`;
}

function ownerProblem(facts: PathFacts, uid: number): string {
  return `belongs to uid ${facts.uid}, not to us (uid ${uid})`;
}

function modeOf(facts: PathFacts): string {
  return `0${(facts.mode & 0o7777).toString(8)}`;
}
