import { adminEnv } from '../../core/admin.js';
import { formatDotenvLine } from '../../core/dotenv.js';
import { expandFormation, formationOf } from '../../core/formation.js';
import { formatFoundRoot, formatNoAppNotice } from '../../core/release.js';
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
