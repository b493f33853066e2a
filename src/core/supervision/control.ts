import { resolveTargets, type ControlCommand } from '../control.js';
import { isAdminCommand, onAdminCommand } from './admin.js';
import { refuseWhileReleasing, rescaleWhileReleasing } from './release-gate.js';
import { onScale } from './scale.js';
import { beginStop } from './stop.js';
import { restartInstance, stopInstance } from './stop-one.js';
import {
  doneWith,
  fold,
  instanceOf,
  report,
  statusOf,
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
  if (isAdminCommand(command)) return onAdminCommand(state, id, command);
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
      if (state.gatedFormation !== undefined) return refuseWhileReleasing(state, id);
      return onTargets(state, id, command.cmd, command.targets);
    case 'scale':
      if (state.gatedFormation !== undefined)
        return rescaleWhileReleasing(state, id, command.formation);
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
  const admins = matched.filter((name) => instanceOf(state, name)?.admin !== undefined);
  if (cmd === 'restart' && admins.length > 0) {
    const error = `${admins.join(', ')}: an admin process runs once and is never restarted`;
    const hint = 'run it again with "foreman-ts run --detach ..."';
    return [state, [{ type: 'reply', id, result: { error, hint } }]];
  }
  const [after, actions] = fold(state, matched, (current, name) =>
    cmd === 'stop' ? stopInstance(current, name, 'stay-stopped') : restartInstance(current, name),
  );
  const requested = report({ event: 'control', action: cmd, targets: matched });
  const message = `${cmd === 'stop' ? 'stopping' : 'restarting'} ${matched.join(', ')}`;
  const result = cmd === 'stop' ? { kind: 'done' as const, message } : doneWith(state, message);
  return [after, [requested, ...actions, { type: 'reply', id, result }]];
}
