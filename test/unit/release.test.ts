import t from 'tap';
import { parseDotenv } from '../../src/core/dotenv.js';
import { composeEnv, resolveRelease, resolveSettings } from '../../src/core/release.js';
import { InputError, UsageError } from '../../src/errors.js';

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
