import {
  expandFormation,
  expandReleasePhase,
  parseFormation,
  type ProcessSpec,
} from '../../core/formation.js';
import type { Release } from '../../core/release.js';
import { resolvePolicies } from '../../core/policy.js';
import { controlPathsFor } from '../../io/control-client.js';
import { loadRelease } from '../../io/load-release.js';
import { isColorWanted } from '../../output/palette.js';
import { Printer } from '../../output/printer.js';
import { createTextOutput, type Output } from '../../output/text.js';
import { listenControl } from '../../supervisor/control-server.js';
import { startReaper } from '../../supervisor/reaper.js';
import { supervise } from '../../supervisor/supervisor.js';
import { flagsFromEnv, type Invocation } from '../args.js';
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
  const release = await loadRelease({
    cwd: io.cwd,
    inherited: io.env,
    flags: invocation.flags,
    envFlags: flagsFromEnv(io.env, 'start'),
    needsProcfile: true,
  });
  const { settings } = release;
  const formation =
    settings.formation === undefined ? undefined : parseFormation(settings.formation);
  const specs = expandFormation(release, { formation, only: invocation.names });
  const releasePhase = settings.release === false ? undefined : expandReleasePhase(release);
  const printer = new Printer(io.stdout);
  const output = createOutput({
    release,
    printer,
    io,
    names: [...specs, ...(releasePhase ? [releasePhase] : [])],
  });
  const policies = resolvePolicies({
    types: release.procfile?.entries.map((entry) => entry.name) ?? [],
    drafts: release.policies,
    canDie: settings.canDie,
    restart: settings.restart,
    isReadyChecked: settings.ready ?? true,
  });
  const control =
    settings.control === false
      ? undefined
      : await listenControl({ ...controlPathsFor(release.root, io.env), root: release.root });
  const reaper = await startReaper();
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

function createOutput({
  release,
  printer,
  io,
  names,
}: {
  release: Release;
  printer: Printer;
  io: Io;
  names: readonly ProcessSpec[];
}): Output {
  const { settings } = release;
  return createTextOutput({
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
}
