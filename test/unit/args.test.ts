import t from 'tap';
import { parseInvocation } from '../../src/cli/args.js';
import { parseEnvTwins } from '../../src/core/options.js';
import { formatHelp } from '../../src/cli/help.js';
import type { UsageError } from '../../src/errors.js';

t.test('start: options before or after the command, names as positionals', async (t) => {
  t.same(parseInvocation(['-f', 'P', 'start', '-m', 'web=2', '--no-color', 'web', '-t5']), {
    command: 'start',
    flags: { procfile: 'P', formation: 'web=2', color: false, timeout: 5 },
    names: ['web'],
  });
  t.same(parseInvocation(['start', '--port=6000', '--timestamp=false']), {
    command: 'start',
    flags: { port: 6000, timestamp: false },
    names: [],
  });
});

t.test('-e is repeatable and comma-separated', async (t) => {
  t.same(parseInvocation(['check', '-e', 'a.env,b.env', '--env', 'c.env']), {
    command: 'check',
    flags: { env: ['a.env', 'b.env', 'c.env'] },
  });
});

t.test('run: options end at COMMAND; everything after belongs to it', async (t) => {
  t.same(parseInvocation(['run', 'node', '-e', 'console.log(1)', '--inspect']), {
    command: 'run',
    flags: {},
    argv: ['node', '-e', 'console.log(1)', '--inspect'],
  });
  t.same(parseInvocation(['run', '-e', 'other.env', '-p', '5000', 'node', '--version']), {
    command: 'run',
    flags: { env: ['other.env'], port: 5000 },
    argv: ['node', '--version'],
  });
  t.same(parseInvocation(['run', '--', '--weird', 'x']).command, 'run');
  t.same((parseInvocation(['run', 'node', '--help']) as unknown as { argv: string[] }).argv, [
    'node',
    '--help',
  ]);
  t.same((parseInvocation(['run', 'echo', '1', '--', '2']) as unknown as { argv: string[] }).argv, [
    'echo',
    '1',
    '--',
    '2',
  ]);
});

t.test('help and version', async (t) => {
  t.same(parseInvocation([]), { command: 'help', topic: undefined });
  t.same(parseInvocation(['--help']), { command: 'help', topic: undefined });
  t.same(parseInvocation(['start', '--help']), { command: 'help', topic: 'start' });
  t.same(parseInvocation(['help', 'run']), { command: 'help', topic: 'run' });
  t.same(parseInvocation(['--version']), { command: 'version' });
  t.same(parseInvocation(['version']), { command: 'version' });
  t.match(formatHelp('start'), /-m, --formation SPEC/);
  t.match(formatHelp('start'), /FOREMAN_TS_TIMEOUT/);
  t.match(formatHelp(undefined), /Commands:/);
  t.notMatch(formatHelp('run'), /5000/, 'run sets no PORT by default');
  t.match(formatHelp('run'), /-p, --port N +set PORT=N for the command \(default: none of its own/);
  t.match(formatHelp('start'), /-p, --port N +base port; .*\(default: \$PORT or 5000\)/);
});

t.test('usage errors are clear and exit 2', async (t) => {
  const cases: ReadonlyArray<readonly [string[], RegExp]> = [
    [['strat'], /unknown command "strat"/],
    [['help', 'bogus'], /unknown command "bogus"/],
    [['start', '--nope'], /unknown option "--nope"/],
    [['start', '-x'], /unknown option "-x"/],
    [['run', '-t', '3', 'x'], /--timeout does not apply to "run"/],
    [['start', '-p', 'abc'], /-p must be a port \(1-65535\), got "abc"/],
    [['start', '-t'], /-t needs a value/],
    [['run'], /run needs a command/],
    [['check', 'extra'], /unexpected argument "extra"/],
    [['start', '--log-format', 'xml'], /must be one of text, json/],
    [['start', '--no-port'], /--no-port is not an option/],
    [['start', '--can-die', 'web,'], /--can-die must be process types, comma-separated/],
    [['start', '-e', 'a.env,,b.env'], /-e must be file names, comma-separated/],
    [['start', '--color=maybe'], /--color must be true or false, got "maybe"/],
  ];
  for (const [argv, message] of cases) {
    const error = t.throws(() => parseInvocation(argv), { message }, argv.join(' ')) as UsageError;
    t.equal(error.exitCode, 2);
  }
});

t.test('a timeout longer than a Node timer can wait is refused, wherever it is set', async (t) => {
  const expected = /must be a number of seconds from 0 to 2147483 \(about 24 days\)/;
  t.throws(() => parseInvocation(['start', '-t', '3000000']), {
    message: new RegExp(`^-t ${expected.source}, got "3000000"$`),
    exitCode: 2,
  });
  t.throws(() => parseEnvTwins({ FOREMAN_TS_TIMEOUT: '3000000' }, 'start'), {
    message: new RegExp(`^FOREMAN_TS_TIMEOUT ${expected.source}`),
  });
  t.same(parseInvocation(['start', '-t', '2147483']).command, 'start');
  t.same(parseInvocation(['start', '-t', '0']).command, 'start');
});

t.test('FOREMAN_TS_* twins', async (t) => {
  t.same(
    parseEnvTwins(
      { FOREMAN_TS_TIMEOUT: '9', FOREMAN_TS_COLOR: 'false', FOREMAN_TS_JSON: 'true' },
      'start',
    ),
    {
      timeout: 9,
      color: false,
    },
  );
  t.same(parseEnvTwins({ FOREMAN_TS_TIMEOUT: '9' }, 'run'), {});
  t.throws(() => parseEnvTwins({ FOREMAN_TS_PORT: 'x' }, 'start'), {
    message: /FOREMAN_TS_PORT must be a port/,
  });
});
