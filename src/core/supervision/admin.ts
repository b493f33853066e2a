import { ADMIN_TYPE, expandAdmin } from '../admin.js';
import type { AdminRun, ControlCommand } from '../control.js';
import { adminFacts, reported } from './admin-instances.js';
import { startWaiting } from './instances.js';
import {
  instanceOf,
  newInstance,
  report,
  type Action,
  type Instance,
  type Step,
  type SupervisorState,
} from './state.js';

/**
 * Admin processes beside the formation (docs/run.md): `run` reports itself (numbered `run.N`
 * per start, announced in the log stream), and `run --detach` asks the formation to run one.
 * A detached one is supervised like the formation's processes but never restarted, and its
 * exit, whatever its code, never ends the formation.
 */
export type AdminCommand = Extract<ControlCommand, { cmd: `run-${string}` }>;

export function isAdminCommand(command: ControlCommand): command is AdminCommand {
  return command.cmd.startsWith('run-');
}

export function onAdminCommand(state: SupervisorState, id: number, command: AdminCommand): Step {
  const done = (message = ''): Action => ({ type: 'reply', id, result: { kind: 'done', message } });
  switch (command.cmd) {
    case 'run-begin':
      return beginRun(state, id);
    case 'run-started':
      return [state, [report(reported('run-started', command.run, command.pid)), done()]];
    case 'run-exited': {
      const { run, pid, outcome, durationMs } = command;
      const exited = { ...reported('run-exited', run, pid), outcome, durationMs };
      return [state, [report(exited), done()]];
    }
    case 'run-refused':
      return [state, [report({ event: 'run-refused', ...adminFacts(command.run) }), done()]];
    case 'run-detach':
      return detach(state, id, command.run, command.command);
  }
}

function beginRun(state: SupervisorState, id: number): Step {
  if (state.identity === undefined) {
    return [state, [{ type: 'reply', id, result: { error: 'this start has no release id' } }]];
  }
  let runs = state.runs + 1;
  while (instanceOf(state, `${ADMIN_TYPE}.${runs}`) !== undefined) runs++;
  const result = {
    kind: 'run-begin' as const,
    name: `${ADMIN_TYPE}.${runs}`,
    release: state.identity,
  };
  return [{ ...state, runs }, [{ type: 'reply', id, result }]];
}

function detach(
  state: SupervisorState,
  id: number,
  run: AdminRun,
  command: readonly string[],
): Step {
  const refuse = (error: string, hint?: string): Step => [
    state,
    [{ type: 'reply', id, result: hint === undefined ? { error } : { error, hint } }],
  ];
  if (state.gatedFormation !== undefined)
    return refuse('the release phase is running; try again when the formation has started');
  if (state.release.procfile?.entries.some((entry) => entry.name === ADMIN_TYPE))
    return refuse(
      `the Procfile has a process type named "${ADMIN_TYPE}", whose instances take the names of admin processes`,
      `rename that type to run --detach here, or use "foreman-ts run" without --detach`,
    );
  if (instanceOf(state, run.name) !== undefined) return refuse(`${run.name} is already taken`);
  const release = state.identity?.id ?? run.release;
  const spec = expandAdmin(state.release, { name: run.name, command });
  const instance: Instance = { ...newInstance(spec), admin: { ...run, release } };
  const added = { ...state, instances: [...state.instances, instance] };
  const reply: Action = { type: 'reply', id, result: { kind: 'done', message: run.name } };
  const [started, spawns] = startWaiting(added, []);
  return [started, [...spawns, reply]];
}
