import { resolveTargets, type ControlCommand } from '../control.js';
import {
  expandInstance,
  isFormationProblem,
  RELEASE_TYPE,
  tryParseFormation,
} from '../formation.js';
import { policyOf } from '../policy.js';
import { startFresh, startWaiting } from './instances.js';
import { beginStop } from './stop.js';
import { armTimer, cancelTimer } from './timers.js';
import {
  ALIVE,
  instanceOf,
  newInstance,
  removeInstance,
  report,
  statusOf,
  update,
  type Action,
  type Instance,
  type Step,
  type SupervisorState,
} from './state.js';

/** Requests from `foreman-ts status/stop/restart/scale/quit`, each answered with a reply action. */
export function onControl(
  state: SupervisorState,
  id: number,
  command: ControlCommand,
  at: number,
): Step {
  switch (command.cmd) {
    case 'status':
      return [state, [{ type: 'reply', id, result: statusOf(state, at) }]];
    case 'quit': {
      const [stopping, actions] = beginStop(state, { kind: 'quit' }, undefined);
      return [
        stopping,
        [
          { type: 'reply', id, result: { kind: 'done', message: 'stopping everything' } },
          ...actions,
        ],
      ];
    }
    case 'stop':
    case 'restart':
      return onTargets(state, id, command.cmd, command.targets);
    case 'scale':
      return onScale(state, id, command.formation);
  }
}

function onTargets(
  state: SupervisorState,
  id: number,
  cmd: 'stop' | 'restart',
  targets: readonly string[],
): Step {
  const names = state.instances.map((instance) => instance.spec.name);
  const { matched, unknown } = resolveTargets(targets, names);
  if (unknown.length > 0 || matched.length === 0) {
    const error = `unknown process ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}`;
    return [state, [{ type: 'reply', id, result: { error, hint: `known: ${names.join(', ')}` } }]];
  }
  let after = state;
  const actions: Action[] = [report({ event: 'control', action: cmd, targets: matched })];
  for (const name of matched) {
    const [next, more] =
      cmd === 'stop' ? stopInstance(after, name, 'stay-stopped') : restartInstance(after, name);
    after = next;
    actions.push(...more);
  }
  const message = `${cmd === 'stop' ? 'stopping' : 'restarting'} ${matched.join(', ')}`;
  return [after, [...actions, { type: 'reply', id, result: { kind: 'done', message } }]];
}

export function stopInstance(
  state: SupervisorState,
  name: string,
  afterStop: 'stay-stopped' | 'remove',
): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (instance.status === 'stopping') return [update(state, name, { afterStop }), []];
  if (!ALIVE.has(instance.status)) {
    const cancel = [cancelTimer('backoff', name)];
    if (afterStop === 'remove') return [removeInstance(state, name), cancel];
    return [update(state, name, { status: 'stopped' }), cancel];
  }
  const signal = policyOf(state.policies, instance.spec.type).stopSignal;
  return [
    update(state, name, { status: 'stopping', afterStop }),
    [
      cancelTimer('ready', name),
      { type: 'signal-instance', name, signal },
      armTimer('stop', name, state.graceMs),
    ],
  ];
}

export function restartInstance(state: SupervisorState, name: string): Step {
  const instance = instanceOf(state, name);
  if (instance === undefined) return [state, []];
  if (ALIVE.has(instance.status)) {
    const [stopping, actions] = stopInstance(state, name, 'stay-stopped');
    return [update(stopping, name, { afterStop: 'restart' }), actions];
  }
  const [started, spawn] = startFresh(state, instance);
  return [started, [cancelTimer('backoff', name), ...spawn]];
}

/** A live formation change: new instances take their ports by the same slot rule. */
function onScale(state: SupervisorState, id: number, text: string): Step {
  const counts = tryParseFormation(text);
  if (isFormationProblem(counts))
    return [state, [{ type: 'reply', id, result: { error: counts.problem } }]];
  const types = (state.release.procfile?.entries ?? [])
    .map((entry) => entry.name)
    .filter((name) => name !== RELEASE_TYPE);
  const unknown = [...counts.keys()].filter((type) => !types.includes(type));
  if (unknown.length > 0) {
    const error = `unknown process type ${unknown.map((name) => `"${name}"`).join(', ')}`;
    return [state, [{ type: 'reply', id, result: { error, hint: `known: ${types.join(', ')}` } }]];
  }
  let after = state;
  const actions: Action[] = [report({ event: 'control', action: 'scale', targets: [text] })];
  for (const [type, count] of counts) {
    const [next, more] = scaleType(after, type, count);
    after = next;
    actions.push(...more);
  }
  const [started, spawns] = startWaiting(after, actions);
  return [
    started,
    [...spawns, { type: 'reply', id, result: { kind: 'done', message: `scaled to ${text}` } }],
  ];
}

function scaleType(state: SupervisorState, type: string, count: number): Step {
  const mine = state.instances.filter((instance) => instance.spec.type === type);
  if (mine.length > count) {
    let after = state;
    const actions: Action[] = [];
    for (const instance of [...mine]
      .sort((a, b) => b.spec.instance - a.spec.instance)
      .slice(0, mine.length - count)) {
      const [next, more] = stopInstance(after, instance.spec.name, 'remove');
      after = next;
      actions.push(...more);
    }
    return [after, actions];
  }
  const taken = new Set(mine.map((instance) => instance.spec.instance));
  const added: Instance[] = [];
  for (let number = 1; taken.size + added.length < count; number++) {
    if (!taken.has(number)) added.push(newInstance(expandInstance(state.release, type, number)));
  }
  return [{ ...state, instances: [...state.instances, ...added] }, []];
}
