import { setTimeout as sleep } from 'node:timers/promises';
import type { StopCause } from '../core/events.js';
import type { ProcessSpec } from '../core/formation.js';
import type { Outcome } from '../core/outcome.js';
import {
  initialState,
  next,
  type Action,
  type SupervisorEvent,
  type SupervisorState,
} from '../core/shutdown.js';
import type { Printer } from '../output/printer.js';
import type { Output } from '../output/text.js';
import type { SignalSource } from '../signals.js';
import { spawnChild, type ChildHandle } from './child.js';
import type { Reaper } from './reaper.js';
import { livingDescendants, signalTree } from './tree.js';

export type SuperviseResult = Readonly<{ code: number; cause: StopCause }>;

const WATCH_INTERVAL_MS = 50;
/** After SIGKILL, a process still alive this long is stuck in the kernel: stop waiting for it. */
const KILL_WAIT_MS = 3000;

/**
 * Run processes until the policy in core/shutdown.ts says we are done: spawn them, turn
 * exits, signals and timers into events, and perform the actions the reducer returns.
 */
export function supervise(
  specs: readonly ProcessSpec[],
  {
    cwd,
    output,
    printer,
    signals,
    graceMs,
    reaper,
  }: {
    cwd: string;
    output: Output;
    printer: Printer;
    signals: SignalSource;
    graceMs: number;
    reaper: Reaper | undefined;
  },
): Promise<SuperviseResult> {
  return new Promise((resolve) => {
    let state: SupervisorState = initialState(graceMs);
    const children: ChildHandle[] = [];
    const groups = new Set<number>();
    let graceTimer: NodeJS.Timeout | undefined;
    let killDeadline = Number.POSITIVE_INFINITY;
    let isWatching = false;

    const dispatch = (event: SupervisorEvent): void => {
      const [after, actions] = next(state, event);
      state = after;
      for (const action of actions) perform(action);
    };

    const perform = (action: Action): void => {
      switch (action.type) {
        case 'report':
          return output.event(action.event);
        case 'stop-trees':
          return void signalTree(action.signal, groups);
        case 'kill-trees':
          killDeadline = Date.now() + KILL_WAIT_MS;
          return void signalTree('SIGKILL', groups).then((count) =>
            dispatch({ type: 'killed', count, isEarly: action.isEarly }),
          );
        case 'arm-grace':
          graceTimer = setTimeout(() => dispatch({ type: 'grace-expired' }), action.ms);
          return;
        case 'watch-tree':
          return void watch();
        case 'finish':
          clearTimeout(graceTimer);
          unsubscribe();
          for (const child of children) child.close();
          return resolve({ code: action.code, cause: action.cause });
      }
    };

    /** Poll /proc until no descendant is alive: only then is the stop complete (R5, R8). */
    const watch = async (): Promise<void> => {
      if (isWatching) return;
      isWatching = true;
      while (state.phase !== 'done') {
        const living = await livingDescendants();
        const isEmpty = living === undefined ? children.length === 0 : living.length === 0;
        if (!isEmpty && Date.now() > killDeadline) {
          output.event({ event: 'stuck', pids: (living ?? []).map((entry) => entry.pid) });
        }
        if (isEmpty || Date.now() > killDeadline) return dispatch({ type: 'tree-empty' });
        await sleep(WATCH_INTERVAL_MS);
      }
    };

    const unsubscribe = signals.subscribe((signal) => dispatch({ type: 'signal', signal }));
    printer.whenLost(() => dispatch({ type: 'output-lost' }));
    for (const spec of specs) {
      if (state.phase !== 'running') break;
      const sink = output.forProcess(spec.name, spec.type);
      let pid = 0;
      const onExit = (outcome: Outcome): void => {
        reaper?.untrack(pid);
        dispatch({ type: 'exited', name: spec.name, outcome });
      };
      const handle = spawnChild({ spec, cwd, sink, printer, onExit });
      if (handle instanceof Error) {
        output.event({
          event: 'warning',
          message: `${spec.name} could not start: ${handle.message}`,
        });
        dispatch({ type: 'started', name: spec.name, pid: 0 });
        dispatch({
          type: 'exited',
          name: spec.name,
          outcome: { kind: 'failed-to-start', reason: 'not-found' },
        });
        continue;
      }
      pid = handle.pid;
      reaper?.track(pid);
      children.push(handle);
      groups.add(handle.pid);
      dispatch({ type: 'started', name: spec.name, pid: handle.pid, port: spec.port });
    }
  });
}
