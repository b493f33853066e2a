import { controlPathsFor } from '../../io/control-client.js';
import { openAttach } from '../../io/attach-client.js';
import { locateApp } from '../../io/load-release.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/**
 * `foreman-ts attach NAME`: a process of the running `start`, from another terminal
 * (docs/control.md#attach). Found by its root as the other clients find it.
 */
export async function execute(
  invocation: Extract<Invocation, { command: 'attach' }>,
  io: Io,
): Promise<number> {
  const { root } = await locateApp({
    cwd: io.cwd,
    env: io.env,
    command: invocation.command,
    flags: invocation.flags,
  });
  const { socket } = controlPathsFor(root, io.env);
  const attached = await openAttach({ socket, target: invocation.target, root });
  const { runAttach, DETACH_KEY_NAME } = await import('../../terminal/attach-session.js');
  io.stderr.write(
    `foreman-ts: attached to ${attached.result.process} (${DETACH_KEY_NAME} detaches)\n`,
  );
  const reason = await runAttach({ attached, stdin: io.stdin, stdout: io.stdout });
  io.stderr.write(`\nforeman-ts: ${reason}\n`);
  return 0;
}
