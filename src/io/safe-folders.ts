import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { judgeEntry, judgeFolder, type Writer } from '../core/file-safety.js';
import { ForemanError } from '../errors.js';

/** 'sticky': others can add entries to the folder, so each entry we use must be ours. */
export type Trust = 'safe' | 'sticky';

/**
 * The folders of one export, checked from `/` down once each. Node has no openat(), so files
 * are written by path: that is safe only while no other user can change any folder on the
 * way, which is what this checks before the first byte is written.
 */
export type FolderWalk = Readonly<{
  /** The export folder as the user gave it, for errors. */
  dir: string;
  writer: Writer;
  /** The mode of a folder we create (never through the umask). */
  modeOf: (path: string) => number;
  checked: Map<string, Trust>;
}>;

/** Symlinks followed on the way to one folder, as the kernel allows (ELOOP past 40). */
const MAX_LINKS = 40;
const OPEN_FOLDER = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** The running process, whose folders (and root's) are trusted. */
export function currentWriter(): Writer {
  return { uid: process.geteuid?.() ?? -1, gid: process.getegid?.() ?? -1 };
}

/** Make `path` a folder that only we or root can change, creating what is missing. */
export async function ensureFolder(walk: FolderWalk, path: string, links = 0): Promise<Trust> {
  const known = walk.checked.get(path);
  if (known !== undefined) return known;
  const parent = dirname(path);
  const parentTrust = parent === path ? 'safe' : await ensureFolder(walk, parent, links);
  const trust = await visitFolder(walk, path, parentTrust, links);
  walk.checked.set(path, trust);
  return trust;
}

async function visitFolder(
  walk: FolderWalk,
  path: string,
  parentTrust: Trust,
  links: number,
): Promise<Trust> {
  const stat = await lstatIfAny(path);
  if (stat === undefined) return createFolder(walk, path, parentTrust, links);
  if (parentTrust === 'sticky') refuseIf(walk, path, judgeEntry(stat, walk.writer));
  if (stat.isSymbolicLink()) {
    if (links >= MAX_LINKS) throw refusal(walk, path, 'is a loop of symbolic links');
    // The link itself is trusted (above): where it leads is checked from / like any folder.
    return ensureFolder(walk, await realpath(path), links + 1);
  }
  if (!stat.isDirectory()) {
    throw refusal(walk, path, 'is a file, not a folder', 'move the file, or choose another DIR');
  }
  const trust = judgeFolder(stat, walk.writer);
  if (trust.kind === 'unsafe') throw refusal(walk, path, trust.problem);
  return trust.kind;
}

/** mkdir goes through the umask; the mode is then set on the folder we opened, not a path. */
async function createFolder(
  walk: FolderWalk,
  path: string,
  parentTrust: Trust,
  links: number,
): Promise<Trust> {
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    // Someone made it meanwhile: judge what is there now.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return visitFolder(walk, path, parentTrust, links);
    }
    throw error;
  }
  await setFolderMode(path, walk.modeOf(path));
  return 'safe';
}

export async function setFolderMode(path: string, mode: number): Promise<void> {
  const handle = await open(path, OPEN_FOLDER);
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

export async function lstatIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function refuseIf(walk: FolderWalk, path: string, problem: string | undefined): void {
  if (problem !== undefined) throw refusal(walk, path, problem);
}

/** "cannot write to DIR: it is writable by every user (mode 0777)", or names the folder. */
export function refusal(
  walk: FolderWalk,
  path: string,
  problem: string,
  hint = 'export to a folder that only you or root can change (chmod go-w, or choose another DIR)',
): ForemanError {
  const what = path === walk.dir ? 'it' : path;
  return new ForemanError(`cannot write to ${walk.dir}: ${what} ${problem}`, { hint });
}
