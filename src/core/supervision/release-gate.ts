import {
  isFormationProblem,
  resolveLiveScale,
  tryParseFormation,
  type Formation,
} from '../formation.js';
import { report, type Step, type SupervisorState } from './state.js';

/**
 * Control requests while the release phase runs (docs/run.md): the formation must not start
 * before the release has exited 0. A `scale` is checked and remembered for the formation;
 * `stop` and `restart` have nothing of the formation to act on yet.
 */
export function refuseWhileReleasing(state: SupervisorState, id: number): Step {
  const error = `${releaseRunning(state)}; try again when it has finished`;
  const hint = 'a scale is remembered for the formation; "foreman-ts quit" stops the release';
  return [state, [{ type: 'reply', id, result: { error, hint } }]];
}

function releaseRunning(state: SupervisorState): string {
  const names = state.instances.map((instance) => instance.spec.name).join(', ');
  return `the release phase is running (${names})`;
}

export function rescaleWhileReleasing(state: SupervisorState, id: number, text: string): Step {
  const gated = state.gatedFormation ?? new Map<string, number>();
  const scale = tryParseFormation(text);
  const counts = isFormationProblem(scale) ? scale : resolveLiveScale(state.release, gated, scale);
  if (isFormationProblem(counts)) {
    return [state, [{ type: 'reply', id, result: { error: counts.problem, hint: counts.hint } }]];
  }
  const message = `${releaseRunning(state)}: the formation will start at ${formatCounts(counts)} once it exits 0`;
  return [
    { ...state, gatedFormation: counts },
    [
      report({ event: 'control', action: 'scale', targets: [text] }),
      { type: 'reply', id, result: { kind: 'done', message } },
    ],
  ];
}

function formatCounts(counts: Formation): string {
  return [...counts].map(([type, count]) => `${type}=${count}`).join(',');
}
