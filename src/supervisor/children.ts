import type { ProcessSpec } from '../core/formation.js';
import type { Outcome } from '../core/outcome.js';
import type { ReadyProbe } from '../core/policy.js';
import type { TreeRoot } from '../core/process-tree.js';
import type { LingeredUntil } from '../core/events.js';
import { spawnFailureOf } from '../core/spawn-failure.js';
import type { SupervisorEvent } from '../core/supervision/state.js';
import type { Printer } from '../output/printer.js';
import type { Output } from '../output/output.js';
import { spawnChild, type ChildHandle, type SpawnRefused } from './child.js';
import { startProbe, type Probe } from './probe.js';
import type { PtyLauncher, TerminalSize } from './pty.js';
import type { Reaper } from './reaper.js';
import { livingInGroup, signalTrees, untilGroupEmpty } from './tree.js';

export type ChildrenOptions = Readonly<{
  cwd: string;
  output: Output;
  printer: Printer;
  reaper: Reaper | undefined;
  now: () => number;
  dispatch: (event: SupervisorEvent) => void;
  /** Told of each process as it starts and ends, so typed input can reach it. */
  inputs?: Readonly<{
    opened: (name: string, handle: ChildHandle) => void;
    closed: (name: string) => void;
  }>;
  terminals?: Terminals;
}>;

/** Which types run on a pseudo-terminal (`tty: true`), and how big it is. */
export type Terminals = Readonly<{
  launcher: PtyLauncher;
  isTty: (type: string) => boolean;
  sizeOf: (name: string) => TerminalSize;
}>;

type Running = { readonly handle: ChildHandle; readonly pid: number } & StopMarks;

/** What we did to an instance's group: what its end means (docs/signals.md). */
type StopMarks = {
  /** Sent a stop (its stop signal, or SIGKILL): its group must be gone before it has ended. */
  isStopping: boolean;
  isKilled: boolean;
  /** Its own process has ended; members of its group live on, and signals go to the group. */
  isLeaderGone: boolean;
};

/**
 * The processes of one supervise run: the running ones by instance name, every group we
 * created (a dead leader's group may live on: a stop still reaches it), and their readiness
 * probes. Spawns, exits and readiness come back as events.
 */
export class Children {
  private readonly options: ChildrenOptions;
  private readonly running = new Map<string, Running>();
  private readonly groups = new Set<number>();
  private readonly probes = new Map<string, Probe>();
  private isClosed = false;

  constructor(options: ChildrenOptions) {
    this.options = options;
  }

  spawn(spec: ProcessSpec): void {
    const { cwd, output, printer, reaper, now, dispatch } = this.options;
    const sink = output.forProcess(spec.name, spec.type);
    const write = (lines: readonly Buffer[]): void => {
      sink.write(lines);
      this.probes.get(spec.name)?.check(lines);
    };
    let pid = 0;
    const onExit = (outcome: Outcome): void => void this.ended(spec.name, pid, outcome);
    const terminals = this.options.terminals;
    const options = { spec, cwd, sink: { ...sink, write }, printer, onExit };
    const handle =
      terminals?.isTty(spec.type) === true
        ? terminals.launcher.spawn({ ...options, size: terminals.sizeOf(spec.name) })
        : spawnChild(options);
    if (handle instanceof Error || 'refused' in handle) return this.refused(spec.name, handle);
    pid = handle.pid;
    reaper?.track(pid);
    const marks = { isStopping: false, isKilled: false, isLeaderGone: false };
    this.running.set(spec.name, { handle, pid, ...marks });
    this.options.inputs?.opened(spec.name, handle);
    this.groups.add(pid);
    dispatch({ type: 'spawned', name: spec.name, pid, at: now() });
  }

  probe(spec: ProcessSpec, ready: ReadyProbe): void {
    const onReady = (): void => this.options.dispatch({ type: 'ready', name: spec.name });
    this.probes.set(spec.name, startProbe(ready, spec.port, onReady));
  }

  /** The instance's whole tree. */
  signalTree(name: string, signal: string): void {
    const target = this.running.get(name);
    if (target === undefined) return;
    this.mark([name], signal);
    // Its group outlives it, so its pid is still that group's id and cannot be reused yet.
    if (target.isLeaderGone) sendSignal(-target.pid, signal);
    else void signalTrees([{ pid: target.pid, signal }], undefined);
  }

  /** The instance's own process only. */
  signalProcess(name: string, signal: string): void {
    const target = this.running.get(name);
    if (target !== undefined && !target.isLeaderGone) sendSignal(target.pid, signal);
  }

  /** Every tree we started, each with its instance's signal (SIGTERM for ended ones). */
  stopTrees(signals: ReadonlyMap<string, string>): void {
    this.mark([...this.running.keys()], 'SIGTERM');
    void signalTrees(
      this.roots((name) => signals.get(name), 'SIGTERM'),
      'SIGTERM',
    );
  }

  /** SIGKILL to everything we started; resolves with how many processes that reached. */
  killTrees(): Promise<number> {
    this.mark([...this.running.keys()], 'SIGKILL');
    return signalTrees(
      this.roots(() => 'SIGKILL', 'SIGKILL'),
      'SIGKILL',
    );
  }

  hasChildren(): boolean {
    return this.running.size > 0;
  }

  /** Stop reading their output and probing them: the run is over. */
  close(): void {
    this.isClosed = true;
    for (const name of [...this.probes.keys()]) this.stopProbe(name);
    for (const { handle } of this.running.values()) handle.close();
  }

  /**
   * Its own process has ended. When we were stopping it and its group lives on (a shell that
   * died of SIGTERM, its app that did not), it has ended only once the group is gone: until
   * then it keeps its name, and grace and SIGKILL reach the group.
   */
  private async ended(name: string, pid: number, outcome: Outcome): Promise<void> {
    this.options.reaper?.untrack(pid);
    this.stopProbe(name);
    const target = this.running.get(name);
    const lingered = await livingInGroup(pid);
    let until: LingeredUntil = 'running';
    if (target?.pid === pid && target.isStopping && lingered !== undefined && lingered.length > 0) {
      target.isLeaderGone = true;
      await untilGroupEmpty(pid, () => this.isClosed);
      until = target.isKilled ? 'sigkill' : 'ended';
    }
    if (this.running.get(name)?.pid === pid) {
      this.running.delete(name);
      this.options.inputs?.closed(name);
    }
    const count = lingered?.length ?? 0;
    const at = this.options.now();
    const extra = count === 0 ? {} : { lingered: { count, until } };
    this.options.dispatch({ type: 'exited', name, outcome, at, ...extra });
  }

  /** The system did not start it (out of files, of processes...): why, as an event. */
  private refused(name: string, handle: Error | SpawnRefused): void {
    const { dispatch, now } = this.options;
    const failure =
      handle instanceof Error ? Promise.resolve(spawnFailureOf(handle)) : handle.refused;
    void failure.then((reason) =>
      dispatch({ type: 'spawn-failed', name, failure: reason, at: now() }),
    );
  }

  private mark(names: readonly string[], signal: string): void {
    for (const name of names) {
      const target = this.running.get(name);
      if (target === undefined) continue;
      target.isStopping = true;
      if (signal === 'SIGKILL') target.isKilled = true;
    }
  }

  private stopProbe(name: string): void {
    this.probes.get(name)?.stop();
    this.probes.delete(name);
  }

  /** Current processes with their signal, and the groups of ended ones with `fallback`. */
  private roots(signalOf: (name: string) => string | undefined, fallback: string): TreeRoot[] {
    const current = new Map([...this.running].map(([name, { pid }]) => [pid, signalOf(name)]));
    return [...this.groups].map((pid) => ({ pid, signal: current.get(pid) ?? fallback }));
  }
}

function sendSignal(target: number, signal: string): void {
  try {
    process.kill(target, signal);
  } catch {
    // it has just ended (ESRCH): its exit is on its way
  }
}
