import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { RELEASE_TYPE, type ProcessSpec } from '../core/formation.js';
import { outcomeOf, type Outcome } from '../core/outcome.js';
import { wrapCommand } from '../core/shell.js';
import { LineSplitter } from '../output/lines.js';
import type { Printer } from '../output/printer.js';
import type { ProcessSink } from '../output/text.js';

/** Longer lines are cut into pieces of this size: a 1 MB line survives whole, memory stays bounded. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** A partial line (a prompt) is shown once its process has been quiet this long. */
const IDLE_FLUSH_MS = 300;
/** How long an exit waits for the rest of its output before it is reported. */
const DRAIN_AFTER_EXIT_MS = 250;

export type ChildHandle = Readonly<{
  pid: number;
  /** Stop reading, and close its stdin: a descendant that escaped us may hold the pipe open. */
  close: () => void;
}>;

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
}): ChildHandle | Error {
  const child = spawn('/bin/sh', ['-c', wrapCommand(spec.command)], {
    cwd,
    env: spec.env,
    detached: true,
    stdio: [spec.type === RELEASE_TYPE ? 'ignore' : 'pipe', 'pipe', 'ignore'],
  });
  let failure: Error | undefined;
  child.on('error', (error) => (failure = error));
  const { stdin, stdout } = child;
  if (child.pid === undefined || stdout === null) {
    return failure ?? new Error(`could not start ${spec.name}`);
  }
  // A process that ended, or closed its stdin, makes our writes fail (EPIPE): not our failure.
  stdin?.on('error', () => stdin.destroy());
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  let idle: NodeJS.Timeout | undefined;
  let reads = 0;
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(onIdle, IDLE_FLUSH_MS);
  };
  const flushPartial = (): void => {
    const rest = splitter.flush();
    if (rest !== undefined) sink.write([rest]);
  };
  // Quiet, not merely held up by us: only then is a partial line a prompt. While our output
  // blocks, the child is blocked too; after a resume it gets a whole quiet period again, and
  // the flush waits for the poll phase, so data that arrived while our event loop was busy is
  // read first (a timer runs before the poll phase: a mid-line pause would split the line).
  const onIdle = (): void => {
    if (stdout.isPaused()) return armIdle();
    const seen = reads;
    setImmediate(() => {
      if (reads === seen) flushPartial();
    });
  };
  const detach = printer.attach({
    pause: () => stdout.pause(),
    resume: () => {
      stdout.resume();
      if (splitter.hasPartial) armIdle();
    },
  });
  stdout.on('data', (chunk: Buffer) => {
    clearTimeout(idle);
    reads += 1;
    const lines = splitter.push(chunk);
    if (lines.length > 0) sink.write(lines);
    if (splitter.hasPartial) armIdle();
  });
  const ended = new Promise<void>((resolve) => {
    stdout.once('close', () => {
      clearTimeout(idle);
      flushPartial();
      detach();
      resolve();
    });
  });
  stdout.on('error', () => stdout.destroy());
  child.once('exit', (code, signal) => {
    stdin?.destroy(); // a restarted process gets a new pipe: do not keep the old one open
    const outcome = outcomeOf(code, signal, constants.signals);
    // Cleared once the output has ended, so a finished run does not wait on this timer.
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)));
    void Promise.race([ended, wait]).then(() => {
      clearTimeout(timer);
      onExit(outcome);
    });
  });
  return {
    pid: child.pid,
    close: () => {
      stdin?.destroy();
      stdout.destroy();
    },
  };
}
