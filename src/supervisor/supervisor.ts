import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlCommand, ControlResult } from '../core/control.js';
import type { StopCause } from '../core/events.js';
import type { ProcessSpec } from '../core/formation.js';
import type { Outcome } from '../core/outcome.js';
import { policyOf, type Policies } from '../core/policy.js';
import type { Release } from '../core/release.js';
import { next } from '../core/supervision/next.js';
import {
  initialState,
  type Action,
  type SupervisorEvent,
  type SupervisorState,
} from '../core/supervision/state.js';
import type { Printer } from '../output/printer.js';
import type { Output } from '../output/output.js';
import type { SignalSource } from '../signals.js';
import { spawnChild, type ChildHandle } from './child.js';
import { startProbe, type Probe } from './probe.js';
import type { Reaper } from './reaper.js';
import { livingDescendants, signalTrees } from './tree.js';

export type SuperviseResult = Readonly<{ code: number; cause: StopCause }>;

export type ControlReplyBody = ControlResult | { error: string; hint?: string };
/** Requests from the control socket, answered through `respond`. */
export type ControlHandler = (
  command: ControlCommand,
  respond: (body: ControlReplyBody) => void,
) => void;
export type ControlChannel = Readonly<{ serve: (handler: ControlHandler) => () => void }>;

const WATCH_INTERVAL_MS = 50;
/** After SIGKILL, a process still alive this long is stuck in the kernel: stop waiting for it. */
const KILL_WAIT_MS = 3000;

type Running = Readonly<{ handle: ChildHandle; pid: number }>;

/**
 * Run processes until the policy in core/supervision.ts says we are done: turn exits,
 * readiness, timers, signals and control requests into events, and perform the actions the
 * reducer returns. Events are queued, so each step's actions run before the next event.
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
    policies,
    release,
    control,
  }: {
    cwd: string;
    output: Output;
    printer: Printer;
    signals: SignalSource;
    graceMs: number;
    reaper: Reaper | undefined;
    policies: Policies;
    release: Release;
    control: ControlChannel | undefined;
  },
): Promise<SuperviseResult> {
  return new Promise((resolve) => {
    let state: SupervisorState = initialState({ specs, policies, release, graceMs });
    const running = new Map<string, Running>();
    /** Every group we created, for the final sweep: a dead leader's group may live on. */
    const groups = new Map<number, string>();
    const timers = new Map<string, NodeJS.Timeout>();
    const probes = new Map<string, Probe>();
    const replies = new Map<number, (body: ControlReplyBody) => void>();
    const queue: SupervisorEvent[] = [];
    let isBusy = false;
    let nextRequest = 1;
    let killDeadline = Number.POSITIVE_INFINITY;

    const dispatch = (event: SupervisorEvent): void => {
      queue.push(event);
      if (isBusy) return;
      isBusy = true;
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const [after, actions] = next(state, item);
        state = after;
        for (const action of actions) perform(action);
      }
      isBusy = false;
    };

    const perform = (action: Action): void => {
      switch (action.type) {
        case 'report':
          return output.event(action.event);
        case 'spawn':
          return spawn(action.spec);
        case 'probe':
          return probe(action.spec);
        case 'signal-instance': {
          const target = running.get(action.name);
          if (target !== undefined)
            void signalTrees([{ pid: target.pid, signal: action.signal }], undefined);
          return;
        }
        case 'signal-process': {
          const target = running.get(action.name);
          if (target !== undefined) sendSignal(target.pid, action.signal);
          return;
        }
        case 'stop-trees':
          return void signalTrees(
            roots((name) => action.signals.get(name) ?? 'SIGTERM'),
            'SIGTERM',
          );
        case 'kill-trees':
          killDeadline = Date.now() + KILL_WAIT_MS;
          return void signalTrees(
            roots(() => 'SIGKILL'),
            'SIGKILL',
          ).then((count) => dispatch({ type: 'killed', count, isEarly: action.isEarly }));
        case 'arm-timer':
          clearTimeout(timers.get(action.key));
          timers.set(
            action.key,
            setTimeout(() => (timers.delete(action.key), dispatch(action.event)), action.ms),
          );
          return;
        case 'cancel-timer':
          clearTimeout(timers.get(action.key));
          timers.delete(action.key);
          return;
        case 'watch-tree':
          return void watch();
        case 'reply':
          replies.get(action.id)?.(action.result);
          replies.delete(action.id);
          return;
        case 'finish':
          return finish(action.code, action.cause);
      }
    };

    /** Current processes with their signal, and the groups of ended ones with SIGTERM. */
    const roots = (signalOf: (name: string) => string) => {
      const current = new Map([...running].map(([name, { pid }]) => [pid, signalOf(name)]));
      return [...groups.keys()].map((pid) => ({ pid, signal: current.get(pid) ?? signalOf('') }));
    };

    const spawn = (spec: ProcessSpec): void => {
      const sink = output.forProcess(spec.name, spec.type);
      let pid = 0;
      const onExit = (outcome: Outcome): void => {
        reaper?.untrack(pid);
        if (running.get(spec.name)?.pid === pid) running.delete(spec.name);
        probes.get(spec.name)?.stop();
        probes.delete(spec.name);
        dispatch({ type: 'exited', name: spec.name, outcome, at: Date.now() });
      };
      const write = (lines: readonly Buffer[]): void => {
        sink.write(lines);
        probes.get(spec.name)?.check(lines);
      };
      const handle = spawnChild({ spec, cwd, sink: { write }, printer, onExit });
      if (handle instanceof Error) {
        output.event({
          event: 'warning',
          message: `${spec.name} could not start: ${handle.message}`,
        });
        const outcome: Outcome = { kind: 'failed-to-start', reason: 'not-found' };
        return dispatch({ type: 'exited', name: spec.name, outcome, at: Date.now() });
      }
      pid = handle.pid;
      reaper?.track(pid);
      running.set(spec.name, { handle, pid });
      groups.set(pid, spec.name);
      dispatch({ type: 'spawned', name: spec.name, pid, at: Date.now() });
    };

    const probe = (spec: ProcessSpec): void => {
      const { ready } = policyOf(policies, spec.type);
      if (ready === undefined) return;
      probes.set(
        spec.name,
        startProbe(ready, spec.port, () => dispatch({ type: 'ready', name: spec.name })),
      );
    };

    /** Poll /proc until no descendant is alive: only then is the stop complete (docs/signals.md). */
    let isWatching = false;
    const watch = async (): Promise<void> => {
      if (isWatching) return;
      isWatching = true;
      while (state.phase !== 'done') {
        const living = await livingDescendants();
        const isEmpty = living === undefined ? running.size === 0 : living.length === 0;
        const isStuck = !isEmpty && Date.now() > killDeadline;
        if (isStuck)
          output.event({ event: 'stuck', pids: (living ?? []).map((entry) => entry.pid) });
        if (isEmpty || isStuck) return dispatch({ type: 'tree-empty' });
        await sleep(WATCH_INTERVAL_MS);
      }
    };

    const unsubscribe = signals.subscribe((signal) => dispatch({ type: 'signal', signal }));
    const stopServing = control?.serve((command, respond) => {
      const id = nextRequest++;
      replies.set(id, respond);
      dispatch({ type: 'control', id, command, at: Date.now() });
    });
    printer.whenLost((error) => dispatch({ type: 'output-lost', error }));

    const finish = (code: number, cause: StopCause): void => {
      for (const timer of timers.values()) clearTimeout(timer);
      for (const each of probes.values()) each.stop();
      unsubscribe();
      stopServing?.();
      for (const { handle } of running.values()) handle.close();
      resolve({ code, cause });
    };

    dispatch({ type: 'boot' });
  });
}

function sendSignal(pid: number, signal: string): void {
  try {
    process.kill(pid, signal);
  } catch {
    // it has just ended (ESRCH): its exit is on its way
  }
}
