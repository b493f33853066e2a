import type { ControlCommand, ControlReply } from '../../core/control.js';
import { ForemanError } from '../../errors.js';
import { requestControl, type Exchange } from '../../io/control-client.js';
import { controlPlaceFor } from '../../io/control-place.js';
import { loadSettings, locate } from '../../io/load-release.js';
import { formatStatusTable } from '../../output/status.js';
import { flagsFromEnv, type Invocation } from '../args.js';
import type { Io } from '../io.js';

type ClientInvocation = Extract<
  Invocation,
  { command: 'status' | 'restart' | 'stop' | 'scale' | 'quit' }
>;

/** Every reply comes at once; a start that has not answered in this time is stuck. */
const REPLY_TIMEOUT_MS = 30_000;

/**
 * The clients of a running `start`: status, restart, stop, scale, quit. They find it by its
 * root, as every command finds the release (docs/control.md).
 */
export async function execute(invocation: ClientInvocation, io: Io): Promise<number> {
  const { settings } = await loadSettings({
    cwd: io.cwd,
    flags: invocation.flags,
    envFlags: flagsFromEnv(io.env, invocation.command),
  });
  const { root } = locate(settings, io.cwd);
  const { socket } = controlPlaceFor(root, io.env);
  const exchange = await requestControl(socket, commandOf(invocation), {
    timeoutMs: REPLY_TIMEOUT_MS,
  });
  const { result } = resultOf(exchange, root, socket);
  if (result.kind === 'done') io.stdout.write(`${result.message}\n`);
  else if (invocation.flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout.write(`${formatStatusTable(result.processes)}\n`);
  return 0;
}

function resultOf(
  exchange: Exchange,
  root: string,
  socket: string,
): Extract<ControlReply, { ok: true }> {
  if (exchange.kind === 'no-reply') throw new ForemanError(exchange.problem);
  if (exchange.kind === 'unreachable') throw explain(exchange.error, root, socket);
  const { reply } = exchange;
  if (!reply.ok)
    throw new ForemanError(reply.error, reply.hint === undefined ? {} : { hint: reply.hint });
  return reply;
}

function explain(error: NodeJS.ErrnoException, root: string, socket: string): ForemanError {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    return new ForemanError(`no foreman-ts start is running in ${root}`, {
      hint: 'start one with "foreman-ts start", or point at its app with -d/--root',
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new ForemanError(`permission denied on ${socket}`, {
      hint: 'only the user who ran start may control it',
      cause: error,
    });
  }
  return new ForemanError(`cannot reach ${socket}: ${error.message}`, { cause: error });
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
