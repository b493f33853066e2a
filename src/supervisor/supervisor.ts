import type { ControlAnswer, ControlChannel } from '../core/control.js';
import type { StopCause } from '../core/events.js';
import type { Formation, ProcessSpec } from '../core/formation.js';
import { policyOf, type Policies } from '../core/policy.js';
import type { Release } from '../core/release.js';
import type { ReleaseIdentity } from '../core/release-id.js';
import { next } from '../core/supervision/next.js';
import { initialState, type Action, type SupervisorEvent } from '../core/supervision/state.js';
import type { Printer } from '../output/printer.js';
import type { Output } from '../output/output.js';
import type { SignalSource } from '../signals.js';
import type { ChildHandle } from './child.js';
import { Children, type Terminals } from './children.js';
import type { Reaper } from './reaper.js';
import { createReplies, type Replies } from './replies.js';
import { createTimers, type Timers } from './timers.js';
import { createTreeWatch, type TreeWatch } from './tree-watch.js';

export type SuperviseResult = Readonly<{
  code: number;
  cause: StopCause;
  /** The release phase's run: the formation it gated, as last scaled. */
  gatedFormation: Formation | undefined;
  /** Admin processes numbered so far: the next run goes on from here. */
  runs: number;
}>;

/** Who may type into processes (the terminal of `start`): told as each one starts and ends. */
export type InputHooks = Readonly<{
  opened: (name: string, handle: ChildHandle) => void;
  closed: (name: string) => void;
  /** Input for `name` from elsewhere (an attach client), about to reach it. */
  typed?: (name: string, data: Buffer) => void;
}>;

export type SuperviseOptions = Readonly<{
  cwd: string;
  output: Output;
  printer: Printer;
  signals: SignalSource;
  graceMs: number;
  reaper: Reaper | undefined;
  policies: Policies;
  release: Release;
  identity: ReleaseIdentity | undefined;
  /** Admin processes numbered by an earlier run of this start (the release phase's). */
  runs?: number;
  control: ControlChannel | undefined;
  /** The clock, in ms: event times, uptimes, the wait after SIGKILL. */
  now: () => number;
  inputs?: InputHooks;
  /** Types with `tty: true`, when the pseudo-terminal library loaded. */
  terminals?: Terminals;
  /** Given for the release phase: the formation it gates (control requests wait for it). */
  gatedFormation?: Formation | undefined;
}>;

/**
 * Run processes until the reducer (core/supervision/) says we are done: turn exits, readiness,
 * timers, signals and control requests into events, and perform the actions it returns.
 */
export function supervise(
  specs: readonly ProcessSpec[],
  options: SuperviseOptions,
): Promise<SuperviseResult> {
  return new Promise((resolve) => {
    const { policies, release, identity, runs, graceMs, gatedFormation } = options;
    const pid = process.pid;
    let state = initialState({
      ...{ pid, specs, policies, release, identity, runs },
      ...{ graceMs, gatedFormation },
    });
    const dispatch = queued((event) => {
      const [after, actions] = next(state, event);
      state = after;
      for (const action of actions) perform(action);
    });
    const owners = createOwners(options, dispatch);
    const subscriptions: (() => void)[] = [];
    const finish = (result: SuperviseResult): void => {
      owners.timers.clear();
      owners.watch.stop();
      owners.children.close();
      for (const unsubscribe of subscriptions) unsubscribe();
      resolve(result);
    };
    const table = performers({ ...owners, options, dispatch, finish });
    // Each handler takes its own action type; TypeScript cannot pair them through the index.
    const perform = (action: Action): void => (table[action.type] as (a: Action) => void)(action);
    subscribe({ options, replies: owners.replies, dispatch, stops: subscriptions });
    dispatch({ type: 'boot' });
  });
}

/** Signals, control requests and a lost stdout become events; `stops` gets what ends each. */
function subscribe({
  options: { signals, control, printer, now },
  replies,
  dispatch,
  stops,
}: {
  options: SuperviseOptions;
  replies: Replies<ControlAnswer>;
  dispatch: (event: SupervisorEvent) => void;
  stops: (() => void)[];
}): void {
  stops.push(signals.subscribe((signal) => dispatch({ type: 'signal', signal })));
  const stopServing = control?.serve((command, respond) => {
    dispatch({ type: 'control', id: replies.add(respond), command, at: now() });
  });
  if (stopServing !== undefined) stops.push(stopServing);
  printer.whenLost((error) => dispatch({ type: 'output-lost', error }));
}

/** Events queue up, so each step's actions are all performed before the next event. */
function queued(handle: (event: SupervisorEvent) => void): (event: SupervisorEvent) => void {
  const queue: SupervisorEvent[] = [];
  let isBusy = false;
  return (event) => {
    queue.push(event);
    if (isBusy) return;
    isBusy = true;
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) handle(item);
    isBusy = false;
  };
}

type Owners = Readonly<{
  children: Children;
  timers: Timers;
  replies: Replies<ControlAnswer>;
  watch: TreeWatch;
}>;

function createOwners(
  { cwd, output, printer, reaper, now, inputs, terminals }: SuperviseOptions,
  dispatch: (event: SupervisorEvent) => void,
): Owners {
  const children = new Children({
    cwd,
    output,
    printer,
    reaper,
    now,
    dispatch,
    inputs,
    terminals,
  });
  const watch = createTreeWatch({
    now,
    hasChildren: () => children.hasChildren(),
    onEmpty: () => dispatch({ type: 'tree-empty' }),
    onStuck: (pids) => dispatch({ type: 'stuck', pids }),
  });
  return { children, timers: createTimers(), replies: createReplies(), watch };
}

type Performers = {
  readonly [K in Action['type']]: (action: Extract<Action, { type: K }>) => void;
};

/** One small handler per action the reducer can return. */
function performers({
  children,
  timers,
  replies,
  watch,
  options,
  dispatch,
  finish,
}: Owners & {
  options: SuperviseOptions;
  dispatch: (event: SupervisorEvent) => void;
  finish: (result: SuperviseResult) => void;
}): Performers {
  return {
    report: ({ event }) => options.output.event(event),
    spawn: ({ spec }) => children.spawn(spec),
    probe: ({ spec }) => {
      const { ready } = policyOf(options.policies, spec.type);
      if (ready !== undefined) children.probe(spec, ready);
    },
    'signal-instance': ({ name, signal }) => children.signalTree(name, signal),
    'signal-process': ({ name, signal }) => children.signalProcess(name, signal),
    'stop-trees': ({ signals }) => children.stopTrees(signals),
    'kill-trees': ({ isEarly }) => {
      watch.startKillWait();
      void children.killTrees().then((count) => dispatch({ type: 'killed', count, isEarly }));
    },
    'arm-timer': ({ key, ms, event }) => timers.arm(key, ms, () => dispatch(event)),
    'cancel-timer': ({ key }) => timers.cancel(key),
    'watch-tree': () => watch.start(),
    reply: ({ id, result }) => replies.send(id, result),
    finish: ({ code, cause, gatedFormation, runs }) =>
      finish({ code, cause, gatedFormation, runs }),
  };
}
