import { isUtf8 } from 'node:buffer';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { Origin } from '../core/release.js';
import { findInvalidUtf8 } from '../core/utf8.js';
import { ForemanError, InputError } from '../errors.js';

/** The `.foreman` setting that named a file: a problem with the file is reported at its line. */
export type NamedBy = Readonly<{ origin: Origin; key: string }>;

export type ReadOptions = Readonly<{
  /** The path as messages show it (see displayPath). */
  shown: string;
  /** The fix when the file was named on the command line or found by default. */
  hint: string;
  namedBy?: NamedBy | undefined;
}>;

/**
 * A file's text; failing to read it is one line saying what, which file, and the fix. Text
 * that is not UTF-8 is refused at its line: decoded, its bytes would become U+FFFD, and the
 * programs would get commands and values other than the file's.
 */
export function readText(path: string, options: ReadOptions): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw readError(error, options);
  }
  if (!isUtf8(bytes)) throw notUtf8(bytes, options.shown);
  return bytes.toString('utf8');
}

function notUtf8(bytes: Buffer, shown: string): InputError {
  const bad = findInvalidUtf8(bytes);
  const { line = 1, column = 1, byte = 0 } = bad ?? {};
  const problem = `a byte that is not UTF-8 (\\x${byte.toString(16).padStart(2, '0')}) at column ${column}`;
  return new InputError(shown, line, problem, 'save the file as UTF-8');
}

function readError(error: unknown, { shown, hint, namedBy }: ReadOptions): ForemanError {
  const { problem, fix } = describeReadError(error);
  if (namedBy === undefined) {
    return new ForemanError(`${shown}: ${problem}`, { cause: error, hint: fix ?? hint });
  }
  const { origin, key } = namedBy;
  const located = `"${key}": ${shown}: ${problem}`;
  return new InputError(origin.file, origin.line, located, fix ?? `fix "${key}" in ${origin.file}`);
}

type ReadProblem = Readonly<{ problem: string; fix?: string }>;

function describeReadError(error: unknown): ReadProblem {
  const { code, path } = error as NodeJS.ErrnoException;
  switch (code ?? '') {
    case 'ENOENT':
      return path === undefined ? { problem: 'no such file' } : describeMissing(path);
    case 'EACCES':
    case 'EPERM':
      return {
        problem: 'permission denied',
        fix: 'make it readable by the user running foreman-ts (chmod, chown), or run as its owner',
      };
    case 'ELOOP':
      return {
        problem: 'a loop of symlinks',
        fix: 'point the symlink at the real file, or remove it',
      };
    case 'EISDIR':
      return { problem: 'is a folder, not a file' };
    default:
      return { problem: `cannot read it (${code ?? String(error)})` };
  }
}

/** A missing file, or a symlink to one (which exists but leads nowhere). */
function describeMissing(path: string): ReadProblem {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() !== true) {
    return { problem: 'no such file' };
  }
  return {
    problem: `a symlink to ${readlinkSync(path)}, which does not exist`,
    fix: 'point the symlink at the real file, or remove it',
  };
}

/**
 * Whether something is at `path`, as far as reading it goes: a dangling symlink, or a file we
 * may not read, is there (reading it then says what is wrong); only a missing entry is not.
 */
export function isPresent(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/** Paths in messages: relative to where the user stands, when that is shorter. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
