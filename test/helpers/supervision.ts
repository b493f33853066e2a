import type { PolicyDraft } from '../../src/core/policy.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { planStart } from '../../src/core/start-plan.js';
import { next } from '../../src/core/supervision/next.js';
import {
  initialState,
  type Action,
  type SupervisorEvent,
  type SupervisorState,
} from '../../src/core/supervision/state.js';

/** The pid the reducer is told is its own. */
export const SUPERVISOR_PID = 4242;

/**
 * A supervisor state for a Procfile, before boot, as the start command makes it: with a
 * `release:` type, the release phase's run.
 */
export function setup(
  procfile = 'web: w\nworker: k\n',
  {
    drafts = [],
    formation,
    canDie,
    restart,
    port,
  }: {
    drafts?: PolicyDraft[];
    formation?: string;
    canDie?: string[];
    restart?: string[];
    port?: number;
  } = {},
): SupervisorState {
  const release = resolveRelease({
    root: '/app',
    procfile: { path: 'Procfile', entries: parseProcfile(procfile, 'Procfile') },
    envFiles: [],
    inherited: {},
    settings: { formation, canDie, restart, port },
    policies: drafts,
  });
  const { specs, policies, releasePhase, formation: counts } = planStart(release, { only: [] });
  const { graceMs } = release;
  if (releasePhase === undefined)
    return initialState({ pid: SUPERVISOR_PID, specs, policies, release, graceMs });
  // As start runs it: the release phase alone, gating the formation.
  const gatedFormation = counts;
  return initialState({
    pid: SUPERVISOR_PID,
    specs: [releasePhase],
    policies,
    release,
    graceMs,
    gatedFormation,
  });
}

/** Feed events to the reducer; every action it returned, in order. */
export function run(state: SupervisorState, events: readonly SupervisorEvent[]) {
  const actions: Action[] = [];
  for (const event of events) {
    const [after, produced] = next(state, event);
    state = after;
    actions.push(...produced);
  }
  return { state, actions };
}
