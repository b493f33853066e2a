import type { ControlCommand } from '../../core/control.js';
import { ForemanError } from '../../errors.js';
import { controlPathsFor, sendControl } from '../../io/control-client.js';
import { locateApp } from '../../io/load-release.js';
import { formatStatusTable } from '../../output/status.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

type ClientInvocation = Extract<
  Invocation,
  { command: 'status' | 'restart' | 'stop' | 'scale' | 'quit' }
>;

/**
 * The clients of a running `start`: status, restart, stop, scale, quit. They find it by its
 * root, as every command finds the release (docs/control.md).
 */
export async function execute(invocation: ClientInvocation, io: Io): Promise<number> {
  const { root } = await locateApp({
    cwd: io.cwd,
    env: io.env,
    command: invocation.command,
    flags: invocation.flags,
  });
  const { socket } = controlPathsFor(root, io.env);
  const reply = await sendControl(socket, commandOf(invocation), root);
  if (!reply.ok)
    throw new ForemanError(reply.error, reply.hint === undefined ? {} : { hint: reply.hint });
  const { result } = reply;
  if (result.kind === 'done') io.stdout.write(`${result.message}\n`);
  else if (invocation.flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout.write(`${formatStatusTable(result.processes)}\n`);
  return 0;
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
