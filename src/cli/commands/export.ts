import { UsageError } from '../../errors.js';
import type { Invocation } from '../args.js';
import type { Io } from '../io.js';

export async function execute(
  _invocation: Extract<Invocation, { command: 'export' }>,
  _io: Io,
): Promise<number> {
  throw new UsageError('export is not available yet');
}
