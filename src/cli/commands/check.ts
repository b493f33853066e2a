import { expandFormation, formationOf } from '../../core/formation.js';
import { loadRelease } from '../../io/load-release.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/** Validate everything `start` would read; main lists every problem found, one per line. */
export async function execute(
  invocation: Extract<Invocation, { command: 'check' }>,
  io: Io,
): Promise<number> {
  const { command, flags } = invocation;
  const release = await loadRelease({ cwd: io.cwd, env: io.env, command, flags });
  expandFormation(release, {
    formation: formationOf(release),
  });
  const names = release.procfile?.entries.map((entry) => entry.name) ?? [];
  io.stdout.write(`valid procfile detected (${names.join(', ')})\nroot: ${release.root}\n`);
  return 0;
}
