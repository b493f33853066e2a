import type { CommandName, Flags } from '../core/options.js';
import type { Release } from '../core/release.js';
import { loadRelease } from '../io/load-release.js';
import { parseEnvTwins } from '../core/options.js';
import type { Io } from './io.js';

/** The release for a command: its flags over its FOREMAN_TS_* twins over `.foreman`. */
export function loadReleaseFor(
  { command, flags }: { command: CommandName; flags: Flags },
  io: Io,
  { needsProcfile }: { needsProcfile: boolean },
): Promise<Release> {
  return loadRelease({
    cwd: io.cwd,
    inherited: io.env,
    flags,
    envFlags: parseEnvTwins(io.env, command),
    needsProcfile,
  });
}
