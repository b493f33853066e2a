/**
 * Whose folders `export` may write into, and the modes of the folders it makes. Root exports
 * into folders other users can reach: anyone who can change a folder on the way to a file can
 * swap what we write for a symlink to something of root's (docs/security.md).
 */

/** The writing process: its effective uid and gid. */
export type Writer = Readonly<{ uid: number; gid: number }>;
/** What lstat says of a folder or an entry. */
export type Entry = Readonly<{ uid: number; gid: number; mode: number }>;

export type FolderTrust =
  /** Only we (or root) can add, remove or rename entries. */
  | { readonly kind: 'safe' }
  /** Others can add entries but not touch ours: each entry we use must be ours (or root's). */
  | { readonly kind: 'sticky' }
  | { readonly kind: 'unsafe'; readonly problem: string };

const ROOT_UID = 0;
const OTHER_WRITE = 0o002;
const GROUP_WRITE = 0o020;
const STICKY = 0o1000;

/**
 * A folder is unsafe when another user owns it (they can always chmod it), or when others can
 * write it without the sticky bit. Our own primary group counts as us: systems that give each
 * user a private group make home folders 0775.
 */
export function judgeFolder(folder: Entry, writer: Writer): FolderTrust {
  if (!hasPosixIds(writer)) return { kind: 'safe' };
  const ownerProblem = judgeEntry(folder, writer);
  if (ownerProblem !== undefined) return { kind: 'unsafe', problem: ownerProblem };
  const mode = `(mode ${formatMode(folder.mode)})`;
  if ((folder.mode & OTHER_WRITE) !== 0) {
    if ((folder.mode & STICKY) !== 0) return { kind: 'sticky' };
    return { kind: 'unsafe', problem: `is writable by every user ${mode}` };
  }
  if ((folder.mode & GROUP_WRITE) !== 0 && folder.gid !== writer.gid) {
    if ((folder.mode & STICKY) !== 0) return { kind: 'sticky' };
    return { kind: 'unsafe', problem: `is writable by group ${folder.gid} ${mode}` };
  }
  return { kind: 'safe' };
}

/**
 * An entry another user owns is theirs to replace: we never write through it. Problems read
 * after the entry's name ("/srv/x belongs to uid 1000").
 */
export function judgeEntry(entry: Entry, writer: Writer): string | undefined {
  if (!hasPosixIds(writer)) return undefined;
  if (entry.uid === writer.uid || entry.uid === ROOT_UID) return undefined;
  return `belongs to uid ${entry.uid}`;
}

/** Windows has no uids or POSIX modes to judge (Node reports -1 for our ids there). */
function hasPosixIds(writer: Writer): boolean {
  return writer.uid >= 0;
}

export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

export const FOLDER_MODE = 0o755;
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * The mode of a folder we create, whatever the umask: 0700 when everything written below it is
 * private (an env folder of 0600 files), 0755 otherwise. `files` are paths relative to the
 * export folder, with their modes; `folder` is relative too ('' for the export folder).
 */
export function folderModeFor(
  folder: string,
  files: readonly Readonly<{ path: string; mode: number }>[],
): number {
  const prefix = folder === '' ? '' : `${folder}/`;
  const below = files.filter((file) => file.path.startsWith(prefix));
  const isPrivate = below.length > 0 && below.every((file) => (file.mode & 0o077) === 0);
  return isPrivate ? PRIVATE_FOLDER_MODE : FOLDER_MODE;
}
