import { InputError, UsageError } from '../errors.js';
import { allProcesses, type ExportFile, type ExportPlan } from './plan.js';

/** The longest file name Linux and macOS file systems take (NAME_MAX), in bytes. */
export const NAME_MAX = 255;

/**
 * Every name an export would write, checked before a byte is written: a name too long for the
 * file system used to fail half-way with ENAMETOOLONG, leaving a partial export. A name made
 * from a process type points at that type's Procfile line. (systemd unit names have the same
 * limit, 255 characters.)
 */
export function checkFileNames(plan: ExportPlan, files: readonly ExportFile[]): void {
  for (const { path } of files) {
    for (const name of path.split('/')) {
      const bytes = new TextEncoder().encode(name).length;
      if (bytes > NAME_MAX) refuseName(plan, name, bytes);
    }
  }
}

function refuseName(plan: ExportPlan, name: string, bytes: number): never {
  const shown = `${name.slice(0, 40)}...`;
  const problem = `the file name "${shown}" would be ${bytes} bytes; file systems take ${NAME_MAX}`;
  const process = allProcesses(plan).find(({ type }) => name.includes(type));
  if (process?.origin !== undefined) {
    const { file, line } = process.origin;
    throw new InputError(
      file,
      line,
      `process type "${process.type.slice(0, 40)}...": ${problem}`,
      'use a shorter process type',
    );
  }
  throw new UsageError(problem, 'use a shorter app name (-a)');
}
