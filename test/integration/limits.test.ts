import t from 'tap';
import { runCli, type TapTest } from '../helpers/cli.js';

/**
 * Input that used to crash us (exit 70: "this is a bug") or die at spawn with E2BIG while
 * `check` said valid. Each must be a located error from `check`, and the same from `start`
 * and `run`, before anything runs.
 */
async function refused(
  t: TapTest,
  files: Record<string, string | Buffer>,
  expected: RegExp,
): Promise<void> {
  const cwd = t.testdir(files);
  for (const args of [['check'], ['start'], ['run', 'true']]) {
    const result = await runCli(t, args, { cwd });
    t.equal(result.exitCode, 1, `${args.join(' ')} exits 1: ${result.stderr.slice(0, 300)}`);
    t.match(result.stderr, expected, args.join(' '));
    t.notMatch(result.stderr, /internal error|E2BIG/, args.join(' '));
    t.equal(result.stdout, '', `${args.join(' ')}: nothing started`);
  }
}

t.test('a NUL byte in a Procfile command', async (t) => {
  await refused(
    t,
    { Procfile: 'web: echo ok\nnul: echo a\0b\n' },
    /^foreman-ts: Procfile:2: a NUL byte at column 12 /m,
  );
});

t.test('a NUL byte in an env file, in a value or a key', async (t) => {
  const procfile = 'web: echo ok\n';
  await refused(
    t,
    { Procfile: procfile, '.env': 'A=1\nB=x\0y\n' },
    /\.env:2: a NUL byte at column 4/,
  );
  await refused(t, { Procfile: procfile, '.env': 'A\0B=1\n' }, /\.env:1: a NUL byte at column 2/);
});

t.test('a NUL byte in .foreman, as YAML writes it', async (t) => {
  await refused(
    t,
    { Procfile: 'web: echo ok\n', '.foreman': 'procfile: "Proc\\0file"\n' },
    /\.foreman:1: "procfile" must be text without NUL bytes/,
  );
});

t.test(
  'bytes that are not UTF-8 would reach the program changed: refused at their line',
  async (t) => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    await refused(
      t,
      { Procfile: latin1('web: echo ok\ncafe: echo caf\u00e9 \u00e9\n') },
      /^foreman-ts: Procfile:2: a byte that is not UTF-8 \(\\xe9\) at column 15 \(hint: save the file as UTF-8\)$/m,
    );
    const procfile = 'web: echo ok\n';
    await refused(
      t,
      { Procfile: procfile, '.env': latin1('A=\u00e9t\u00e9\nB=1\n') },
      /^foreman-ts: \.env:1: a byte that is not UTF-8 \(\\xe9\) at column 3 /m,
    );
    await refused(
      t,
      {
        Procfile: procfile,
        '.foreman': Buffer.from([...Buffer.from('timeout: 1\napp: x'), 0xff, 0x0a]),
      },
      /^foreman-ts: \.foreman:2: a byte that is not UTF-8 \(\\xff\) at column 7 /m,
    );
  },
);

t.test('${X:-${X:-...}} nested thousands deep', async (t) => {
  const depth = 4000;
  const env = `A=${'${X:-'.repeat(depth)}v${'}'.repeat(depth)}\n`;
  await refused(
    t,
    { Procfile: 'web: echo ok\n', '.env': env },
    /\.env:1: A: "\$\{\.\.\.\}" nested more than 16 deep/,
  );
});

t.test('a chain of doubling expansions', async (t) => {
  const lines = [
    'V0=0123456789abcdef',
    ...Array.from({ length: 26 }, (_, n) => `V${n + 1}=$V${n}$V${n}`),
  ];
  await refused(
    t,
    { Procfile: 'web: echo ok\n', '.env': `${lines.join('\n')}\n` },
    /\.env:14: V13: its value expands to more than 128,000 bytes/,
  );
});

t.test('a value or a command of 128 KiB', async (t) => {
  const big = 'x'.repeat(128 * 1024);
  await refused(
    t,
    { Procfile: 'web: echo ok\n', '.env': `A=1\nBIG=${big}\n` },
    /\.env:2: BIG: "BIG=value" is 131,076 bytes, over the limit of 128,000 bytes/,
  );
  await refused(
    t,
    { Procfile: `web: echo ok\nbig: echo ${big}\n` },
    /Procfile:2: the command of "big" is 131,077 bytes, over the limit of 128,000 bytes/,
  );
});

t.test('a 100,000-line .env', async (t) => {
  const lines = Array.from({ length: 100_000 }, (_, n) => `KEY_${n}=value-${n}`);
  await refused(
    t,
    { Procfile: 'web: echo ok\n', '.env': `${lines.join('\n')}\n` },
    /\.env:\d+: KEY_\d+: here the environment passes the limit of 1,048,576 bytes/,
  );
});

t.test('a process type name too long for any export', async (t) => {
  await refused(
    t,
    { Procfile: `${'w'.repeat(300)}: echo ok\n` },
    /Procfile:1: process type "w+\.\.\." is 300 characters long \(hint: use at most 63/,
  );
});

t.test("run '' and run '' x: a usage error, not a crash", async (t) => {
  const cwd = t.testdir({ Procfile: 'web: echo ok\n' });
  for (const args of [[''], ['', 'x']]) {
    const result = await runCli(t, ['run', ...args], { cwd });
    t.equal(result.exitCode, 2);
    t.match(result.stderr, /^foreman-ts: run: the command is an empty string \(hint: /);
  }
});

t.test("run TYPE with arguments past exec's limit for one argument", async (t) => {
  const cwd = t.testdir({ Procfile: 'web: echo\n' });
  // Each argument passes exec (it reached us); the script they make together does not.
  const half = 'x'.repeat(70_000);
  const result = await runCli(t, ['run', 'web', half, half], { cwd });
  t.equal(result.exitCode, 2, result.stderr.slice(0, 300));
  t.match(
    result.stderr,
    /^foreman-ts: the command of "web" with its arguments is 140,006 bytes, over Linux's limit of 131,071 bytes for one argument/,
  );
});

t.test('ready: http:/path with a space is refused by check, not thrown by start', async (t) => {
  await refused(
    t,
    {
      Procfile: 'web: echo ok\n',
      '.foreman': 'processes:\n  web:\n    ready: "http:/a b"\n',
    },
    /\.foreman:3: "web\.ready" must be http:\/path without spaces or control characters/,
  );
});

t.test('property: check on hostile files exits 0 or 1, each problem located', async (t) => {
  const { default: fc } = await import('fast-check');
  const unit = fc.constantFrom(
    ...'web: A=$"\'{}\\#:-\n\n \t'.split(''),
    '\0',
    '\u001b[2J',
    '${X:-',
    'é',
  );
  const text = fc.string({ unit, maxLength: 80 });
  await fc.assert(
    fc.asyncProperty(text, text, text, async (procfile, dotenv, foreman) => {
      const cwd = t.testdir({ Procfile: procfile, '.env': dotenv, '.foreman': foreman });
      const result = await runCli(t, ['check'], { cwd });
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      const located = /^foreman-ts: (Procfile|\.env|\.foreman):\d+: [^\u0000-\u001f]*$/;
      return (
        (result.exitCode === 0 || result.exitCode === 1) &&
        lines.every((line) => located.test(line))
      );
    }),
    { numRuns: 25 },
  );
  t.pass('25 hostile checkouts');
});
