import fc from 'fast-check';
import t from 'tap';
import { expandValue } from '../../src/core/dotenv-expand.js';
import { formatDotenvLine, parseDotenv } from '../../src/core/dotenv.js';
import { InputError, InputErrors } from '../../src/errors.js';

/** Parse and expand against `env`, as the release does with an empty inherited environment. */
function read(text: string, env: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of parseDotenv(text, '.env')) {
    out[entry.key] = expandValue(entry.value, (name) => out[name] ?? env[name]);
  }
  return out;
}

const TABLE: ReadonlyArray<readonly [string, string, string]> = [
  ['plain', 'A=bar', 'bar'],
  ['export prefix', 'export A=exported', 'exported'],
  ['single quotes are literal', "A='literal $X \\n stays'", 'literal $X \\n stays'],
  ['double-quote escapes', 'A="a\\nb\\tc \\"q\\" \\\\ end"', 'a\nb\tc "q" \\ end'],
  ['unknown escapes stay', 'A="C:\\dir"', 'C:\\dir'],
  ['inline comment after whitespace', 'A=value # trailing comment', 'value'],
  ['quoted # is kept', 'A="value # not comment" # comment', 'value # not comment'],
  ['a#b is kept', 'A=abc#def', 'abc#def'],
  ['a value that starts with #', 'A=#abc', '#abc'],
  ['only a comment after =', 'A= # nothing', ''],
  ['empty value', 'A=', ''],
  ['spaces around =', 'A =  spaced value  ', 'spaced value'],
  ['= inside values', 'A=a=b=c', 'a=b=c'],
  ['trailing whitespace trimmed', 'A=trail   ', 'trail'],
  [
    'URLs unchanged',
    'A=postgres://u:p@h:5432/db?ssl=true&x=1',
    'postgres://u:p@h:5432/db?ssl=true&x=1',
  ],
  ['unquoted backslashes stay', 'A=a\\nb', 'a\\nb'],
  ['\\$ escapes a dollar', 'A="\\$X" ', '$X'],
  ['backticks are plain text', 'A=`tick`', '`tick`'],
  ['lone dollar', 'A=cost $ 5', 'cost $ 5'],
  ['$( is never run', 'A=$(whoami)', '$(whoami)'],
];

for (const [label, line, expected] of TABLE) {
  t.test(label, async (t) => {
    t.equal(read(line).A, expected);
  });
}

t.test('multi-line quoted values, with line numbers after them', async (t) => {
  const entries = parseDotenv('A="first\nsecond"\nB=\'x\ny\'\nC=3\n', '.env');
  t.same(
    entries.map((e) => e.line),
    [1, 3, 5],
  );
  t.same(read('A="first\nsecond"\nB=\'x\ny\'\n'), { A: 'first\nsecond', B: 'x\ny' });
});

t.test('expansion from earlier keys and the environment', async (t) => {
  const env = read('A=bar\nB=${A}/x\nC=$A-y\nD=${UNSET:-fallback}\nE=$HOME\nF=\'$A\'\nG="$A"', {
    HOME: '/home/me',
  });
  t.same(env, {
    A: 'bar',
    B: 'bar/x',
    C: 'bar-y',
    D: 'fallback',
    E: '/home/me',
    F: '$A',
    G: 'bar',
  });
});

t.test('fallback forms follow the shell', async (t) => {
  t.same(read('E=\nA=${E:-x}\nB=${E-x}\nC=${U-x}', {}), { E: '', A: 'x', B: '', C: 'x' });
  t.equal(read('A=${U:-$HOME/x}', { HOME: '/h' }).A, '/h/x');
});

t.test('CRLF files', async (t) => {
  t.same(read('A=crlf\r\nB="x"\r\n'), { A: 'crlf', B: 'x' });
});

t.test('later duplicate keys win', async (t) => {
  t.equal(read('A=1\nA=2').A, '2');
});

t.test('errors carry file:line, the key, a column and a fix, never the text', async (t) => {
  const message = (text: string) => {
    try {
      parseDotenv(text, '.env');
      return 'parsed';
    } catch (error) {
      return (error as InputError).message;
    }
  };
  t.equal(
    message('A=1\nnot a pair\n'),
    '.env:2: expected KEY=value: the name at column 1 is not followed by "="',
  );
  t.equal(
    message('A=1\nsk_live_madeUp0123456789\n'),
    '.env:2: expected KEY=value: the name at column 1 is not followed by "="',
  );
  t.equal(message('A=1\n  *x=hunter2\n'), '.env:2: expected KEY=value: no name at column 3');
  t.equal(message('1A=hunter2'), '.env:1: expected KEY=value: no name at column 1');
  t.equal(message('A=1\nB="open\nC=2\n'), '.env:2: B: unterminated " quote at column 3');
  t.equal(message("A='open"), ".env:1: A: unterminated ' quote at column 3");
  t.equal(
    message('A="x" hunter2'),
    '.env:1: A: unexpected text after the closing quote, at column 7',
  );
  t.equal(message('A=${B'), '.env:1: A: unclosed "${" at column 3');
  t.equal(message('A=x${B C}'), '.env:1: A: bad substitution at column 4');
  t.equal(message('A="x ${B C}"'), '.env:1: A: bad substitution at column 6');
  t.equal(message('A=${B:-${C D}}'), '.env:1: A: bad substitution at column 8');
});

t.test(
  'an unclosed quote is reported where it opened, with a hint that fits the quote',
  async (t) => {
    const error = t.throws(() => parseDotenv("A='it\nB=2\nC='hunter2' x\n", '.env')) as InputError;
    t.equal(
      error.message,
      ".env:1: A: the ' at column 3 is not closed on this line, and the next ' (line 3) has text after it",
    );
    t.match(error.hint, /single quotes have no escapes/);
    t.notMatch(error.hint, /\\'/, "no \\' escape is suggested: single quotes have none");
    const unterminated = t.throws(() => parseDotenv("A='it", '.env')) as InputError;
    t.notMatch(unterminated.hint, /\\'/);
    const double = t.throws(() => parseDotenv('A="it\nB=2\nC="x" y\n', '.env')) as InputError;
    t.match(double.message, /^\.env:1: A: the " at column 3 is not closed on this line/);
    t.match(double.hint, /\\"/);
  },
);

t.test('NUL bytes are refused at their line and column', async (t) => {
  t.throws(() => parseDotenv('A=1\nB=x\0y\n', '.env'), {
    message: '.env:2: a NUL byte at column 4',
  });
  t.throws(() => parseDotenv('A=1\r\nB\0C=1\n', '.env'), {
    message: '.env:2: a NUL byte at column 2',
  });
});

t.test('nesting of ${...:-...} is limited to 16, in linear time', async (t) => {
  const nested = (depth: number) => `A=${'${X:-'.repeat(depth)}v${'}'.repeat(depth)}\n`;
  t.equal(read(nested(16)).A, 'v');
  t.throws(() => parseDotenv(nested(17), '.env'), {
    message: '.env:1: A: "${...}" nested more than 16 deep, at column 83',
  });
  t.throws(() => parseDotenv(nested(100_000), '.env'), { message: /nested more than 16 deep/ });
});

t.test('comments and blank lines, indented or not, are skipped', async (t) => {
  t.same(read('# c\n   # indented\n\n  A=1\n'), { A: '1' });
});

const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);

t.test('property: formatDotenvLine round-trips any value', async (t) => {
  fc.assert(
    fc.property(
      key,
      fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })),
      (k, value) => {
        fc.pre(!value.includes('\0')); // no environment can hold a NUL
        const entries = parseDotenv(formatDotenvLine(k, value), '.env');
        return entries.length === 1 && expandValue(entries[0]!.value, () => 'WRONG') === value;
      },
    ),
  );
  t.pass('round-trips');
});

t.test('property: any text parses or fails with located errors, never a crash', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parseDotenv(text, '.env');
        return true;
      } catch (error) {
        const problems = error instanceof InputErrors ? error.problems : [error];
        return problems.every((p) => p instanceof InputError && /^\.env:\d+: /.test(p.message));
      }
    }),
  );
  t.pass('never crashes');
});
