import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { folderModeFor, judgeEntry } from '../core/file-safety.js';
import { ForemanError } from '../errors.js';
import {
  currentWriter,
  ensureFolder,
  lstatIfAny,
  refuseIf,
  setFolderMode,
  type FolderWalk,
} from './safe-folders.js';

/**
 * One entry to put under the export folder (export/'s ExportFile has this shape; io/ does not
 * import export/). `path` is relative to the export folder; folders on the way are made as
 * needed.
 * - `kind: 'file'` (the default): `content` in a file of `mode` (default 0644, exactly: the
 *   umask does not apply), created new with O_EXCL|O_NOFOLLOW, its mode set on the open
 *   descriptor, then renamed over the old one, so readers never see half a file.
 * - `kind: 'folder'`: a folder of `mode` (also applied if it exists); `content` is ignored.
 *   Without an entry, a folder we create is 0700 when everything in it is private (mode
 *   xx00, e.g. an env folder) and 0755 otherwise.
 * - `kind: 'symlink'`: a symbolic link to `content` (relative to the link, or absolute),
 *   replacing what is there; `mode` is ignored.
 */
export type FileToWrite = Readonly<{
  path: string;
  content: string;
  mode?: number;
  kind?: 'file' | 'folder' | 'symlink';
}>;

const DEFAULT_MODE = 0o644;
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Write rendered entries under `dir`. Refuses, before writing any file, a folder on the way
 * that another user can change: they could swap a file for a symlink to one of ours between
 * two steps (docs/security.md). Returns the paths written.
 */
export async function writeFiles(dir: string, files: readonly FileToWrite[]): Promise<string[]> {
  const root = resolve(dir);
  const entries = files.map((file) => ({ ...file, path: safeRelative(file.path) }));
  const walk = folderWalk(root, entries);
  const paths = entries.map((entry) => join(root, entry.path));
  await ensureFolder(walk, root).catch(rethrowFor(root));
  for (const path of paths) await ensureFolder(walk, dirname(path)).catch(rethrowFor(path));
  for (const [index, entry] of entries.entries()) {
    const path = paths[index] ?? root;
    await writeEntry(walk, path, entry).catch(rethrowFor(path));
  }
  return paths;
}

/** Renderers return relative paths; anything else is a bug, caught before a byte is written. */
function safeRelative(path: string): string {
  const clean = normalize(path);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) {
    throw new Error(`refusing to write outside the export folder: ${path}`);
  }
  return clean;
}

function folderWalk(root: string, entries: readonly FileToWrite[]): FolderWalk {
  const files = entries
    .filter((entry) => entry.kind !== 'folder')
    .map((entry) => ({ path: entry.path, mode: entry.mode ?? DEFAULT_MODE }));
  const folders = new Map(
    entries.flatMap(({ kind, path, mode }) =>
      kind === 'folder' && mode !== undefined ? [[join(root, path), mode] as const] : [],
    ),
  );
  const modeOf = (path: string): number => {
    const inside = relative(root, path);
    const folder = inside.startsWith('..') ? '' : inside;
    return folders.get(path) ?? folderModeFor(folder, files);
  };
  return { dir: root, writer: currentWriter(), modeOf, checked: new Map() };
}

async function writeEntry(walk: FolderWalk, path: string, entry: FileToWrite): Promise<void> {
  if (entry.kind === 'folder') {
    await ensureFolder(walk, path);
    if (entry.mode !== undefined) await setFolderMode(path, entry.mode);
    return;
  }
  const trust = await ensureFolder(walk, dirname(path));
  // In a sticky folder another user's entry cannot be replaced, and must not be.
  const existing = trust === 'sticky' ? await lstatIfAny(path) : undefined;
  if (existing !== undefined) refuseIf(walk, path, judgeEntry(existing, walk.writer));
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  if (entry.kind === 'symlink') await symlink(entry.content, temp);
  else await createFile(temp, entry.content, entry.mode ?? DEFAULT_MODE);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** A new file (never an existing one, never through a symlink), its mode set on the descriptor. */
async function createFile(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(path, CREATE_NEW, 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(mode);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
}

function rethrowFor(path: string): (error: unknown) => never {
  return (error) => {
    throw toUserError(error, path);
  };
}

function toUserError(error: unknown, path: string): ForemanError {
  if (error instanceof ForemanError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const problem =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a file is in the way of a folder'
        : code === 'EISDIR' || code === 'ENOTEMPTY'
          ? 'a folder is in the way'
          : (code ?? 'cannot write');
  return new ForemanError(`cannot write ${path}: ${problem}`, {
    cause: error,
    hint: 'choose another DIR, or check its permissions (sudo for system folders)',
  });
}
