import { expandFormation, formationOf } from '../../core/formation.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';
import { loadReleaseFor } from '../load.js';

/** Validate everything `start` would read; main lists every problem found, one per line. */
export async function execute(
  invocation: Extract<Invocation, { command: 'check' }>,
  io: Io,
): Promise<number> {
  const release = await loadReleaseFor(invocation, io, { needsProcfile: true });
  expandFormation(release, {
    formation: formationOf(release),
  });
  const names = release.procfile?.entries.map((entry) => entry.name) ?? [];
  io.stdout.write(`valid procfile detected (${names.join(', ')})\n`);
  return 0;
}
