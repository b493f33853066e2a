import { expandCounts, type Formation, type ProcessSpec } from '../../core/formation.js';
import { describeOutputFailure, isOutputClosed } from '../../core/events.js';
import type { Release } from '../../core/release.js';
import { planStart } from '../../core/start-plan.js';
import { controlPathsFor } from '../../io/control-client.js';
import { withLevel, type Output } from '../../output/output.js';
import { isColorWanted } from '../../output/palette.js';
import { Printer } from '../../output/printer.js';
import { createTextOutput } from '../../output/text.js';
import {
  AlreadyRunning,
  listenControl,
  type ControlServer,
} from '../../supervisor/control-server.js';
import { startReaper, type Reaper } from '../../supervisor/reaper.js';
import { supervise } from '../../supervisor/supervisor.js';
import { loadRelease } from '../../io/load-release.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/**
 * `foreman-ts start`: read the release, decide the formation (and the release phase), then
 * supervise: the release phase first, as an admin process, and the formation only if it
 * exits 0 (Heroku's release phase; docs/run.md).
 */
export async function execute(
  invocation: Extract<Invocation, { command: 'start' }>,
  io: Io,
): Promise<number> {
  const { command, flags } = invocation;
  const release = await loadRelease({ cwd: io.cwd, env: io.env, command, flags });
  const { settings } = release;
  const { specs, releasePhase, policies, formation } = planStart(release, {
    only: invocation.names,
  });
  const printer = new Printer(io.stdout);
  const output = await createOutput({
    release,
    printer,
    io,
    names: [...specs, ...(releasePhase ? [releasePhase] : [])],
  });
  const control = settings.control === false ? undefined : await openControl(release, io, output);
  const reaper = await startReaper();
  warnAboutZombies(reaper, output);
  try {
    const run = (batch: readonly ProcessSpec[], gatedFormation?: Formation) =>
      supervise(batch, {
        cwd: release.root,
        output,
        printer,
        signals: io.signals,
        graceMs: release.graceMs,
        reaper,
        policies,
        release,
        control,
        now: () => io.now().getTime(),
        gatedFormation,
      });
    if (releasePhase === undefined) return (await run(specs)).code;
    // The formation waits for the release phase: scale requests meanwhile are remembered.
    const result = await run([releasePhase], formation);
    if (result.cause.kind !== 'exit') return result.code;
    output.event({ event: 'release', code: result.code });
    if (result.code !== 0) return result.code;
    return (await run(expandCounts(release, result.gatedFormation ?? formation))).code;
  } finally {
    reaper?.stop();
    await control?.close();
    sayOutputFailure(printer, io);
  }
}

/**
 * A stdout we could not write to (a full disk) cost the user output: say so on stderr. A closed
 * pipe (`start | head`) is a pipeline's normal end and says nothing (docs/exit-codes.md).
 */
function sayOutputFailure(printer: Printer, io: Io): void {
  const error = printer.lostBecause;
  if (error === undefined || isOutputClosed(error)) return;
  io.stderr.on('error', () => undefined); // on the same full disk: nothing more can be said
  io.stderr.write(`foreman-ts: ${describeOutputFailure(error)}\n`);
}

/**
 * The control socket, when it can be had: another live `start` in this root is an error, but
 * a read-only or missing runtime folder (a locked-down container) only costs the control.
 */
async function openControl(
  release: Release,
  io: Io,
  output: Output,
): Promise<ControlServer | undefined> {
  try {
    return await listenControl({ ...controlPathsFor(release.root, io.env), root: release.root });
  } catch (error) {
    if (error instanceof AlreadyRunning) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const hint = 'set XDG_RUNTIME_DIR to a writable folder of yours, or pass --no-control';
    output.event({
      event: 'warning',
      message: `no control socket (${reason}); status, restart, stop, scale and quit cannot reach this start (${hint})`,
    });
    return undefined;
  }
}

/**
 * Text (the foreman look) or JSON records (docs/logging.md). JSON mode loads pino, for our own
 * records only; text mode never loads it. `--log-level` filters our records in both.
 */
async function createOutput({
  release,
  printer,
  io,
  names,
}: {
  release: Release;
  printer: Printer;
  io: Io;
  names: readonly ProcessSpec[];
}): Promise<Output> {
  const { settings } = release;
  const level = settings.logLevel ?? 'info';
  if (settings.logFormat === 'json') {
    const { createJsonOutput } = await import('../../output/json.js');
    return withLevel(await createJsonOutput({ printer, now: io.now }), level);
  }
  const text = createTextOutput({
    printer,
    names: names.map((spec) => spec.name),
    types: release.procfile?.entries.map((entry) => entry.name) ?? [],
    style: {
      isTimestamped: settings.timestamp ?? true,
      isColored: isColorWanted({
        flag: settings.color,
        env: io.env,
        isTty: io.stdout.isTTY === true,
      }),
    },
    now: io.now,
  });
  return withLevel(text, level);
}

/**
 * As PID 1 (a container's entrypoint) orphans are re-parented to us; without the koffi reaper
 * their zombies pile up for the container's lifetime (docs/container.md).
 */
function warnAboutZombies(reaper: Reaper | undefined, output: Output): void {
  if (reaper !== undefined || process.pid !== 1) return;
  output.event({
    event: 'warning',
    message:
      'running as PID 1 without a zombie reaper (the optional koffi did not load): orphaned ' +
      'processes will not be reaped; run with `docker run --init` or `ENTRYPOINT ["tini", "--", ' +
      '"foreman-ts"]` (docs/container.md)',
  });
}
