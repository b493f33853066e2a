import type { Invocation } from '../args.js';
import { formatHelp } from '../help.js';
import type { Io } from '../io.js';

export function execute(
  invocation: Extract<Invocation, { command: 'help' }>,
  io: Io,
): Promise<number> {
  io.stdout.write(`${formatHelp(invocation.topic)}\n`);
  return Promise.resolve(0);
}
