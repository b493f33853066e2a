import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ and what each may not import (docs/architecture.md): imports point inward,
 * `cli -> {supervisor, run, io, export, terminal, output} -> core -> errors`. supervisor, run, io,
 * export and terminal never import each other and meet only in cli/; output sits under supervisor
 * and terminal (lines, the Printer, the Screen) and imports none of them; nothing but bin.ts
 * imports cli/.
 */
const SHELL = ['supervisor', 'run', 'io', 'export', 'terminal'];
const FORBIDDEN = {
  core: ['cli', 'output', ...SHELL],
  export: ['cli', 'output', 'supervisor', 'run', 'io', 'terminal'],
  io: ['cli', 'output', 'supervisor', 'run', 'export', 'terminal'],
  supervisor: ['cli', 'run', 'io', 'export', 'terminal'],
  run: ['cli', 'supervisor', 'io', 'export', 'terminal'],
  terminal: ['cli', 'supervisor', 'run', 'io', 'export'],
  output: ['cli', ...SHELL],
};
/** These stay pure: no files, processes, timers, clock or environment, only arguments. */
const PURE = new Set(['core', 'export']);

/** `../io/x.js`, `../../io/x.js`: a relative import reaching into one of `layers`. */
const reaching = (layers) => `^(\\.\\./)+(${layers.join('|')})/`;

function layerRules(layer, forbidden) {
  const message = `src/${layer}/ may not import ${forbidden.join(', ')} (docs/architecture.md)`;
  const patterns = [{ regex: reaching(forbidden), message }];
  if (PURE.has(layer))
    patterns.push({
      group: ['node:*'],
      message: 'the pure core touches no system: pass values in',
    });
  // esquery's regex ends at the first `/`, escaped or not: spell it \x2F.
  const dynamic = `ImportExpression[source.value=/${reaching(forbidden).replaceAll('/', '\\x2F')}/]`;
  const syntax = [{ selector: dynamic, message }];
  if (PURE.has(layer))
    syntax.push({
      selector: 'NewExpression[callee.name="Date"][arguments.length=0]',
      message: 'the clock comes in as an argument (io.now)',
    });
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns }],
      'no-restricted-syntax': ['error', ...syntax],
      ...(PURE.has(layer) && {
        'no-restricted-globals': [
          'error',
          ...['process', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'],
          ...['performance', 'fetch'],
        ],
        'no-restricted-properties': ['error', { object: 'Date', property: 'now' }],
      }),
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tap/', 'coverage/', 'fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error and its ordering; a switch over
    // a union names every member, so a new event or state is a compile-time decision everywhere.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: true },
      ],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // tap's t.test() returns a promise tap itself awaits: the subtest is queued.
          allowForKnownSafePromises: [
            { from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' },
          ],
        },
      ],
    },
  },
  ...Object.entries(FORBIDDEN).map(([layer, forbidden]) => layerRules(layer, forbidden)),
  {
    // The leaves import nothing of ours; nothing but the entry point imports the CLI.
    files: ['src/errors.ts', 'src/signals.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./', message: 'a leaf' }] }],
    },
  },
  {
    files: ['bench/**', 'scripts/**', 'test/**', 'fixtures/**', 'examples/**'],
    // Tests assert exact bytes: padding spaces and escape codes in patterns are the point.
    rules: { 'no-console': 'off', 'no-regex-spaces': 'off', 'no-control-regex': 'off' },
  },
  {
    // tap's callbacks are async by convention, whether or not they await.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
