import type { ProcessSpec } from '../core/formation.js';
import type { Outcome } from '../core/outcome.js';
import type { ReadyProbe } from '../core/policy.js';
import type { TreeRoot } from '../core/process-tree.js';
import type { SupervisorEvent } from '../core/supervision/state.js';
import type { Printer } from '../output/printer.js';
import type { Output } from '../output/output.js';
import { spawnChild, type ChildHandle } from './child.js';
import { startProbe, type Probe } from './probe.js';
import type { Reaper } from './reaper.js';
import { signalTrees } from './tree.js';

export type ChildrenOptions = Readonly<{
  cwd: string;
  output: Output;
  printer: Printer;
  reaper: Reaper | undefined;
  now: () => number;
  dispatch: (event: SupervisorEvent) => void;
}>;

type Running = Readonly<{ handle: ChildHandle; pid: number }>;

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
    const onExit = (outcome: Outcome): void => this.ended(spec.name, pid, outcome);
    const handle = spawnChild({ spec, cwd, sink: { write }, printer, onExit });
    if (handle instanceof Error) {
      output.event({
        event: 'warning',
        message: `${spec.name} could not start: ${handle.message}`,
      });
      const outcome: Outcome = { kind: 'failed-to-start', reason: 'not-found' };
      return dispatch({ type: 'exited', name: spec.name, outcome, at: now() });
    }
    pid = handle.pid;
    reaper?.track(pid);
    this.running.set(spec.name, { handle, pid });
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
    if (target !== undefined) void signalTrees([{ pid: target.pid, signal }], undefined);
  }

  /** The instance's own process only. */
  signalProcess(name: string, signal: string): void {
    const target = this.running.get(name);
    if (target === undefined) return;
    try {
      process.kill(target.pid, signal);
    } catch {
      // it has just ended (ESRCH): its exit is on its way
    }
  }

  /** Every tree we started, each with its instance's signal (SIGTERM for ended ones). */
  stopTrees(signals: ReadonlyMap<string, string>): void {
    void signalTrees(
      this.roots((name) => signals.get(name), 'SIGTERM'),
      'SIGTERM',
    );
  }

  /** SIGKILL to everything we started; resolves with how many processes that reached. */
  killTrees(): Promise<number> {
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
    for (const name of [...this.probes.keys()]) this.stopProbe(name);
    for (const { handle } of this.running.values()) handle.close();
  }

  private ended(name: string, pid: number, outcome: Outcome): void {
    this.options.reaper?.untrack(pid);
    if (this.running.get(name)?.pid === pid) this.running.delete(name);
    this.stopProbe(name);
    this.options.dispatch({ type: 'exited', name, outcome, at: this.options.now() });
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
