import type { Io } from '../io.js';

/** Set at build time (scripts/build.mjs) from package.json. */
declare const __FOREMAN_TS_VERSION__: string;

export function execute(_invocation: unknown, io: Io): Promise<number> {
  io.stdout.write(`foreman-ts ${__FOREMAN_TS_VERSION__}\n`);
  return Promise.resolve(0);
}
