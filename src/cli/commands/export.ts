import { resolve } from 'node:path';
import { parseDotenv } from '../../core/dotenv.js';
import { parseFormation } from '../../core/formation.js';
import type { Release } from '../../core/release.js';
import { findRenderer, renderExport } from '../../export/index.js';
import { planExport, type Origin } from '../../export/plan.js';
import { displayPath, loadRelease, readText } from '../../io/load-release.js';
import { writeFiles } from '../../io/write-files.js';
import { flagsFromEnv, type Invocation } from '../args.js';
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
  const release = await loadRelease({
    cwd: io.cwd,
    inherited: io.env,
    flags: invocation.flags,
    envFlags: flagsFromEnv(io.env, 'export'),
    needsProcfile: true,
  });
  const { formation } = release.settings;
  const plan = planExport({
    release,
    formation: formation === undefined ? undefined : parseFormation(formation),
    fileEnv: readFileKeys(release, io.cwd),
    run: invocation.flags.run,
  });
  const files = renderExport(invocation.format, plan);
  const dir = resolve(io.cwd, invocation.dir ?? invocation.format);
  const written = await writeFiles(dir, files);
  const shown = written.map((path) => `wrote ${displayPath(path, io.cwd)}\n`);
  io.stdout.write(shown.join(''));
  return 0;
}

/**
 * The keys the env files set, in order, each with the line that set it last. Only these are
 * exported (docs/export.md): the exporting shell's own variables stay out of the units.
 */
function readFileKeys(release: Release, cwd: string): { key: string; origin: Origin }[] {
  const origins = new Map<string, Origin>();
  for (const path of release.envFiles) {
    const file = displayPath(path, cwd);
    for (const entry of parseDotenv(readText(path, 'check -e/--env', file), file)) {
      origins.set(entry.key, { file, line: entry.line });
    }
  }
  return [...origins].map(([key, origin]) => ({ key, origin }));
}
