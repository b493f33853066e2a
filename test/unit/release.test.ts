import t from 'tap';
import { parseDotenv } from '../../src/core/dotenv.js';
import { composeEnv, resolveRelease, resolveSettings } from '../../src/core/release.js';
import { InputError, InputErrors, UsageError } from '../../src/errors.js';

const file = (path: string, text: string) => ({
  path: `/app/${path}`,
  label: path,
  entries: parseDotenv(text, path),
});

t.test('the inherited environment beats env files by default', async (t) => {
  const { env } = composeEnv({
    inherited: { A: 'shell', PATH: '/bin' },
    files: [file('.env', 'A=file\nB=file')],
    override: false,
  });
  t.same(env, { A: 'shell', B: 'file', PATH: '/bin' });
});

t.test('--env-override makes env files win', async (t) => {
  const { env } = composeEnv({
    inherited: { A: 'shell' },
    files: [file('.env', 'A=file')],
    override: true,
  });
  t.equal(env.A, 'file');
});

t.test('later files override earlier ones, and may refer to them', async (t) => {
  const { env } = composeEnv({
    inherited: {},
    files: [file('a.env', 'A=1\nB=one'), file('b.env', 'A=2\nC=${B}-$A')],
    override: false,
  });
  t.same(env, { A: '2', B: 'one', C: 'one-2' });
});

t.test('expansion sees the value that wins', async (t) => {
  const files = [file('.env', 'A=file\nB=$A')];
  t.equal(composeEnv({ inherited: { A: 'shell' }, files, override: false }).env.B, 'shell');
  t.equal(composeEnv({ inherited: { A: 'shell' }, files, override: true }).env.B, 'file');
});

const base = { root: '/app', procfile: undefined, envFiles: [], settings: {} };

t.test('origins: every key the files set, where it was set last', async (t) => {
  const files = [file('a.env', 'A=1\nB=2'), file('b.env', 'A=3')];
  const { origins } = composeEnv({ inherited: { A: 'x' }, files, override: false });
  t.same(
    [...origins],
    [
      ['B', { file: 'a.env', line: 2 }],
      ['A', { file: 'b.env', line: 1 }],
    ],
  );
});

t.test('a bad PORT set by the shell is not blamed on a file', async (t) => {
  t.throws(
    () => resolveRelease({ ...base, envFiles: [file('.env', 'PORT=1')], inherited: { PORT: 'x' } }),
    UsageError,
  );
});

t.test('the base port: -p, else PORT in the release env, else 5000', async (t) => {
  t.equal(resolveRelease({ ...base, inherited: {} }).basePort, 5000);
  t.equal(resolveRelease({ ...base, inherited: { PORT: '6000' } }).basePort, 6000);
  t.equal(
    resolveRelease({ ...base, inherited: { PORT: '6000' }, settings: { port: 7000 } }).basePort,
    7000,
  );
  const envFiles = [file('.env', 'PORT=7100')];
  t.equal(resolveRelease({ ...base, envFiles, inherited: {} }).basePort, 7100);
});

t.test('a bad PORT is located', async (t) => {
  t.throws(
    () => resolveRelease({ ...base, envFiles: [file('.env', 'X=1\nPORT=abc')], inherited: {} }),
    InputError,
  );
  t.throws(() => resolveRelease({ ...base, envFiles: [file('.env', 'PORT=abc')], inherited: {} }), {
    message: '.env:1: PORT is "abc", expected a port number (1-65535)',
  });
  t.throws(() => resolveRelease({ ...base, inherited: { PORT: 'x' } }), UsageError);
});

t.test('PWD is the root: processes run there', async (t) => {
  t.equal(resolveRelease({ ...base, inherited: { PWD: '/elsewhere' } }).env.PWD, '/app');
});

t.test('the grace period comes from --timeout in seconds', async (t) => {
  t.equal(resolveRelease({ ...base, inherited: {} }).graceMs, 5000);
  t.equal(resolveRelease({ ...base, inherited: {}, settings: { timeout: 0.5 } }).graceMs, 500);
});

t.test('settings layer: later layers win, paths resolve against their own folder', async (t) => {
  const join = (b: string, p: string) => (p.startsWith('/') ? p : `${b}/${p}`);
  const merged = resolveSettings(
    [
      { base: '/app', flags: { procfile: 'P', port: 1, env: ['a.env'], timestamp: false } },
      { base: '/cwd', flags: { port: 2 } },
      { base: '/cwd', flags: { env: ['b.env', '/abs.env'] } },
    ],
    join,
  );
  t.same(merged, {
    procfile: '/app/P',
    port: 2,
    env: ['/cwd/b.env', '/abs.env'],
    timestamp: false,
  });
});

/** The messages of what `read` throws, one per problem; [] if nothing. */
function problemsOf(read: () => unknown): string[] {
  try {
    read();
    return [];
  } catch (error) {
    const problems = error instanceof InputErrors ? error.problems : [error as Error];
    return problems.map((problem) => problem.message);
  }
}

t.test('a chain of doubling expansions stops at the value limit, at its line', async (t) => {
  const lines = ['V0=xxxxxxxx', ...Array.from({ length: 30 }, (_, n) => `V${n + 1}=$V${n}$V${n}`)];
  const files = [file('.env', lines.join('\n'))];
  t.same(
    problemsOf(() => composeEnv({ inherited: {}, files, override: false })),
    ['.env:15: V14: its value expands to more than 128,000 bytes'],
  );
});

t.test(
  'a value of 128 KiB is refused at its line; the limit counts KEY= and UTF-8 bytes',
  async (t) => {
    const compose = (text: string) => () =>
      composeEnv({
        inherited: { BIG: 'x'.repeat(100_000) },
        files: [file('.env', text)],
        override: false,
      });
    t.same(problemsOf(compose(`A=1\nK=${'x'.repeat(127_998)}\n`)), []);
    t.same(problemsOf(compose(`A=1\nK=${'x'.repeat(127_999)}\n`)), [
      '.env:2: K: "K=value" is 128,001 bytes, over the limit of 128,000 bytes',
    ]);
    t.same(problemsOf(compose(`K="${'é'.repeat(64_000)}"\n`)), [
      '.env:1: K: "K=value" is 128,002 bytes, over the limit of 128,000 bytes',
    ]);
    t.same(problemsOf(compose('K=$BIG$BIG\n')), [
      '.env:1: K: its value expands to more than 128,000 bytes',
    ]);
  },
);

t.test(
  'the whole environment is limited to 1 MiB, blamed on the line that passes it',
  async (t) => {
    const lines = Array.from({ length: 100_000 }, (_, n) => `KEY_${n}=value${n}`).join('\n');
    const release = () =>
      resolveRelease({ ...base, inherited: { PATH: '/bin' }, envFiles: [file('.env', lines)] });
    const [problem, ...more] = problemsOf(release);
    t.same(more, []);
    t.match(
      problem,
      /^\.env:(\d+): KEY_\d+: here the environment passes the limit of 1,048,576 bytes \(2,\d{3},\d{3} bytes in all, as exec counts it\)$/,
    );
    const line = Number(/^\.env:(\d+)/.exec(problem ?? '')?.[1]);
    t.ok(
      line > 30_000 && line < 40_000,
      `the total passes 1 MiB around line 35,000, not at ${line}`,
    );
    const few = Array.from({ length: 1000 }, (_, n) => `KEY_${n}=value${n}`).join('\n');
    t.same(
      problemsOf(() => resolveRelease({ ...base, inherited: {}, envFiles: [file('.env', few)] })),
      [],
    );
  },
);
