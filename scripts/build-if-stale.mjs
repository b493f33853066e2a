// tap's `before` (package.json): the integration tests run the bundle, dist/bin.js, so a test
// run must never see a bundle older than its sources (`npx tap test/integration/x.test.ts`
// right after an edit). It builds only when an input is newer than the bundle: `npm test` has
// just built, and then this costs a few stats.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What the bundle is made of: folders count too (a deleted file changes its folder's mtime). */
const INPUTS = ['src', 'scripts/build.mjs', 'package.json', 'package-lock.json'];

/** Whether `root`'s bundle is missing or older than one of its inputs. */
export function isStale(root) {
  const built = mtimeOf(join(root, 'dist', 'bin.js'));
  if (built === undefined) return true;
  return INPUTS.some((input) => newestUnder(join(root, input)) > built);
}

function newestUnder(path) {
  let newest = mtimeOf(path) ?? 0;
  for (const entry of entriesOf(path)) newest = Math.max(newest, mtimeOf(join(path, entry)) ?? 0);
  return newest;
}

function entriesOf(path) {
  try {
    return readdirSync(path, { recursive: true });
  } catch {
    return []; // a file, or absent
  }
}

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && isStale(ROOT)) {
  process.stderr.write('dist/bin.js is missing or older than its sources: building it first\n');
  await import('./build.mjs');
}
