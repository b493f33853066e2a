import { ADMIN_TYPE, maskArgv } from '../core/admin.js';
import {
  TEST_LIMITS_VAR,
  resolveControlLimits,
  type AdminRun,
  type ControlCommand,
  type ControlResult,
} from '../core/control.js';
import { escapeText } from '../core/escape-text.js';
import type { Outcome } from '../core/outcome.js';
import type { Release } from '../core/release.js';
import { compareReleases, formatDrift, type ReleaseIdentity } from '../core/release-id.js';
import { secretRule } from '../core/secrets.js';
import { ForemanError } from '../errors.js';
import { controlPlaceFor, isControlSocketThere } from '../io/control-place.js';
import type { Io } from './io.js';

/**
 * A `run` beside a running `start` of the same root (docs/run.md#the-audit-trail): it takes
 * its number `run.N` from the formation, compares its release with the formation's (a warning
 * naming what differs, or a refusal with --strict-release), and reports its start and exit to
 * the formation's log stream. Without a socket there it costs a stat and nothing more.
 */
export type Beside = Readonly<{ socket: string; run: AdminRun; timeoutMs: number }>;

/** How long `run` waits for the formation: a `start` too busy to answer is not waited for. */
const BESIDE_MS = 2_000;

/** The control socket of a `start` running in `root`, if a stat finds one of ours there. */
export function findFormation(root: string, env: Io['env']): string | undefined {
  try {
    const place = controlPlaceFor(root, env);
    return isControlSocketThere(place) ? place.socket : undefined;
  } catch {
    // A runtime folder that is not ours is nobody to report to; `status` says why.
    return undefined;
  }
}

/** One request to the formation, its result, or undefined when it did not answer as one. */
export async function ask(
  socket: string,
  command: ControlCommand,
  { env }: { env: Io['env'] },
): Promise<ControlResult | undefined> {
  const { requestControl } = await import('../io/control-client.js');
  const exchange = await requestControl(socket, command, { timeoutMs: timeoutOf(env) });
  return exchange.kind === 'reply' && exchange.reply.ok ? exchange.reply.result : undefined;
}

function timeoutOf(env: Io['env']): number {
  return Math.min(BESIDE_MS, resolveControlLimits(env[TEST_LIMITS_VAR]).replyMs);
}

/**
 * Take a number from the formation and compare releases: undefined when no `start` answers.
 * A drift is one warning on stderr, or with `strict` a refusal the log stream records too.
 */
export async function meetFormation(
  socket: string,
  { release, argv, io }: { release: Release; argv: readonly string[]; io: Io },
): Promise<Beside | undefined> {
  const begun = await ask(socket, { cmd: 'run-begin' }, io);
  if (begun?.kind !== 'run-begin') return undefined;
  const { readReleaseIdentity } = await import('../io/release-identity.js');
  const mine = await readReleaseIdentity(release, { env: io.env, isDirtyWanted: false });
  const drift = await describeDrift(begun.release, mine, release.root, io);
  const run: AdminRun = {
    name: begun.name,
    argv: maskArgv(argv, { env: release.env, rule: secretRule(release.settings) }),
    user: userOf(io.env),
    release: mine.id,
    drift,
  };
  const beside = { socket, run, timeoutMs: timeoutOf(io.env) };
  if (drift === '') return beside;
  // The name and id come from the socket: shown escaped, like everything it says.
  const what = escapeText(
    `${run.name}: your release ${mine.id} is not the one the running start uses (${begun.release.id}): ${drift}`,
  );
  if (release.settings.strictRelease === true) {
    await ask(socket, { cmd: 'run-refused', run }, io);
    throw new ForemanError(`refused (--strict-release): ${what}`, { hint: STRICT_HINT });
  }
  io.stderr.write(`foreman-ts: warning: ${what}\n`);
  return beside;
}

const STRICT_HINT =
  'restart the formation ("foreman-ts quit", then "foreman-ts start") to run the new release, or drop --strict-release';

async function describeDrift(
  formation: ReleaseIdentity,
  mine: ReleaseIdentity,
  root: string,
  io: Io,
): Promise<string> {
  const drift = compareReleases(formation, mine);
  if (drift === undefined) return '';
  if (formation.commit === null || mine.commit === null || drift.commit === undefined)
    return formatDrift(drift);
  const { countCommits } = await import('../io/git-facts.js');
  const distance = await countCommits(root, {
    formation: formation.commit,
    mine: mine.commit,
    env: io.env,
  });
  return formatDrift(drift, distance);
}

/** Who ran it: the login name the shell says, and the uid the kernel says. */
function userOf(env: Io['env']): string {
  const uid = process.getuid?.() ?? 0;
  const name = env.USER ?? env.LOGNAME;
  return name === undefined || name === '' ? `uid ${uid}` : `${name} (uid ${uid})`;
}

/** What an attached `run` tells the formation: its start (pid) and how it ended. */
export type Reporter = Readonly<{
  started: (pid: number) => Promise<unknown>;
  exited: (end: { pid: number; outcome: Outcome; durationMs: number }) => Promise<unknown>;
}>;

/** A `run` beside a start of its root: its reporter, or undefined when none answers. */
export async function joinFormation(
  release: Release,
  argv: readonly string[],
  io: Io,
): Promise<Reporter | undefined> {
  const socket = findFormation(release.root, io.env);
  const beside =
    socket === undefined ? undefined : await meetFormation(socket, { release, argv, io });
  if (beside === undefined) return undefined;
  const { run } = beside;
  return {
    started: (pid) => ask(beside.socket, { cmd: 'run-started', run, pid }, io),
    exited: (end) => ask(beside.socket, { cmd: 'run-exited', run, ...end }, io),
  };
}

/** `run --detach`: the formation runs the command; the answer is its name, `run.N`. */
export async function detach(
  release: Release,
  { argv, io }: { argv: readonly string[]; io: Io },
): Promise<string> {
  const socket = findFormation(release.root, io.env);
  if (socket === undefined) throw noStart(release.root);
  const beside = await meetFormation(socket, { release, argv, io });
  if (beside === undefined) throw noStart(release.root);
  const { requestControl } = await import('../io/control-client.js');
  const command = { cmd: 'run-detach', run: beside.run, command: argv } as const;
  const exchange = await requestControl(socket, command, { timeoutMs: beside.timeoutMs });
  if (exchange.kind !== 'reply')
    throw new ForemanError(escapeText(`${socket}: ${describe(exchange)}`));
  const { reply } = exchange;
  if (!reply.ok) {
    const hint = reply.hint === undefined ? {} : { hint: escapeText(reply.hint) };
    throw new ForemanError(escapeText(reply.error), hint);
  }
  if (reply.result.kind !== 'done' || !reply.result.message.startsWith(`${ADMIN_TYPE}.`))
    throw new ForemanError(`${socket} answered with a reply of another kind`);
  return reply.result.message;
}

function describe(
  exchange: { kind: 'unreachable'; error: Error } | { kind: 'no-reply'; problem: string },
): string {
  return exchange.kind === 'no-reply' ? exchange.problem : exchange.error.message;
}

function noStart(root: string): ForemanError {
  return new ForemanError(`--detach needs a foreman-ts start running in ${root}`, {
    hint: 'start one with "foreman-ts start", or run the command without --detach',
  });
}
