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
  const { result } = resultOf(exchange, root, place.socket);
  if (result.kind === 'run-begin')
    throw new ForemanError(`${place.socket} answered with a reply of another kind`);
  if (result.kind === 'done') io.stdout.write(`${escapeText(result.message)}\n`);
  else if (invocation.flags.json) io.stdout.write(`${formatStatusJson(result)}\n`);
  else io.stdout.write(`${formatStatus(result)}\n`);
  return 0;
}

function resultOf(
  exchange: Exchange,
  root: string,
  socket: string,
): Extract<ControlReply, { ok: true }> {
  if (exchange.kind === 'no-reply') throw new ForemanError(escapeText(exchange.problem));
  if (exchange.kind === 'unreachable') throw explain(exchange.error, root, socket);
  const { reply } = exchange;
  if (reply.ok) return reply;
  const error = escapeText(reply.error);
  throw new ForemanError(error, reply.hint === undefined ? {} : { hint: escapeText(reply.hint) });
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
