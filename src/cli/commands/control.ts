import {
  TEST_LIMITS_VAR,
  resolveControlLimits,
  type ControlCommand,
  type ControlReply,
} from '../../core/control.js';
import { ForemanError } from '../../errors.js';
import { requestControl, type Exchange } from '../../io/control-client.js';
import { controlPlaceFor, isControlSocketThere } from '../../io/control-place.js';
import { locateApp } from '../../io/load-release.js';
import type { Release } from '../../core/release.js';
import { formatRelease, type ReleaseSummary } from '../../core/release-id.js';
import { escapeText } from '../../core/escape-text.js';
import { formatStatus, formatStatusJson } from '../../output/status.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

type ClientInvocation = Extract<
  Invocation,
  { command: 'status' | 'restart' | 'stop' | 'scale' | 'quit' }
>;

/**
 * The clients of a running `start`: status, restart, stop, scale, quit. They find it by its
 * root, as every command finds the release, and talk to it only through a folder and socket
 * of their own user; whatever answers is shown escaped, never obeyed (docs/control.md).
 */
export async function execute(invocation: ClientInvocation, io: Io): Promise<number> {
  const { root } = await locateApp({
    cwd: io.cwd,
    env: io.env,
    command: invocation.command,
    flags: invocation.flags,
  });
  const place = controlPlaceFor(root, io.env);
  if (!isControlSocketThere(place)) throw notRunning(root);
  const { replyMs } = resolveControlLimits(io.env[TEST_LIMITS_VAR]);
  const exchange = await requestControl(place.socket, commandOf(invocation), {
    timeoutMs: replyMs,
  });
  const { result } = await resultOf(exchange, { root, socket: place.socket, invocation, io });
  if (result.kind === 'run-begin')
    throw new ForemanError(`${place.socket} answered with a reply of another kind`);
  if (result.kind === 'done') {
    const using = result.release === undefined ? '' : ` (release ${formatRelease(result.release)})`;
    io.stdout.write(`${escapeText(result.message + using)}\n`);
    if (result.release !== undefined) await noteChanges(result.release, invocation, io);
  } else if (invocation.flags.json) io.stdout.write(`${formatStatusJson(result)}\n`);
  else io.stdout.write(`${formatStatus(result)}\n`);
  return 0;
}

async function resultOf(
  exchange: Exchange,
  {
    root,
    socket,
    invocation,
    io,
  }: { root: string; socket: string; invocation: ClientInvocation; io: Io },
): Promise<Extract<ControlReply, { ok: true }>> {
  if (exchange.kind === 'no-reply') throw new ForemanError(escapeText(exchange.problem));
  if (exchange.kind === 'unreachable') throw explain(exchange.error, root, socket);
  const { reply } = exchange;
  if (reply.ok) return reply;
  const added = await typesAddedSince(socket, invocation, io);
  if (added !== undefined) throw added;
  const error = escapeText(reply.error);
  throw new ForemanError(error, reply.hint === undefined ? {} : { hint: escapeText(reply.hint) });
}

const NEW_START = 'quit and start again ("foreman-ts quit", then "foreman-ts start") to use them';

/**
 * A `restart` or `scale` refused: if what it names is a type only the current Procfile has,
 * say exactly that. The formation runs the release it started with (docs/control.md#releases).
 */
async function typesAddedSince(
  socket: string,
  invocation: ClientInvocation,
  io: Io,
): Promise<ForemanError | undefined> {
  const asked = typesNamed(invocation);
  if (asked.length === 0) return undefined;
  const status = await requestControl(socket, { cmd: 'status' }, { timeoutMs: 2_000 });
  const running = status.kind === 'reply' && status.reply.ok ? status.reply.result : undefined;
  if (running?.kind !== 'status' || running.release === undefined) return undefined;
  const current = await currentRelease(invocation, io);
  const types = new Set(current?.procfile?.entries.map((entry) => entry.name) ?? []);
  const formation = new Set(running.release.types);
  const added = asked.filter((type) => types.has(type) && !formation.has(type));
  if (added.length === 0) return undefined;
  const names = added.map((type) => `"${escapeText(type)}"`).join(', ');
  return new ForemanError(
    `${names}: in the Procfile now, but not in the release this start began with (${escapeText(formatRelease(running.release))})`,
    { hint: `a running formation keeps its release: ${NEW_START}` },
  );
}

/** The process types a restart or scale names: `web.2` is of `web`, `web=3` too. */
function typesNamed(invocation: ClientInvocation): string[] {
  if (invocation.command === 'restart')
    return invocation.targets.map((name) => name.replace(/\.\d+$/, ''));
  if (invocation.command === 'scale')
    return invocation.formation
      .split(',')
      .map((pair) => pair.split('=')[0]?.trim() ?? '')
      .filter((type) => type !== '' && type !== 'all');
  return [];
}

/** The release as the files say now; undefined when they cannot say (a broken Procfile). */
async function currentRelease(invocation: ClientInvocation, io: Io): Promise<Release | undefined> {
  try {
    const { loadRelease } = await import('../../io/load-release.js');
    return await loadRelease({ cwd: io.cwd, env: io.env, command: 'run', flags: invocation.flags });
  } catch {
    return undefined;
  }
}

/** After a restart or scale: if the files changed since the start began, say they are not used. */
async function noteChanges(
  formation: ReleaseSummary,
  invocation: ClientInvocation,
  io: Io,
): Promise<void> {
  const current = await currentRelease(invocation, io);
  if (current === undefined) return;
  const { readReleaseIdentity } = await import('../../io/release-identity.js');
  const now = await readReleaseIdentity(current, { env: io.env, isDirtyWanted: false });
  if (now.id === formation.id) return;
  io.stderr.write(
    `foreman-ts: note: the release changed since this start began (${escapeText(now.id)} now, ${escapeText(formation.id)} running); ${invocation.command} used the running one: ${NEW_START}\n`,
  );
}

function notRunning(root: string, cause?: Error): ForemanError {
  return new ForemanError(`no foreman-ts start is running in ${root}`, {
    hint: 'start one with "foreman-ts start", or point at its app with -d/--root',
    cause,
  });
}

function explain(error: NodeJS.ErrnoException, root: string, socket: string): ForemanError {
  // Refused: a socket left by a start that was SIGKILLed. Gone: that start has just exited.
  if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return notRunning(root, error);
  return new ForemanError(`cannot reach ${socket} (${error.code ?? error.message})`, {
    cause: error,
  });
}

function commandOf(invocation: ClientInvocation): ControlCommand {
  switch (invocation.command) {
    case 'status':
    case 'quit':
      return { cmd: invocation.command };
    case 'restart':
    case 'stop':
      return { cmd: invocation.command, targets: invocation.targets };
    case 'scale':
      return { cmd: 'scale', formation: invocation.formation };
  }
}
