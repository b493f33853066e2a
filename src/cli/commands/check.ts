import { expandFormation, parseFormation } from '../../core/formation.js';
import { loadRelease } from '../../io/load-release.js';
import { flagsFromEnv, type Invocation } from '../args.js';
import type { Io } from '../io.js';

/** Validate everything `start` would read; main lists every problem found, one per line. */
export async function execute(
  invocation: Extract<Invocation, { command: 'check' }>,
  io: Io,
): Promise<number> {
  const release = await loadRelease({
    cwd: io.cwd,
    inherited: io.env,
    flags: invocation.flags,
    envFlags: flagsFromEnv(io.env, 'check'),
    needsProcfile: true,
  });
  const { formation } = release.settings;
  expandFormation(release, {
    formation: formation === undefined ? undefined : parseFormation(formation),
  });
  const names = release.procfile?.entries.map((entry) => entry.name) ?? [];
  io.stdout.write(`valid procfile detected (${names.join(', ')})\n`);
  return 0;
}
