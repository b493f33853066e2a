import {
  countsOf,
  expandFormation,
  expandReleasePhase,
  formationOf,
  type Formation,
  type ProcessSpec,
} from './formation.js';
import { resolvePolicies, type Policies } from './policy.js';
import type { Release } from './release.js';

/** What `start` will run, decided from the release alone (docs/start.md, docs/run.md). */
export type StartPlan = Readonly<{
  /** The formation: `web.1 web.2 worker.1`, each with its PORT. */
  specs: readonly ProcessSpec[];
  /** The release phase's process (`release.1`), run first; none with `--no-release`. */
  releasePhase: ProcessSpec | undefined;
  policies: Policies;
  /** The formation as a count for every type: what the release phase gates, and rescales. */
  formation: Formation;
}>;

/** `only` are the process types named on the command line (`start web worker`). */
export function planStart(release: Release, { only }: { only: readonly string[] }): StartPlan {
  const { settings } = release;
  const policies = resolvePolicies({
    types: release.procfile?.entries.map((entry) => entry.name) ?? [],
    drafts: release.policies,
    canDie: settings.canDie,
    restart: settings.restart,
    isReadyChecked: settings.ready ?? true,
  });
  const specs = expandFormation(release, { formation: formationOf(release), only });
  return {
    specs,
    releasePhase: settings.release === false ? undefined : expandReleasePhase(release),
    policies,
    formation: countsOf(release, specs),
  };
}
