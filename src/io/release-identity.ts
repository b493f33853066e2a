import { createHash } from 'node:crypto';
import type { Release } from '../core/release.js';
import { identifyRelease, type ReleaseIdentity } from '../core/release-id.js';
import { readGitFacts } from './git-facts.js';

/**
 * A release's identity (docs/run.md#releases): its fingerprint with SHA-256 and its git
 * facts. `start` and `env --release` ask whether the tree is dirty (a `git status`); `run`
 * does not, to stay fast, and only loads this module when a `start` is there to compare with.
 */
export async function readReleaseIdentity(
  release: Release,
  {
    env,
    isDirtyWanted,
  }: { env: Readonly<Record<string, string | undefined>>; isDirtyWanted: boolean },
): Promise<ReleaseIdentity> {
  const git = await readGitFacts(release.root, { env, isDirtyWanted });
  return identifyRelease(release, { git, digest: sha256 });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
