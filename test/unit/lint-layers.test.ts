import { ESLint } from 'eslint';
import t from 'tap';
import tseslint from 'typescript-eslint';

/**
 * The import rule of docs/architecture.md, as eslint.config.js enforces it: each case is a line
 * of code at a path in src/, and whether the layer rules must reject it. Type-aware rules are
 * off here: the files are not on disk, and these rules need no types.
 */
const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfig: tseslint.configs.disableTypeChecked,
});
const LAYER_RULES = new Set([
  'no-restricted-imports',
  'no-restricted-syntax',
  'no-restricted-globals',
  'no-restricted-properties',
]);

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId !== null && LAYER_RULES.has(message.ruleId))
    .map((message) => message.message);
}

const REJECTED: readonly [string, string][] = [
  ['src/supervisor/x.ts', "import { loadRelease } from '../io/load-release.js';"],
  ['src/supervisor/x.ts', "import type { Plan } from '../export/plan.js';"],
  ['src/io/x.ts', "import type { Reaper } from '../supervisor/reaper.js';"],
  ['src/io/x.ts', "import { relay } from '../run/relay.js';"],
  ['src/run/x.ts', "const m = await import('../export/index.js');"],
  ['src/export/x.ts', "import { spawnChild } from '../supervisor/child.js';"],
  ['src/output/x.ts', "import { spawnChild } from '../supervisor/child.js';"],
  ['src/output/x.ts', "import { main } from '../cli/main.js';"],
  ['src/core/supervision/x.ts', "import type { Output } from '../../output/output.js';"],
  ['src/core/x.ts', "import { readFileSync } from 'node:fs';"],
  ['src/core/x.ts', 'const home = process.env.HOME;'],
  ['src/core/x.ts', 'const at = new Date();'],
  ['src/core/x.ts', 'const at = Date.now();'],
  ['src/core/x.ts', 'setTimeout(() => undefined, 1);'],
  ['src/export/x.ts', "import { join } from 'node:path';"],
  ['src/errors.ts', "import type { Outcome } from './core/outcome.js';"],
];
const ALLOWED: readonly [string, string][] = [
  ['src/supervisor/x.ts', "import { Printer } from '../output/printer.js';"],
  ['src/supervisor/x.ts', "import { spawn } from 'node:child_process';"],
  ['src/cli/commands/x.ts', "import { loadRelease } from '../../io/load-release.js';"],
  ['src/cli/commands/x.ts', "const m = await import('../../export/index.js');"],
  ['src/export/x.ts', "import { quoteWord } from '../core/shell.js';"],
  ['src/core/x.ts', "import { parse } from 'yaml';"],
  ['src/core/x.ts', 'const at = new Date(0);'],
  ['src/bin.ts', "import { installSignalHandlers } from './signals.js';"],
];

t.test('imports that cross the layers are lint errors', async (t) => {
  for (const [file, code] of REJECTED)
    t.not((await layerErrors(file, code)).length, 0, `${file}: ${code}`);
});

t.test('imports that point inward pass', async (t) => {
  for (const [file, code] of ALLOWED) t.same(await layerErrors(file, code), [], `${file}: ${code}`);
});
