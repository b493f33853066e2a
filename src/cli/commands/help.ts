import type { Invocation } from '../args.js';
import { formatHelp } from '../help.js';
import type { Io } from '../io.js';

export async function execute(
  invocation: Extract<Invocation, { command: 'help' }>,
  io: Io,
): Promise<number> {
  io.stdout.write(`${formatHelp(invocation.topic)}\n`);
  return 0;
}
