import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ForemanError } from '../errors.js';

/** A rendered file (export/'s ExportFile has this shape; io/ does not import export/). */
export type FileToWrite = Readonly<{ path: string; content: string; mode?: number }>;

const DEFAULT_MODE = 0o644;

/**
 * Write rendered files under `dir`: folders as needed, each file through a temp file and a
 * rename, so a reader never sees half a unit, and with its mode set exactly (not through the
 * umask), so env files are 0600 from their first byte.
 */
export async function writeFiles(dir: string, files: readonly FileToWrite[]): Promise<string[]> {
  const paths = files.map((file) => join(dir, safeRelative(file.path)));
  for (const [index, file] of files.entries()) {
    await writeOne(paths[index] ?? '', file.content, file.mode ?? DEFAULT_MODE);
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

async function writeOne(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  let isTempCreated = false;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
    isTempCreated = true;
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    if (isTempCreated) await rm(temp, { force: true });
    throw toUserError(error, path);
  }
}

function toUserError(error: unknown, path: string): ForemanError {
  const code = (error as NodeJS.ErrnoException).code;
  const problem =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a file is in the way of a folder'
        : code === 'EISDIR'
          ? 'a folder is in the way'
          : (code ?? 'cannot write');
  return new ForemanError(`cannot write ${path}: ${problem}`, {
    cause: error,
    hint: 'choose another DIR, or check its permissions (sudo for system folders)',
  });
}
