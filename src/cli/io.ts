import type { SignalSource } from '../signals.js';

/** Everything a command touches of the outside world, passed in so tests and PID 1 agree. */
export type Io = Readonly<{
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Read only when it is a terminal (`start`'s terminal mode): creating it has a cost. */
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signals: SignalSource;
  now: () => Date;
}>;
