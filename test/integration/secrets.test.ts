// Secrets by the names and shapes real apps use: one env sample per ecosystem in
// fixtures/secrets/, each secret line marked `# secret`. `env` masks exactly those, and
// `export kubernetes` puts exactly those in the Secret, the rest in the ConfigMap.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { FIXTURES, runCli, type TapTest } from '../helpers/cli.js';

const SAMPLES = join(FIXTURES, 'secrets');
const MASK = '********';
const env = { FOREMAN_TS_APP: undefined, FOREMAN_TS_ENV: undefined };

type Expected = Readonly<{ secret: string[]; plain: string[] }>;

function expectedOf(sample: string): Expected {
  const lines = readFileSync(join(SAMPLES, sample), 'utf8').split('\n');
  const keyOf = (line: string): string => line.slice(0, line.indexOf('='));
  const pairs = lines.filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line));
  const isMarked = (line: string): boolean => /\s#\s*secret\s*$/.test(line);
  return {
    secret: pairs.filter(isMarked).map(keyOf),
    plain: pairs.filter((line) => !isMarked(line)).map(keyOf),
  };
}

async function envJson(t: TapTest, cwd: string, args: string[]): Promise<Record<string, string>> {
  const result = await runCli(t, ['env', '--json', '--env-override', ...args], { cwd, env });
  t.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

const pick = (from: Record<string, string>, keys: readonly string[]): Record<string, string> =>
  Object.fromEntries(keys.map((key) => [key, from[key] ?? '(missing)']));

for (const sample of readdirSync(SAMPLES).filter((name) => name.endsWith('.env'))) {
  t.test(`${sample}: env masks exactly the secrets, --show-secrets shows them`, async (t) => {
    const cwd = t.testdir();
    const { secret, plain } = expectedOf(sample);
    const file = join(SAMPLES, sample);
    const shown = await envJson(t, cwd, ['-e', file]);
    const clear = await envJson(t, cwd, ['-e', file, '--show-secrets']);
    t.same(pick(shown, plain), pick(clear, plain), 'the others are shown as they are');
    for (const key of secret) {
      t.ok(shown[key]?.includes(MASK), `${key} is masked: ${shown[key]}`);
      t.not(shown[key], clear[key], `${key} differs from its value`);
    }
    t.ok(secret.length > 0 && plain.length > 0, 'the sample has both kinds');
  });

  t.test(`${sample}: export kubernetes keeps the secrets out of the ConfigMap`, async (t) => {
    const cwd = t.testdir({ Procfile: 'web: node web.js\n' });
    const { secret, plain } = expectedOf(sample);
    const args = ['export', 'kubernetes', 'k', '-e', join(SAMPLES, sample), '--env-override'];
    const result = await runCli(t, [...args, '--image', 'app:1', '-a', 'app'], { cwd, env });
    t.equal(result.exitCode, 0, result.stderr);
    const read = (name: string): Record<string, Record<string, string> | undefined> =>
      parse(readFileSync(join(cwd, 'k', name), 'utf8')) as Record<string, never>;
    const data = read('configmap.yaml').data ?? {};
    const stringData = read('secret.yaml').stringData ?? {};
    const shared = (keys: string[]): string[] => keys.filter((key) => key !== 'PORT').sort();
    t.same(Object.keys(data).sort(), shared(plain), 'the ConfigMap holds the others');
    t.same(Object.keys(stringData).sort(), shared(secret), 'the Secret holds the secrets');
  });
}

t.test('.foreman marks names secret or not, with * patterns', async (t) => {
  const cwd = t.testdir({
    '.env': 'SKYLIGHT_AUTHENTICATION=made-up\nSUPABASE_ANON_KEY=eyJ0.eyJ1.x\nVITE_API_KEY=k\n',
    '.foreman': 'secrets: [SKYLIGHT_*]\nnot_secrets: [SUPABASE_ANON_KEY, VITE_*]\n',
  });
  const shown = await envJson(t, cwd, []);
  t.same(pick(shown, ['SKYLIGHT_AUTHENTICATION', 'SUPABASE_ANON_KEY', 'VITE_API_KEY']), {
    SKYLIGHT_AUTHENTICATION: MASK,
    SUPABASE_ANON_KEY: 'eyJ0.eyJ1.x',
    VITE_API_KEY: 'k',
  });
  const flagged = await envJson(t, cwd, ['--secrets', 'VITE_API_KEY']);
  t.equal(flagged.VITE_API_KEY, MASK, 'a flag adds to .foreman, and secrets wins');
});

t.test('error messages do not quote a secret from the input', async (t) => {
  const token = 'sk_live_madeUp0123456789abcdef';
  const cwd = t.testdir({
    '.env': `A=1\n${token}\nDB_PASS="first-half"second-half\nGOOD=1\n`,
    Procfile: 'web: node web.js\nDB_PASS=hunter2 node worker.js\n',
  });
  const result = await runCli(t, ['check'], { cwd, env });
  t.equal(result.exitCode, 1);
  t.notMatch(result.stderr, /madeUp|second-half|hunter2/, result.stderr);
  t.match(
    result.stderr,
    /\.env:2: expected KEY=value: the name at column 1 is not followed by "="/,
  );
  t.match(result.stderr, /\.env:3: DB_PASS: unexpected text after the closing quote, at column 21/);
});
