import { escapeText } from '../../core/escape-text.js';
import { ForemanError } from '../../errors.js';
import { openAttach } from '../../io/attach-client.js';
import { controlPlaceFor, isControlSocketThere } from '../../io/control-place.js';
import { locateApp } from '../../io/load-release.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

/**
 * `foreman-ts attach NAME`: a process of the running `start`, from another terminal
 * (docs/control.md#attach). Found by its root as the other clients find it, through a folder
 * and socket of our own user only.
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
  const place = controlPlaceFor(root, io.env);
  if (!isControlSocketThere(place))
    throw new ForemanError(`no foreman-ts start is running in ${root}`, {
      hint: 'start one with "foreman-ts start", or point at its app with -d/--root',
    });
  const attached = await openAttach({ socket: place.socket, target: invocation.target, root });
  const { runAttach, DETACH_KEY_NAME } = await import('../../terminal/attach-session.js');
  const { process } = attached.result;
  io.stderr.write(`foreman-ts: attached to ${process} (${DETACH_KEY_NAME} detaches)\n`);
  const reason = await runAttach({ attached, stdin: io.stdin, stdout: io.stdout });
  // The reason may come from the socket: shown escaped, never obeyed.
  io.stderr.write(`\nforeman-ts: ${escapeText(reason)}\n`);
  return 0;
}
