// Regenerate the export golden files, fixtures/export/<format>/, with the built CLI:
//   npm run build && node scripts/regen-export-goldens.mjs
// then review the diff. The arguments live in fixtures/export/goldens.json, which the
// integration test (test/integration/export.test.ts) reads too. The CLI runs with a bare
// environment, so the exporting shell cannot change the goldens, and the repository's own
// path is replaced by a fixed one, so they do not depend on where the checkout is.
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = JSON.parse(readFileSync(join(ROOT, 'fixtures/export/goldens.json'), 'utf8'));

function listFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

for (const [format, extra] of Object.entries(CONFIG.formats)) {
  const out = mkdtempSync(join(tmpdir(), `foreman-ts-golden-${format}-`));
  try {
    const args = ['export', format, out, ...CONFIG.common, ...extra];
    execFileSync(process.execPath, [join(ROOT, 'dist/bin.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const target = join(ROOT, 'fixtures/export', format);
    rmSync(target, { recursive: true, force: true });
    for (const path of listFiles(out)) {
      const source = join(out, path);
      const content = readFileSync(source, 'utf8').split(ROOT).join(CONFIG.rootPlaceholder);
      mkdirSync(dirname(join(target, path)), { recursive: true });
      writeFileSync(join(target, path), content, { mode: statSync(source).mode & 0o777 });
    }
    console.log(`${relative(ROOT, target)}: ${listFiles(out).length} files`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
