import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { controlPaths } from '../core/control.js';
import { ForemanError } from '../errors.js';

export type ControlPlace = Readonly<{ dir: string; socket: string }>;

/** Where the socket of the `start` running in `root` is: the one rule for server and clients. */
export function controlPlaceFor(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): ControlPlace {
  return controlPaths({
    root: realRoot(root),
    runtimeDir: env.XDG_RUNTIME_DIR || '/tmp',
    uid: process.getuid?.() ?? 0,
    digest: (text) => createHash('sha256').update(text).digest('hex'),
  });
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

/** Our own folder, not reachable by others: created 0700, and refused if it is not ours. */
export async function makeControlFolder(dir: string): Promise<void> {
  // Not recursive: the runtime folder must exist (a recursive mkdir under /proc never returns).
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const stat = await lstat(dir);
  const uid = process.getuid?.() ?? stat.uid;
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8);
    throw new ForemanError(
      `control folder ${dir} is not private (mode ${mode}, owner ${stat.uid})`,
      {
        hint: 'remove it, set XDG_RUNTIME_DIR to a folder of yours, or pass --no-control',
      },
    );
  }
}
