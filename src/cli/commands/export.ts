import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formationOf } from '../../core/formation.js';
import { findRenderer, logFolderOf, renderExport } from '../../export/index.js';
import { planExport } from '../../export/plan.js';
import { ForemanError } from '../../errors.js';
import { loadRelease } from '../../io/load-release.js';
import { displayPath } from '../../io/read-file.js';
import { writeFiles } from '../../io/write-files.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/**
 * `foreman-ts export FORMAT [DIR]`: read the release, decide what to run (the same formation,
 * ports and env `start` would use), render it for FORMAT and write the files to DIR (default:
 * ./FORMAT). Exporting never runs the app.
 */
export async function execute(
  invocation: Extract<Invocation, { command: 'export' }>,
  io: Io,
): Promise<number> {
  findRenderer(invocation.format); // an unknown format fails before any file is read
  const { command, flags } = invocation;
  const release = await loadRelease({ cwd: io.cwd, env: io.env, command, flags });
  const plan = planExport({
    release,
    formation: formationOf(release),
    fileEnv: [...release.envOrigins].map(([key, origin]) => ({ key, origin })),
    run: invocation.flags.run,
    procfileLabel: release.procfile ? displayPath(release.procfile.path, io.cwd) : undefined,
  });
  const files = renderExport(invocation.format, plan);
  const dir = resolve(io.cwd, invocation.dir ?? invocation.format);
  const logs = logFolderOf(invocation.format, plan);
  if (logs !== undefined) await makeLogFolder(logs);
  const written = await writeFiles(dir, files);
  const shown = written.map((path) => `wrote ${displayPath(path, io.cwd)}\n`);
  io.stdout.write(shown.join(''));
  return 0;
}

async function makeLogFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o755 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'failed';
    throw new ForemanError(`cannot make the log folder ${path}: ${code}`, {
      cause: error,
      hint: 'choose another -l, or check its permissions (sudo for system folders)',
    });
  }
}
