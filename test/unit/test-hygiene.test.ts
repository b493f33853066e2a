import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

/**
 * Tests share the machine with other work: a fixed port may be someone else's (a ready probe
 * cannot tell its server from theirs), and /tmp/foreman-ts-<uid> may belong to another user.
 * The helpers give every test a free base port and its own XDG_RUNTIME_DIR; these checks keep
 * tests from going around them.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((path) => path.endsWith('.ts') || path.endsWith('.mjs'))
    .map((path) => join(ROOT, dir, path));
}

/** `unless`: lines where the pattern means something else (5000 ms is a duration, not a port). */
type Rule = Readonly<{ pattern: RegExp; why: string; unless?: RegExp }>;

const RULES: readonly Rule[] = [
  {
    pattern: /(?<![\d.])5000(?![\d.])/,
    unless: /\b\w*(?:_MS|Ms)\b\s*[=:]\s*5000\b/,
    why: 'the default base port: use testPort(t) (start gets it by default), or DEFAULT_PORT where a test is about the default',
  },
  {
    pattern: /\bcleanEnv\(/,
    why: 'spawn the CLI with testEnv(t): its own XDG_RUNTIME_DIR',
  },
  { pattern: /\/tmp\/foreman-ts/, why: 'the real control folder: use testEnv(t)' },
];

function offences(path: string): string[] {
  const found: string[] = [];
  for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    for (const rule of RULES) {
      if (rule.pattern.test(line) && !(rule.unless?.test(line) ?? false))
        found.push(`${relative(ROOT, path)}:${index + 1}: ${line.trim()} (${rule.why})`);
    }
  }
  return found;
}

t.test('integration tests use the per-test port and runtime dir', async (t) => {
  const files = [...sources('test/integration'), ...sources('fixtures/bin')];
  t.ok(files.length > 10, 'found the tests');
  t.same(files.flatMap(offences), []);
});

t.test('the check catches what it is for', async (t) => {
  const caught = (line: string) => RULES.some((rule) => rule.pattern.test(line));
  t.ok(caught("runCli(t, ['start', '-p', '5000'], { cwd })"));
  t.ok(caught('t.match(out, /PORT=5000/)'));
  t.ok(caught('env: cleanEnv(),'));
  t.ok(caught("statSync('/tmp/foreman-ts-0')"));
  t.notOk(caught('const port = testPort(t) + 100; // 15000 or 50001 are fine'));
});

t.test('a CLI run whose exit code nobody asserted fails its test', async (t) => {
  const { runCli } = await import('../helpers/cli.js');
  const fake = () => {
    const teardowns: (() => unknown)[] = [];
    const failures: string[] = [];
    const test = {
      name: 'a test',
      teardown: (fn: () => unknown) => void teardowns.unshift(fn),
      fail: (message: string) => void failures.push(message),
    };
    const end = async () => {
      for (const fn of teardowns) await fn();
      return failures;
    };
    return { test, end };
  };
  const silent = fake();
  const unread = await runCli(silent.test, ['--version'], { cwd: t.testdir() });
  t.match(unread.stdout, /^foreman-ts /);
  t.same(await silent.end(), [
    '"a test": the exit code of "foreman-ts --version" (0) was never asserted',
  ]);
  const careful = fake();
  const read = await runCli(careful.test, ['--version'], { cwd: t.testdir() });
  t.equal(read.exitCode, 0);
  t.same(await careful.end(), [], 'reading it is enough');
});
