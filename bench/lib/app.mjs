// Scratch app folders (a Procfile and friends) and the marker that tags this run's processes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTmpRoot() {
  const dir = mkdtempSync(join(tmpdir(), 'foreman-ts-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A folder `name` under `root` holding `files` ({ 'Procfile': text, '.env': text }). */
export function makeApp(root, name, files) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/**
 * A `sleep` duration no other process on this shared machine uses (8 followed by six random
 * digits, so about 94 days): `sleep <marker>` in a Procfile tags the processes of this run,
 * and cleanup may kill exactly those.
 */
export function makeMarker() {
  return `8${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
}
