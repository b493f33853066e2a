import {
  expandFormation,
  expandReleasePhase,
  formationOf,
  type ProcessSpec,
} from '../../core/formation.js';
import type { Release } from '../../core/release.js';
import { resolveInputName } from '../../core/input-routing.js';
import { UsageError } from '../../errors.js';
import { isatty } from 'node:tty';
import { resolvePolicies } from '../../core/policy.js';
import { controlPathsFor } from '../../io/control-client.js';
import { isLogged, levelOf, type LevelName } from '../../output/json-record.js';
import { isColorWanted } from '../../output/palette.js';
import { Printer } from '../../output/printer.js';
import {
  createPrefixer,
  createTextOutput,
  type LineWriter,
  type Output,
} from '../../output/text.js';
import {
  AlreadyRunning,
  listenControl,
  type ControlServer,
} from '../../supervisor/control-server.js';
import { startReaper, type Reaper } from '../../supervisor/reaper.js';
import { supervise, type InputHooks } from '../../supervisor/supervisor.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';
import { loadReleaseFor } from '../load.js';

/**
 * `foreman-ts start`: read the release, decide the formation (and the release phase), then
 * supervise: the release phase first, as an admin process, and the formation only if it
 * exits 0 (Heroku's release phase; docs/run.md).
 */
export async function execute(
  invocation: Extract<Invocation, { command: 'start' }>,
  io: Io,
): Promise<number> {
  const release = await loadReleaseFor(invocation, io, { needsProcfile: true });
  const { settings } = release;
  const formation = formationOf(release);
  const specs = expandFormation(release, { formation, only: invocation.names });
  const releasePhase = settings.release === false ? undefined : expandReleasePhase(release);
  const printer = new Printer(io.stdout);
  const names = [...specs, ...(releasePhase ? [releasePhase] : [])];
  const attach = attachedName(settings.attach, specs);
  const terminal = isTerminal(release, io)
    ? await openTerminal({ release, printer, io, names, attach })
    : undefined;
  try {
    const output = terminal?.output ?? (await createOutput({ release, printer, io, names }));
    return await runPhases({ release, specs, releasePhase, io, printer, output, terminal });
  } finally {
    terminal?.close();
  }
}

/** The release phase, then (if it succeeded) the formation, with the control socket open. */
async function runPhases({
  release,
  specs,
  releasePhase,
  io,
  printer,
  output,
  terminal,
}: {
  release: Release;
  specs: readonly ProcessSpec[];
  releasePhase: ProcessSpec | undefined;
  io: Io;
  printer: Printer;
  output: Output;
  terminal: InputHooks | undefined;
}): Promise<number> {
  const { settings } = release;
  const policies = resolvePolicies({
    types: release.procfile?.entries.map((entry) => entry.name) ?? [],
    drafts: release.policies,
    canDie: settings.canDie,
    restart: settings.restart,
    isReadyChecked: settings.ready ?? true,
  });
  const control = settings.control === false ? undefined : await openControl(release, io, output);
  const reaper = await startReaper();
  warnAboutZombies(reaper, output);
  try {
    const run = (batch: readonly ProcessSpec[]) =>
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
        inputs: terminal,
      });
    if (releasePhase !== undefined) {
      const result = await run([releasePhase]);
      if (result.cause.kind !== 'exit') return result.code;
      output.event({ event: 'release', code: result.code });
      if (result.code !== 0) return result.code;
    }
    return (await run(specs)).code;
  } finally {
    reaper?.stop();
    await control?.close();
  }
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
  printer: LineWriter & Printer;
  io: Io;
  names: readonly ProcessSpec[];
}): Promise<Output> {
  const { settings } = release;
  if (settings.logFormat === 'json') {
    const [{ createJsonOutput }, { createLogger }] = await Promise.all([
      import('../../output/json.js'),
      import('../../output/logger.js'),
    ]);
    const logger = await createLogger({ printer, level: levelOfSettings(release), now: io.now });
    return createJsonOutput({ printer, logger, now: io.now });
  }
  return withLevel(createTextOutput({ printer, ...textLook(release, io, names) }), release);
}

function levelOfSettings(release: Release): LevelName {
  return (release.settings.logLevel ?? 'info') as LevelName;
}

/** Names, colours and time of the foreman look, the same for the Printer and the terminal. */
function textLook(release: Release, io: Io, names: readonly ProcessSpec[]) {
  const { settings } = release;
  return {
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
  };
}

/**
 * Typing reaches processes only when we have a terminal to type in and one to draw on, and
 * the output is text: JSON logs and piped output stay byte-exact (docs/interactive.md).
 */
function isTerminal(release: Release, io: Io): boolean {
  return release.settings.logFormat !== 'json' && io.stdout.isTTY === true && isatty(0);
}

/** `--attach web` means web.1; an unknown name is a usage error before anything starts. */
function attachedName(name: string | undefined, specs: readonly ProcessSpec[]): string | undefined {
  if (name === undefined) return undefined;
  const names = specs.map((spec) => spec.name);
  const resolved = resolveInputName(name, names);
  if (resolved === undefined)
    throw new UsageError(`--attach: unknown process "${name}"`, `known: ${names.join(', ')}`);
  return resolved;
}

/** The terminal mode: the text output behind a Screen, and the keys (loaded only here). */
async function openTerminal({
  release,
  printer,
  io,
  names,
  attach,
}: {
  release: Release;
  printer: Printer;
  io: Io;
  names: readonly ProcessSpec[];
  attach: string | undefined;
}) {
  const [{ openConsole }, { Screen }] = await Promise.all([
    import('../../terminal/console.js'),
    import('../../output/screen.js'),
  ]);
  const screen = new Screen(printer);
  const look = textLook(release, io, names);
  const text = withLevel(createTextOutput({ printer: screen, ...look }), release);
  return openConsole({
    stdin: io.stdin,
    stdout: io.stdout,
    screen,
    text,
    prefixer: createPrefixer(look),
    attach,
  });
}

function withLevel(output: Output, release: Release): Output {
  const threshold = levelOfSettings(release);
  if (threshold === 'info') return output;
  let isStopping = false;
  return {
    forProcess: output.forProcess,
    event(event) {
      if (event.event === 'stopping') isStopping = true;
      // A notice answers what the user just typed: it shows whatever the level.
      const isShown = event.event === 'notice' || isLogged(levelOf(event, isStopping), threshold);
      if (isShown) output.event(event);
    },
  };
}

/**
 * As PID 1 (a container's entrypoint) orphans are re-parented to us; without the koffi reaper
 * their zombies pile up for the container's lifetime (runtime.md R11, docs/container.md).
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
