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
import { UsageError } from '../errors.js';

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
  const types = release.procfile?.entries.map((entry) => entry.name) ?? [];
  checkTypeNames('--can-die', settings.canDie, types);
  checkTypeNames('--restart', settings.restart, types);
  const policies = resolvePolicies({
    types,
    drafts: release.policies,
    canDie: settings.canDie,
    restart: settings.restart,
    tty: settings.tty,
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

/** `--can-die`/`--restart` name process types or `all`: a name not in the Procfile is a typo. */
function checkTypeNames(flag: string, names: readonly string[] = [], types: readonly string[]) {
  const unknown = names.find((name) => name !== 'all' && !types.includes(name));
  if (unknown === undefined) return;
  throw new UsageError(
    `${flag}: unknown process type "${unknown}"`,
    `known: ${types.join(', ')}, all`,
  );
}
