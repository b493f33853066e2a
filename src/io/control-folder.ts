import { readdirSync } from 'node:fs';

/**
 * Whether a `start` of ours may be listening anywhere: a socket in one of the folders
 * control-place.ts may choose. `run` asks this first (docs/run.md#drift): finding the socket
 * of its own root takes a SHA-256 of the root, and loading node:crypto alone costs `run true`
 * about 2% (docs/benchmarks.md); listing a folder costs nothing measurable. Conservative: any
 * socket there, even another root's, sends `run` on to the exact check.
 */
export function mayHaveStarts(env: Readonly<Record<string, string | undefined>>): boolean {
  const uid = process.getuid?.() ?? 0;
  const xdg = env.XDG_RUNTIME_DIR;
  const bases =
    xdg !== undefined && xdg !== ''
      ? [xdg]
      : [`/run/user/${uid}`, ...(env.HOME === undefined ? [] : [`${env.HOME}/.cache`])];
  return bases.some((base) => hasSocket(`${base.replace(/\/+$/, '')}/foreman-ts-${uid}`));
}

function hasSocket(folder: string): boolean {
  try {
    return readdirSync(folder).some((name) => name.endsWith('.sock'));
  } catch {
    return false;
  }
}
