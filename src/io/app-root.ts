import { lstatSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';

/** What marks an app's root: its Procfile, or a `.foreman` (which may name another Procfile). */
const MARKERS = ['Procfile', '.foreman'] as const;

/**
 * The app's root as seen from `cwd`: the nearest folder, from `cwd` up, that holds a Procfile
 * or a `.foreman`, as git finds `.git` (docs/procfile.md). The search never crosses into
 * another user's folder: it ends at the first folder or marker owned by someone other than
 * the owner of `cwd` (a Procfile planted in a shared `/tmp` or `/home` is never picked up),
 * and at the filesystem root. In the app's own folder it costs two `lstat` calls; two or three more per folder climbed.
 */
export function findAppRoot(cwd: string): string | undefined {
  const owner = statOf(cwd)?.uid;
  for (let folder = cwd; owner !== undefined; folder = dirname(folder)) {
    if (folder !== cwd && statOf(folder)?.uid !== owner) return undefined;
    const marker = findMarker(folder);
    if (marker !== undefined) return marker.uid === owner ? folder : undefined;
    if (dirname(folder) === folder) return undefined;
  }
  return undefined;
}

function findMarker(folder: string): Stats | undefined {
  for (const name of MARKERS) {
    const marker = statOf(join(folder, name));
    if (marker !== undefined) return marker;
  }
  return undefined;
}

/**
 * `lstat`, so that a dangling Procfile symlink still marks its folder (and reading it then
 * says what is wrong); a folder we may not look into ends the search like a missing one.
 */
function statOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (isSearchEnd(error)) return undefined;
    throw error;
  }
}

function isSearchEnd(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'ELOOP';
}
