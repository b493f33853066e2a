import {
  expandInstance,
  isFormationProblem,
  resolveLiveScale,
  tryParseFormation,
} from '../formation.js';
import { stopInstance } from './stop-one.js';
import { startWaiting } from './instances.js';
import {
  doneWith,
  fold,
  newInstance,
  report,
  update,
  type Action,
  type Instance,
  type Step,
  type SupervisorState,
} from './state.js';

/**
 * A live formation change (docs/control.md), with the limits of `-m`: anything out of them is
 * answered as an error and changes nothing. New instances take their ports by the slot rule.
 */
export function onScale(state: SupervisorState, id: number, text: string): Step {
  const scale = tryParseFormation(text);
  const counts = isFormationProblem(scale)
    ? scale
    : resolveLiveScale(state.release, countsOf(state), scale);
  if (isFormationProblem(counts)) {
    return [state, [{ type: 'reply', id, result: { error: counts.problem, hint: counts.hint } }]];
  }
  const [scaled, actions] = fold(state, counts, (after, [type, count]) =>
    scaleType(after, type, count),
  );
  const requested = report({ event: 'control', action: 'scale', targets: [text] });
  const [started, spawns] = startWaiting(scaled, [requested, ...actions]);
  const done: Action = {
    type: 'reply',
    id,
    result: doneWith(state, `scaled to ${text}`),
  };
  return [started, [...spawns, done]];
}

/** How many instances each type has, not counting those on their way out. */
export function countsOf(state: SupervisorState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const instance of state.instances) {
    if (instance.afterStop === 'remove') continue;
    counts.set(instance.spec.type, (counts.get(instance.spec.type) ?? 0) + 1);
  }
  return counts;
}

function scaleType(state: SupervisorState, type: string, count: number): Step {
  const mine = state.instances.filter((instance) => instance.spec.type === type);
  const staying = mine.filter((instance) => instance.afterStop !== 'remove');
  if (staying.length <= count) return [grow(state, type, mine, count - staying.length), []];
  const surplus = [...staying]
    .sort((a, b) => b.spec.instance - a.spec.instance)
    .slice(0, staying.length - count);
  return fold(state, surplus, (after, instance) =>
    stopInstance(after, instance.spec.name, 'remove'),
  );
}

/**
 * `missing` more instances of a type: first those still stopping on their way out (they start
 * again once stopped), then new ones with the lowest free numbers.
 */
function grow(
  state: SupervisorState,
  type: string,
  mine: readonly Instance[],
  missing: number,
): SupervisorState {
  const leaving = mine
    .filter((instance) => instance.afterStop === 'remove')
    .sort((a, b) => a.spec.instance - b.spec.instance)
    .slice(0, missing);
  let after = state;
  for (const instance of leaving)
    after = update(after, instance.spec.name, { afterStop: 'restart' });
  const taken = new Set(mine.map((instance) => instance.spec.instance));
  const added: Instance[] = [];
  for (let number = 1; leaving.length + added.length < missing; number++) {
    if (!taken.has(number)) added.push(newInstance(expandInstance(state.release, type, number)));
  }
  return { ...after, instances: [...after.instances, ...added] };
}
