import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminEnv, resolveAdmin, similarType } from '../../core/admin.js';
import { checkArgSize } from '../../core/env-size.js';
import { escapeText } from '../../core/escape-text.js';
import { exitCodeOf } from '../../core/outcome.js';
import { formatNoAppNotice, type Release } from '../../core/release.js';
import { relay, reraise, type RelayRequest } from '../../run/relay.js';
import type { Outcome } from '../../core/outcome.js';
import { mayHaveStarts } from '../../io/control-folder.js';
import type { Reporter } from '../run-beside-start.js';
import { loadRelease } from '../../io/load-release.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/**
 * `foreman-ts run`: a one-off admin process in exactly the release `start` uses. It must stay
 * invisible (the child's own output, its exit status) and cheap: it is on every deploy's path.
 */
export async function execute(
  invocation: Extract<Invocation, { command: 'run' }>,
  io: Io,
): Promise<number> {
  const { command, flags } = invocation;
  const release = await loadRelease({ cwd: io.cwd, env: io.env, command, flags });
  const notice = formatNoAppNotice(release);
  if (notice !== undefined) io.stderr.write(`foreman-ts: ${notice}\n`);
  if (flags.detach === true) {
    const { detach } = await import('../run-beside-start.js');
    io.stdout.write(`${escapeText(await detach(release, { argv: invocation.argv, io }))}\n`);
    return 0;
  }
  const admin = resolveAdmin(invocation.argv, release.procfile);
  if (admin.kind === 'shell') {
    const tooBig = checkArgSize(
      `the command of "${admin.type ?? 'run'}" with its arguments`,
      admin.script,
    );
    if (tooBig !== undefined) throw tooBig;
  }
  const [file, args] =
    admin.kind === 'argv' ? [admin.file, admin.args] : ['/bin/sh', ['-c', admin.script]];
  const env = adminEnv(release.env, release.settings.port);
  // One listing of our control folder decides; the rest loads only when a start may be there.
  const reporter = mayHaveStarts(io.env)
    ? await (await import('../run-beside-start.js')).joinFormation(release, invocation.argv, io)
    : undefined;
  const request = { file, args, cwd: release.root, env, signals: io.signals };
  const outcome = await relayReported(request, reporter, io);
  if (outcome.kind === 'failed-to-start')
    io.stderr.write(`foreman-ts: ${explain(file, outcome.reason, release)}\n`);
  reraise(outcome);
  return exitCodeOf(outcome);
}

/** The admin process, announced in the formation's log stream when a `start` runs beside it. */
async function relayReported(
  request: RelayRequest,
  reporter: Reporter | undefined,
  io: Io,
): Promise<Outcome> {
  if (reporter === undefined) return relay(request);
  const startedAt = io.now().getTime();
  let pid = 0;
  let started: Promise<unknown> = Promise.resolve();
  const onSpawn = (spawned: number): void => {
    pid = spawned;
    started = reporter.started(pid);
  };
  const outcome = await relay({ ...request, onSpawn });
  await started;
  const durationMs = Math.max(0, io.now().getTime() - startedAt);
  await reporter.exited({ pid, outcome, durationMs });
  return outcome;
}

function explain(raw: string, reason: 'not-found' | 'not-executable', release: Release): string {
  const file = escapeText(raw);
  if (reason === 'not-executable') {
    return `not executable: ${file} (hint: chmod +x ${file}, or run it with its interpreter)`;
  }
  const type = similarType(raw, release.procfile);
  if (type !== undefined)
    return `command not found: ${file} (hint: did you mean the process type "${type}"?)`;
  if (raw.includes('/') && existsSync(resolve(release.root, raw))) {
    return `command not found: ${file} (hint: the file exists; check the interpreter on its #! line)`;
  }
  return `command not found: ${file}`;
}
