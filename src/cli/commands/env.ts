import { adminEnv } from '../../core/admin.js';
import { formatDotenvLine } from '../../core/dotenv.js';
import { expandFormation, formationOf } from '../../core/formation.js';
import { escapeText } from '../../core/escape-text.js';
import { formatFoundRoot, formatNoAppNotice, type Release } from '../../core/release.js';
import { formatRelease } from '../../core/release-id.js';
import { secretRule } from '../../core/secrets.js';
import { UsageError } from '../../errors.js';
import { loadRelease } from '../../io/load-release.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/**
 * `foreman-ts env [PROCESS]`: the environment exactly as `run` gets it, or as PROCESS (web.1)
 * gets it under `start`: parity you can see and diff.
 */
export async function execute(
  invocation: Extract<Invocation, { command: 'env' }>,
  io: Io,
): Promise<number> {
  const { command, flags } = invocation;
  const release = await loadRelease({
    cwd: io.cwd,
    env: io.env,
    command,
    flags,
    needsProcfile: invocation.process !== undefined,
  });
  const notice = formatNoAppNotice(release) ?? formatFoundRoot(release, io.cwd);
  if (notice !== undefined) io.stderr.write(`foreman-ts: ${notice}\n`);
  if (invocation.flags.release === true) return printRelease(release, invocation, io);
  const env =
    invocation.process === undefined
      ? adminEnv(release.env, release.settings.port)
      : processEnv(release, invocation.process);
  const { maskValue } = secretRule(release.settings);
  const shown = Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]): [string, string] => [
      key,
      invocation.flags.showSecrets ? value : maskValue(key, value),
    ]);
  io.stdout.write(
    invocation.flags.json
      ? `${JSON.stringify(Object.fromEntries(shown), null, 2)}\n`
      : shown.map(([key, value]) => `${formatDotenvLine(key, value)}\n`).join(''),
  );
  return 0;
}

/**
 * `env --release`: the id `start` would show for this release, and with `--json` what it
 * covers: names only (variables, Procfile types, settings), never values or their digests.
 */
async function printRelease(
  release: Release,
  invocation: Extract<Invocation, { command: 'env' }>,
  io: Io,
): Promise<number> {
  if (invocation.process !== undefined)
    throw new UsageError(
      '--release describes the whole release, not one process',
      'drop the process name',
    );
  const { readReleaseIdentity } = await import('../../io/release-identity.js');
  const identity = await readReleaseIdentity(release, { env: io.env, isDirtyWanted: true });
  if (invocation.flags.json !== true) {
    io.stdout.write(`${escapeText(formatRelease(identity))}\n`);
    return 0;
  }
  const { id, commit, dirty, env, procfile, settings } = identity;
  const names = {
    env: Object.keys(env),
    procfile: Object.keys(procfile),
    settings: Object.keys(settings),
  };
  io.stdout.write(`${JSON.stringify({ id, commit, dirty, ...names }, null, 2)}\n`);
  return 0;
}

/** `web.1` as start would run it (the formation's port rule included); `web` means `web.1`. */
function processEnv(
  release: Parameters<typeof expandFormation>[0],
  name: string,
): Readonly<Record<string, string>> {
  const instance = name.includes('.') ? name : `${name}.1`;
  const specs = expandFormation(release, {
    formation: formationOf(release),
    only: [instance.slice(0, instance.lastIndexOf('.'))],
  });
  const spec = specs.find((candidate) => candidate.name === instance);
  if (spec === undefined) {
    const known = specs.map((candidate) => candidate.name).join(', ');
    throw new UsageError(`no process "${instance}" in the formation`, `known: ${known}`);
  }
  return spec.env;
}
