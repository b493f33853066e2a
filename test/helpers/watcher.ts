import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bin, eventually, FIXTURES, type TapTest } from './cli.js';

/**
 * The real `esbuild --watch` (a devDependency): it stops at once when its stdin reaches EOF
 * ("stopped automatically because stdin was closed"), so it proves a child's stdin stays open,
 * and a rebuild after an edit proves it is watching, not merely alive.
 */
export const ESBUILD = resolve(FIXTURES, '..', 'node_modules/.bin/esbuild');

/** An app whose `js` type is the real watcher, next to a process that prints and waits. */
export function watcherApp(t: TapTest): string {
  return t.testdir({
    'in.js': 'console.log("first build")\n',
    Procfile: `js: ${ESBUILD} --watch in.js --outfile=out.js\nidle: ${bin('forever.mjs')}\n`,
  });
}

/** Edit the entry file and wait until the watcher has written the new bundle. */
export async function provesWatching(dir: string): Promise<boolean> {
  writeFileSync(join(dir, 'in.js'), 'console.log("second build")\n');
  return eventually(() => {
    try {
      return readFileSync(join(dir, 'out.js'), 'utf8').includes('second build');
    } catch {
      return false;
    }
  }, 20_000);
}
