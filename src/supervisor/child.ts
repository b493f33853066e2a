import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { RELEASE_TYPE, type ProcessSpec } from '../core/formation.js';
import { outcomeOf, type Outcome } from '../core/outcome.js';
import { wrapCommand } from '../core/shell.js';
import { spawnFailureOf, type SpawnFailure } from '../core/spawn-failure.js';
import type { Printer } from '../output/printer.js';
import type { ProcessSink } from '../output/output.js';
import { relayLines, shareSource } from './line-relay.js';

/** How long an exit waits for the rest of its output before it is reported. */
export const DRAIN_AFTER_EXIT_MS = 250;

export type ChildHandle = Readonly<{
  pid: number;
  /** Stop reading, and close its stdin: a descendant that escaped us may hold the pipe open. */
  close: () => void;
  /**
   * Typed input for it (docs/interactive.md); dropped if it has no stdin any more. `written`
   * is called once the bytes are handed on, so a sender can wait instead of piling them up.
   */
  write: (data: string | Buffer, written?: () => void) => void;
  /** Its raw output, as read, for an attach stream. */
  tap: (listener: (chunk: Buffer) => void) => () => void;
  /** Stop reading its output until released (a slow attach client). */
  hold: () => () => void;
  /** Ctrl-C from an attach client: SIGINT to its process group. */
  interrupt: () => void;
  /** Its prompt, held back while it waited, now answered. */
  takePartial: () => Buffer | undefined;
  /** Its unfinished last line (a prompt) as it stands, left in place. */
  peekPartial: () => Buffer | undefined;
  /** On a pseudo-terminal (`tty: true`): it echoes what it reads, and has a size. */
  isTerminal: boolean;
  resize?: (columns: number, rows: number) => void;
}>;

/** The system did not start it; why, soon (docs/start.md). */
export type SpawnRefused = Readonly<{ refused: Promise<SpawnFailure> }>;

/**
 * Start one process: `/bin/sh -c` in its own session and process group (detached), stdout and
 * stderr on one pipe that we split into lines. Its stdin is a pipe we hold open and never
 * write to unless input is routed to it: watchers such as `esbuild --watch` stop on EOF, and
 * /dev/null is EOF at once (docs/interactive.md). Our end is close-on-exec, so no other child
 * inherits it, and it closes when we stop or die: EOF then tells the tree we are gone. The
 * release phase alone gets /dev/null, as on Heroku: a deploy step that prompts must fail, not
 * wait forever.
 * `onExit` fires once, with the direct child's outcome, after its remaining output was read
 * (or a short wait).
 */
export function spawnChild({
  spec,
  cwd,
  sink,
  printer,
  onExit,
}: {
  spec: ProcessSpec;
  cwd: string;
  sink: ProcessSink;
  printer: Printer;
  onExit: (outcome: Outcome) => void;
}): ChildHandle | SpawnRefused {
  const child = launch(spec, cwd);
  if ('refused' in child) return child;
  const { pid, stdin, stdout } = child;
  // Never so (launch gives a pid, stdout is a pipe), but the types cannot tell.
  if (pid === undefined || stdout === null)
    return { refused: Promise.resolve({ errno: 'UNKNOWN' }) };
  // A process that ended, or closed its stdin, makes our writes fail (EPIPE): not our failure.
  stdin?.on('error', () => stdin.destroy());
  const source = shareSource({
    onData: (listener) => stdout.on('data', listener),
    onEnd: (listener) => stdout.once('close', listener),
    pause: () => stdout.pause(),
    resume: () => stdout.resume(),
    isPaused: () => stdout.isPaused(),
  });
  const relay = relayLines({ source, sink, printer, isTerminal: false });
  stdout.on('error', () => stdout.destroy());
  child.once('exit', (code, signal) => {
    stdin?.destroy(); // a restarted process gets a new pipe: do not keep the old one open
    const outcome = outcomeOf(code, signal, constants.signals);
    // Cleared once the output has ended, so a finished run does not wait on this timer.
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)));
    void Promise.race([relay.ended, wait]).then(() => {
      clearTimeout(timer);
      onExit(outcome);
    });
  });
  return handleOf(pid, { stdin, stdout }, source, relay);
}

/** `/bin/sh -c` in its own session, or why the system refused to start it. */
function launch(spec: ProcessSpec, cwd: string): ChildProcess | SpawnRefused {
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', wrapCommand(spec.command)], {
      cwd,
      env: spec.env,
      detached: true,
      stdio: [spec.type === RELEASE_TYPE ? 'ignore' : 'pipe', 'pipe', 'ignore'],
    });
  } catch (error) {
    // Node throws E2BIG (argv and env past the kernel's limit) instead of emitting 'error'.
    return { refused: Promise.resolve(spawnFailureOf(error)) };
  }
  if (child.pid !== undefined) return child;
  // EMFILE, EAGAIN, ENOENT...: no pid, and the reason comes as an 'error' on the next tick.
  return {
    refused: new Promise<SpawnFailure>((resolve) =>
      child.on('error', (error) => resolve(spawnFailureOf(error))),
    ),
  };
}

function handleOf(
  pid: number,
  { stdin, stdout }: Pick<ChildProcess, 'stdin'> & { stdout: Readable },
  source: ReturnType<typeof shareSource>,
  relay: ReturnType<typeof relayLines>,
): ChildHandle {
  return {
    pid,
    close: () => {
      stdin?.destroy();
      stdout.destroy();
    },
    write: (data, written) => {
      if (stdin?.writable === true) stdin.write(data, () => written?.());
      else written?.();
    },
    tap: source.tap,
    hold: source.hold,
    interrupt: () => signalGroup(pid, 'SIGINT'),
    takePartial: relay.takePartial,
    peekPartial: relay.peekPartial,
    isTerminal: false,
  };
}

/** A signal to a process group we created; it may have just ended (ESRCH). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already: its exit is on its way
  }
}
