import { expandCounts, type Formation, type ProcessSpec } from '../../core/formation.js';
import { describeOutputFailure, isOutputClosed } from '../../core/events.js';
import type { Release } from '../../core/release.js';
import { planStart, type StartPlan } from '../../core/start-plan.js';
import { TEST_LIMITS_VAR, resolveControlLimits } from '../../core/control.js';
import { ForemanError } from '../../errors.js';
import { AlreadyRunning, claimSocket } from '../../io/control-client.js';
import { controlPlaceFor, makeControlFolder } from '../../io/control-place.js';
import { withLevel, type LevelName, type Output } from '../../output/output.js';
import { Printer } from '../../output/printer.js';
import { createTextOutput } from '../../output/text.js';
import { listenControl, type ControlServer } from '../../supervisor/control-server.js';
import { startReaper, type Reaper } from '../../supervisor/reaper.js';
import type { Terminals } from '../../supervisor/children.js';
import { supervise, type InputHooks } from '../../supervisor/supervisor.js';
import { loadRelease } from '../../io/load-release.js';
import { readReleaseIdentity } from '../../io/release-identity.js';
import type { ReleaseIdentity } from '../../core/release-id.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';
import { loadTerminals, openTerminalMode, serveAttach, textLook } from '../start-terminal.js';

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
  const plan = planStart(release, { only: invocation.names });
  const { specs, releasePhase, policies } = plan;
  // Its `git status` runs while the terminal, the output, the socket and the reaper get ready.
  const identity = readReleaseIdentity(release, { env: io.env, isDirtyWanted: true });
  const printer = new Printer(io.stdout);
  const names = [...specs, ...(releasePhase ? [releasePhase] : [])];
  const terminal = await openTerminalMode({ release, printer, io, names, specs });
  try {
    const output = terminal?.output ?? (await createOutput({ release, printer, io, names }));
    const terminals = await loadTerminals({ policies, output, sizeOf: terminal?.sizeOf });
    const inputs = terminal;
    return await runPhases({ release, plan, identity, io, printer, output, inputs, terminals });
  } finally {
    terminal?.close();
  }
}

type Phases = Readonly<{
  release: Release;
  plan: StartPlan;
  identity: Promise<ReleaseIdentity>;
  io: Io;
  printer: Printer;
  output: Output;
  inputs: InputHooks | undefined;
  terminals: Terminals | undefined;
}>;

/** The release phase, then (if it succeeded) the formation, with the control socket open. */
async function runPhases({
  release,
  plan: { specs, releasePhase, policies, formation },
  identity: knowing,
  io,
  printer,
  output,
  inputs,
  terminals,
}: Phases): Promise<number> {
  const control =
    release.settings.control === false ? undefined : await openControl(release, io, output);
  const attachable = serveAttach({ control, output, inputs, sizeOf: terminals?.sizeOf });
  const reaper = await startReaper();
  const identity = await knowing;
  output.event({ event: 'release-identity', release: identity.id, ...gitOf(identity) });
  warnAboutZombies(reaper, output);
  try {
    const run: Supervising = (batch, gatedFormation, runs) =>
      supervise(batch, {
        cwd: release.root,
        output,
        printer,
        signals: io.signals,
        graceMs: release.graceMs,
        reaper,
        policies,
        release,
        identity,
        runs,
        control,
        now: () => io.now().getTime(),
        gatedFormation,
        inputs: attachable,
        terminals,
      });
    return await releaseThenFormation(run, { release, specs, releasePhase, formation, output });
  } finally {
    attachable.closeAll('start stopped');
    reaper?.stop();
    await control?.close();
    sayOutputFailure(printer, io);
  }
}

type Supervising = (
  batch: readonly ProcessSpec[],
  gatedFormation?: Formation,
  runs?: number,
) => ReturnType<typeof supervise>;

/** The formation waits for the release phase: scale requests meanwhile are remembered. */
async function releaseThenFormation(
  run: Supervising,
  {
    release,
    specs,
    releasePhase,
    formation,
    output,
  }: Pick<StartPlan, 'specs' | 'releasePhase' | 'formation'> & { release: Release; output: Output },
): Promise<number> {
  if (releasePhase === undefined) return (await run(specs)).code;
  const result = await run([releasePhase], formation);
  if (result.cause.kind !== 'exit') return result.code;
  output.event({ event: 'release', code: result.code });
  if (result.code !== 0) return result.code;
  const counts = result.gatedFormation ?? formation;
  return (await run(expandCounts(release, counts), undefined, result.runs)).code;
}

function gitOf({ commit, dirty }: ReleaseIdentity): {
  commit: string | null;
  dirty: boolean | null;
} {
  return { commit, dirty };
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
    const limits = resolveControlLimits(io.env[TEST_LIMITS_VAR]);
    const place = controlPlaceFor(release.root, io.env);
    makeControlFolder(place);
    // A live start answers at once; one silent for this long is stuck or gone: replace it.
    await claimSocket({ socket: place.socket, root: release.root, timeoutMs: limits.replyMs });
    return await listenControl({ socket: place.socket, limits });
  } catch (error) {
    if (error instanceof AlreadyRunning) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const fix = error instanceof ForemanError ? error.hint : undefined;
    const hint = `${fix ?? 'set XDG_RUNTIME_DIR to a writable folder of yours'}; or pass --no-control`;
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
  const level: LevelName = settings.logLevel ?? 'info';
  if (settings.logFormat === 'json') {
    const { createJsonOutput } = await import('../../output/json.js');
    return withLevel(await createJsonOutput({ printer, now: io.now }), level);
  }
  return withLevel(createTextOutput({ printer, ...textLook(release, io, names) }), level);
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
