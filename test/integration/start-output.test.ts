import { createHash } from 'node:crypto';
import t from 'tap';
import { bin, runCliOk, testEnv, testPort } from '../helpers/cli.js';

/** Lines of `name` in our output, without the prefix. */
function linesOf(stdout: string, name: string): string[] {
  const prefix = new RegExp(`^(?:\\d\\d:\\d\\d:\\d\\d )?${name.replace('.', '\\.')} +\\| `);
  return stdout
    .split('\n')
    .filter((line) => prefix.test(line))
    .map((line) => line.replace(prefix, ''));
}

t.test('every line as HH:MM:SS name | text, names padded to one column', async (t) => {
  const result = await runCliOk(t, ['start'], {
    cwd: t.testdir({ Procfile: 'a: echo hi\nlonger-name: echo there; sleep 0.2\n' }),
  });
  t.match(result.stdout, /^\d\d:\d\d:\d\d a\.1           \| hi$/m);
  t.match(result.stdout, /^\d\d:\d\d:\d\d longer-name\.1 \| there$/m);
  t.match(
    result.stdout,
    new RegExp(
      `^\\d\\d:\\d\\d:\\d\\d system {8}\\| a\\.1 started with pid \\d+ \\(PORT=${testPort(t)}\\)$`,
      'm',
    ),
  );
});

t.test('--no-timestamp, and .foreman timestamp: false', async (t) => {
  const flag = await runCliOk(t, ['start', '--no-timestamp'], {
    cwd: t.testdir({ Procfile: 'a: echo hi\n' }),
  });
  t.match(flag.stdout, /^a\.1    \| hi$/m);
  const file = await runCliOk(t, ['start'], {
    cwd: t.testdir({ Procfile: 'a: echo hi\n', '.foreman': 'timestamp: false\n' }),
  });
  t.match(file.stdout, /^a\.1    \| hi$/m);
  const flagWins = await runCliOk(t, ['start', '--timestamp'], {
    cwd: t.testdir({ Procfile: 'a: echo hi\n', '.foreman': 'timestamp: false\n' }),
  });
  t.match(flagWins.stdout, /^\d\d:\d\d:\d\d a\.1    \| hi$/m);
});

t.test('colour only when wanted: FORCE_COLOR, --color, NO_COLOR', async (t) => {
  const dir = t.testdir({ Procfile: 'a: echo hi\n' });
  t.notMatch(
    (await runCliOk(t, ['start'], { cwd: dir })).stdout,
    /\u001b\[/,
    'a pipe gets no colour',
  );
  t.match(
    (await runCliOk(t, ['start'], { cwd: dir, env: { FORCE_COLOR: '1' } })).stdout,
    /\u001b\[36m\d\d:\d\d:\d\d a\.1    \|\u001b\[0m hi/,
  );
  t.match(
    (await runCliOk(t, ['start', '--color'], { cwd: dir, env: { NO_COLOR: '1' } })).stdout,
    /\u001b\[/,
  );
  t.notMatch(
    (
      await runCliOk(t, ['start'], {
        cwd: dir,
        env: { FORCE_COLOR: '1', FOREMAN_TS_COLOR: 'false' },
      })
    ).stdout,
    /\u001b\[/,
  );
});

t.test(
  'bytes pass through: invalid UTF-8, \\r, NUL, blank lines, a final line without newline',
  async (t) => {
    const { execa } = await import('execa');
    const { CLI, nodeCommand } = await import('../helpers/cli.js');
    const [file, argv] = nodeCommand([CLI, 'start', '--no-timestamp', '-p', String(testPort(t))]);
    const bytes = await execa(file, argv, {
      cwd: t.testdir({ Procfile: `a: ${bin('bytes.mjs')} 41fffe0d42000a0a6f6e650d0a7461696c\n` }),
      env: testEnv(t),
      extendEnv: false,
      encoding: 'buffer',
      reject: false,
    });
    const out = Buffer.from(bytes.stdout);
    t.ok(
      out.includes(
        Buffer.from([
          0x61, 0x2e, 0x31, 0x20, 0x20, 0x20, 0x20, 0x7c, 0x20, 0x41, 0xff, 0xfe, 0x0d, 0x42, 0x00,
          0x0a,
        ]),
      ),
      'invalid UTF-8, CR and NUL intact',
    );
    t.ok(out.includes(Buffer.from('a.1    | \n', 'latin1')), 'blank line kept');
    t.ok(
      out.includes(Buffer.from('a.1    | one\r\n', 'latin1')),
      '\\r before \\n kept, line not split',
    );
    t.ok(out.includes(Buffer.from('a.1    | tail\n', 'latin1')), 'unterminated last line printed');
  },
);

t.test('a 1 MB line arrives whole', async (t) => {
  const result = await runCliOk(t, ['start', '--no-timestamp'], {
    cwd: t.testdir({ Procfile: `big: ${bin('long-line.mjs')} 1048576\n` }),
  });
  const lines = linesOf(result.stdout, 'big.1');
  const long = lines.find((line) => line.length > 1000);
  t.equal(long?.length, 1048576);
  let expected = '';
  for (let i = 0; expected.length < 1048576; i++) expected += String(i % 10);
  t.equal(
    createHash('sha1')
      .update(long ?? '')
      .digest('hex'),
    createHash('sha1').update(expected.slice(0, 1048576)).digest('hex'),
  );
  t.ok(lines.includes('done'));
});

t.test('a partial line (a prompt) shows before its newline', async (t) => {
  const { startCli } = await import('../helpers/cli.js');
  const cli = startCli(t, ['start', '--no-timestamp'], {
    cwd: t.testdir({ Procfile: `p: printf 'Password: '; sleep 3; printf 'typed\\n'\n` }),
  });
  await cli.waitFor(/p\.1 +\| Password: \n/, 2500);
  const result = await cli.result;
  t.match(result.stdout, /p\.1 +\| typed/);
});

t.test('no interleaving under 8 chatty processes; every line intact and in order', async (t) => {
  const count = 20_000;
  const procfile = Array.from(
    { length: 8 },
    (_, i) => `p${i}: ${bin('lines.mjs')} ${count} p${i} 60 --stay`,
  ).join('\n');
  const { startCli } = await import('../helpers/cli.js');
  // Under load 160,000 lines can take more than the default 60 s bound of a CLI run.
  const cli = startCli(t, ['start', '--no-timestamp'], {
    cwd: t.testdir({ Procfile: `${procfile}\n` }),
    timeoutMs: 150_000,
  });
  await cli.waitFor(/(?:p\d done[\s\S]*){8}/, 120_000);
  cli.signal('SIGTERM');
  const result = await cli.result;
  for (let i = 0; i < 8; i++) {
    const lines = linesOf(result.stdout, `p${i}.1`).filter((line) => line !== `p${i} done`);
    t.equal(lines.length, count, `p${i}.1 delivered every line`);
    const bad = lines.findIndex(
      (line, n) => !line.startsWith(`p${i} ${String(n).padStart(9, '0')} `) || line.length !== 59,
    );
    t.equal(bad, -1, `p${i}.1 lines are whole and in order`);
  }
});

t.test('stdout and stderr of one process keep their order', async (t) => {
  const script = `for i in 1 2 3 4 5 6; do echo out$i; echo err$i >&2; done`;
  const result = await runCliOk(t, ['start', '--no-timestamp'], {
    cwd: t.testdir({ Procfile: `a: ${script}\n` }),
  });
  t.same(linesOf(result.stdout, 'a.1'), [
    'out1',
    'err1',
    'out2',
    'err2',
    'out3',
    'err3',
    'out4',
    'err4',
    'out5',
    'err5',
    'out6',
    'err6',
  ]);
});
