// Build the CLI with esbuild into two CommonJS files:
// - dist/bin.js, the entry: only the signal intake (src/signals.ts), then a require() of the
//   rest. As PID 1 a stop signal that lands before our handlers exist is lost (the kernel
//   drops it, or Node's own handler swallows it), and V8 parses a whole file before running
//   its first line: with everything in one 180 kB file the handlers came ~25 M instructions
//   (~5%) after those of an empty script; from this small entry they come as early as any
//   Node program's first line can (docs/container.md, "The start-up window").
// - dist/cli/main.js, one bundle of everything else. A single CJS file loads ~5% faster than
//   the same code as 16 ES modules (benchmarks.md, "run true"): `run` is on every deploy's
//   critical path; the second file costs it ~0.8%. Commands stay lazy inside it: esbuild turns
//   each `import()` into a wrapper evaluated only when called, so `run` never evaluates start
//   or export code. yaml, pino, koffi and @lydell/node-pty stay outside, required only where
//   they are needed.
// Type-checking is `npm run typecheck` (tsc); esbuild only strips types.
import { build } from 'esbuild';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // import() of the other file becomes require(): no ES-module loader on the way.
  supported: { 'dynamic-import': false },
  external: ['@lydell/node-pty', 'koffi', 'pino', 'yaml'],
  sourcemap: true,
  define: { __FOREMAN_TS_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

/** bin.ts's import('./cli/main.js') stays a separate file, loaded after the handlers. */
const cliApart = {
  name: 'cli-apart',
  setup(onBuild) {
    onBuild.onResolve({ filter: /^\.\/cli\/main\.js$/ }, ({ path }) => ({ path, external: true }));
  },
};

await rm(dist, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(root, 'src/bin.ts')],
  outfile: join(dist, 'bin.js'),
  plugins: [cliApart],
});
await build({
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(dist, 'cli/main.js'),
});
// The package is ESM ("type": "module"); this marks both files as CommonJS.
await writeFile(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
await chmod(join(dist, 'bin.js'), 0o755);
