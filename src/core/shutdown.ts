import type { StopCause, SystemEvent } from './events.js';
import { exitCodeOf, type Outcome } from './outcome.js';

/**
 * The supervisor's policy as a pure reducer: signal handlers and child exits only dispatch
 * events; the shell (supervisor/supervisor.ts) performs the actions returned here.
 *
 * Exit status (docs/exit-codes.md): the first process that ends on its own decides (its code,
 * or 128+n for signal n); a stop we were asked for by a signal ends 0 when every process
 * stopped within the grace period, 1 when one had to be killed; a closed stdout ends 141.
 */
export type Phase = 'running' | 'stopping' | 'killing' | 'done';

export type SupervisorState = Readonly<{
  phase: Phase;
  alive: readonly string[];
  isTreeEmpty: boolean;
  cause: StopCause | undefined;
  exitCode: number | undefined;
  isForced: boolean;
  graceMs: number;
}>;

export type SupervisorEvent =
  | {
      readonly type: 'started';
      readonly name: string;
      readonly pid: number;
      readonly port?: number;
    }
  | { readonly type: 'exited'; readonly name: string; readonly outcome: Outcome }
  | { readonly type: 'signal'; readonly signal: string }
  | { readonly type: 'output-lost' }
  | { readonly type: 'grace-expired' }
  | { readonly type: 'killed'; readonly count: number; readonly isEarly: boolean }
  | { readonly type: 'tree-empty' };

export type Action =
  | { readonly type: 'report'; readonly event: SystemEvent }
  | { readonly type: 'stop-trees'; readonly signal: 'SIGTERM' }
  | { readonly type: 'kill-trees'; readonly isEarly: boolean }
  | { readonly type: 'arm-grace'; readonly ms: number }
  | { readonly type: 'watch-tree' }
  | { readonly type: 'finish'; readonly code: number; readonly cause: StopCause };

export type Step = readonly [SupervisorState, readonly Action[]];

/** SIGPIPE's number: a closed stdout ends us as it ends any pipeline member. */
const OUTPUT_LOST_CODE = 128 + 13;

export function initialState(graceMs: number): SupervisorState {
  return {
    phase: 'running',
    alive: [],
    isTreeEmpty: false,
    cause: undefined,
    exitCode: undefined,
    isForced: false,
    graceMs,
  };
}

export function next(state: SupervisorState, event: SupervisorEvent): Step {
  if (state.phase === 'done') return [state, []];
  switch (event.type) {
    case 'started':
      return onStarted(state, event);
    case 'exited':
      return onExited(state, event.name, event.outcome);
    case 'signal':
      return state.phase === 'running'
        ? beginStop(state, { kind: 'signal', signal: event.signal }, undefined)
        : state.phase === 'stopping'
          ? [{ ...state, phase: 'killing' }, [{ type: 'kill-trees', isEarly: true }]]
          : [state, []];
    case 'output-lost':
      return state.phase === 'running'
        ? beginStop(state, { kind: 'output-lost' }, OUTPUT_LOST_CODE)
        : [state, []];
    case 'grace-expired':
      return state.phase === 'stopping'
        ? [{ ...state, phase: 'killing' }, [{ type: 'kill-trees', isEarly: false }]]
        : [state, []];
    case 'killed':
      return onKilled(state, event.count, event.isEarly);
    case 'tree-empty':
      return maybeFinish({ ...state, isTreeEmpty: true }, []);
  }
}

function onStarted(
  state: SupervisorState,
  event: { name: string; pid: number; port?: number },
): Step {
  const { name, pid, port } = event;
  const report: Action = {
    type: 'report',
    event: { event: 'started', process: name, pid, ...(port ? { port } : {}) },
  };
  return [{ ...state, alive: [...state.alive, name] }, [report]];
}

function onExited(state: SupervisorState, name: string, outcome: Outcome): Step {
  const alive = state.alive.filter((other) => other !== name);
  const report: Action = { type: 'report', event: { event: 'exited', process: name, outcome } };
  if (state.phase !== 'running') return maybeFinish({ ...state, alive }, [report]);
  const [stopping, actions] = beginStop(
    { ...state, alive },
    { kind: 'exit', process: name },
    exitCodeOf(outcome),
  );
  return [stopping, [report, ...actions]];
}

function beginStop(state: SupervisorState, cause: StopCause, exitCode: number | undefined): Step {
  const stopping: SupervisorState = { ...state, phase: 'stopping', cause, exitCode };
  const actions: Action[] = [
    { type: 'stop-trees', signal: 'SIGTERM' },
    { type: 'arm-grace', ms: state.graceMs },
    { type: 'watch-tree' },
  ];
  // The last process ending on its own leaves nothing to announce, only leftovers to sweep.
  const isQuiet = cause.kind === 'exit' && state.alive.length === 0;
  if (!isQuiet)
    actions.unshift({ type: 'report', event: { event: 'stopping', cause, signal: 'SIGTERM' } });
  return [stopping, actions];
}

function onKilled(state: SupervisorState, count: number, isEarly: boolean): Step {
  if (count === 0) return [state, []];
  const event: SystemEvent = { event: 'killing', count, graceMs: state.graceMs, isEarly };
  return [{ ...state, isForced: true }, [{ type: 'report', event }]];
}

function maybeFinish(state: SupervisorState, actions: readonly Action[]): Step {
  if (state.phase === 'running' || state.alive.length > 0 || !state.isTreeEmpty)
    return [state, actions];
  const code = state.exitCode ?? (state.isForced ? 1 : 0);
  const cause = state.cause ?? { kind: 'signal', signal: 'none' };
  return [{ ...state, phase: 'done' }, [...actions, { type: 'finish', code, cause }]];
}
