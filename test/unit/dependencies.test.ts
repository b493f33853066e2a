import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

/**
 * What a user installs is what src/ uses: every runtime dependency is imported by src/, and
 * src/ imports nothing else but Node's own modules (test tools stay devDependencies).
 */
const ROOT = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
/** `from 'x'`, `import('x')`, and a package loaded by a name kept in a `*_PACKAGE` constant. */
const IMPORT = /(?:from\s+|import\s*\(\s*|_PACKAGE\s*=\s*)'([^'.][^']*)'/g;

function importedPackages(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(ROOT, 'src', file), 'utf8');
    for (const [, specifier = ''] of text.matchAll(IMPORT)) {
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
    }
  }
  return names;
}

t.test('runtime dependencies are exactly what src/ imports', async (t) => {
  const runtime = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ];
  t.same([...importedPackages()].sort(), runtime.sort());
});
