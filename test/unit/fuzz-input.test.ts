import fc from 'fast-check';
import t from 'tap';
import { parseDefaults } from '../../src/core/defaults.js';
import { parseDotenv } from '../../src/core/dotenv.js';
import type { ProcessSpec } from '../../src/core/formation.js';
import { checkPolicies } from '../../src/core/policy.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { wrapCommand } from '../../src/core/shell.js';
import { planStart } from '../../src/core/start-plan.js';
import { ForemanError, InputError, listProblems } from '../../src/errors.js';

/**
 * Hostile input for the three files every command reads: whatever the text, reading it and
 * deciding what `start` would run (what `check` does) gives a plan or errors that are ours,
 * one line each, located in the file, with nothing a terminal would act on. Anything else
 * (a TypeError, a RangeError, a stack overflow) is an internal error: exit 70.
 */

/** Characters that matter to the three syntaxes, and some that must never reach a terminal. */
const HOSTILE = [
  ...'abcXYZ_09-.:=#$"\'\\{}[]()*&|;<>`~,@!?%/ \t\n\n\n\r',
  '\0',
  '\u001b',
  '\u0007',
  '\u009b',
  '\u202e',
  '\u2028',
  '\ufeff',
  'é',
  '✓',
  '\ud800',
  '${',
  ':-',
  '${X:-',
  '}',
  '\n  ',
  '- ',
  '*a',
  '&a ',
  '"\\0"',
  '"\\e"',
  '---\n',
];

const hostileText = fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength: 200 });

/** Lines that look like the real thing, so the parsers get past their first check. */
const KEY = fc.constantFrom(
  'web',
  'worker',
  'A',
  'PORT',
  'all',
  'release',
  'X_1',
  'a-b',
  'w'.repeat(70),
);
const procfileLike = fc
  .array(
    fc.tuple(KEY, hostileText).map(([name, command]) => `${name}: ${command}`),
    {
      maxLength: 8,
    },
  )
  .map((lines) => lines.join('\n'));
const dotenvLike = fc
  .array(
    fc
      .tuple(KEY, fc.constantFrom('', "'", '"'), hostileText)
      .map(([key, quote, value]) => `${key}=${quote}${value}${quote}`),
    { maxLength: 8 },
  )
  .map((lines) => lines.join('\n'));
const FOREMAN_KEY = fc.constantFrom(
  'port',
  'timeout',
  'env',
  'procfile',
  'formation',
  'processes',
  'color',
  'bogus',
);
const foremanLike = fc
  .array(
    fc.tuple(FOREMAN_KEY, hostileText).map(([key, value]) => `${key}: ${value}`),
    { maxLength: 6 },
  )
  .map((lines) => lines.join('\n'));

const anyProcfile = fc.oneof(hostileText, procfileLike);
const anyDotenv = fc.oneof(hostileText, dotenvLike);
const anyForeman = fc.oneof(hostileText, foremanLike);

const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What `check` decides from the three texts, with no file system: a plan or our error. */
function check(procfile: string, dotenv: string, foreman: string): void {
  const defaults = parseDefaults(foreman, '.foreman');
  const entries = parseProcfile(procfile, 'Procfile');
  const env = { path: '/app/.env', label: '.env', entries: parseDotenv(dotenv, '.env') };
  const types = entries.map((entry) => entry.name);
  const problems = checkPolicies(defaults.policies, types, '.foreman');
  const [problem] = problems;
  if (problem !== undefined) throw problem;
  const release = resolveRelease({
    root: '/app',
    procfile: { path: '/app/Procfile', entries },
    envFiles: [env],
    inherited: { PATH: '/usr/bin:/bin', HOME: '/home/app' },
    settings: defaults.flags,
    policies: defaults.policies,
  });
  const plan = planStart(release, { only: [] });
  for (const spec of [...plan.specs, ...(plan.releasePhase ? [plan.releasePhase] : [])]) {
    const why = unspawnable(spec);
    if (why !== undefined) throw new Error(`check said valid, but ${spec.name} ${why}`);
  }
}

/** What Linux's exec would refuse in what `start` spawns (`/bin/sh -c SCRIPT`, with its env). */
function unspawnable({ command, env }: ProcessSpec): string | undefined {
  const strings = [wrapCommand(command), ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  if (strings.some((text) => text.includes('\0'))) return 'has a NUL byte';
  const sizes = strings.map((text) => Buffer.byteLength(text));
  if (sizes.some((size) => size > 131_071)) return 'has a string over 128 KiB';
  if (sizes.reduce((sum, size) => sum + size + 9, 0) > 2 * 1024 * 1024) return 'is over ARG_MAX';
  return undefined;
}

/** Why `error` is not one of ours, or undefined when it is. */
function notOurs(error: unknown, texts: Readonly<Record<string, string>>): string | undefined {
  if (!(error instanceof ForemanError)) return `not a ForemanError: ${String(error)}`;
  for (const problem of listProblems(error)) {
    const line = `${problem.message} ${problem.hint ?? ''}`;
    if (TERMINAL_CONTROLS.test(line)) return `a control character in ${JSON.stringify(line)}`;
    if (!(problem instanceof InputError)) continue;
    const text = texts[problem.file];
    if (text === undefined) return `an unknown file in ${JSON.stringify(line)}`;
    const lines = text.split(/\r\n|\r|\n/).length;
    if (problem.line < 1 || problem.line > lines + 1)
      return `line ${problem.line} of ${lines} in ${JSON.stringify(line)}`;
  }
  return undefined;
}

t.test('property: hostile files give a plan or located errors of ours', async (t) => {
  fc.assert(
    fc.property(anyProcfile, anyDotenv, anyForeman, (procfile, dotenv, foreman) => {
      try {
        check(procfile, dotenv, foreman);
        return true;
      } catch (error) {
        const texts = { Procfile: procfile, '.env': dotenv, '.foreman': foreman };
        const why = notOurs(error, texts);
        if (why !== undefined) throw new Error(why, { cause: error });
        return true;
      }
    }),
    { numRuns: 3000 },
  );
  t.pass('every input handled');
});

t.test('property: each parser alone, on longer input', async (t) => {
  const long = fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength: 3000 });
  const parsers: ReadonlyArray<readonly [string, (text: string) => unknown]> = [
    ['Procfile', (text) => parseProcfile(text, 'Procfile')],
    ['.env', (text) => parseDotenv(text, '.env')],
    ['.foreman', (text) => parseDefaults(text, '.foreman')],
  ];
  for (const [file, parse] of parsers) {
    fc.assert(
      fc.property(long, (text) => {
        try {
          parse(text);
        } catch (error) {
          const why = notOurs(error, { [file]: text });
          if (why !== undefined) throw new Error(why, { cause: error });
        }
      }),
      { numRuns: 300 },
    );
  }
  t.pass('every input handled');
});
