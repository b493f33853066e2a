import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { Origin } from '../core/release.js';
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

/** A file's text; failing to read it is one line saying what, which file, and the fix. */
export function readText(path: string, options: ReadOptions): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw readError(error, options);
  }
}

function readError(error: unknown, { shown, hint, namedBy }: ReadOptions): ForemanError {
  const problem = describeReadError(error);
  if (namedBy === undefined)
    return new ForemanError(`${shown}: ${problem}`, { cause: error, hint });
  const { origin, key } = namedBy;
  const fix = `fix "${key}" in ${origin.file}`;
  return new InputError(origin.file, origin.line, `"${key}": ${shown}: ${problem}`, fix);
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return code ?? 'cannot read';
}

/** Paths in messages: relative to where the user stands, when that is shorter. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
