import fc from 'fast-check';
import t from 'tap';
import { parseProcfile } from '../../src/core/procfile.js';
import { InputError, InputErrors } from '../../src/errors.js';

t.test('reads names and commands, skipping comments and blank lines', async (t) => {
  const text = '# a comment\n\nweb: node server.js\n  worker:node worker.js --queue=a:b  \n';
  t.same(parseProcfile(text, 'Procfile'), [
    { name: 'web', command: 'node server.js', line: 3 },
    { name: 'worker', command: 'node worker.js --queue=a:b', line: 4 },
  ]);
});

t.test('accepts CRLF line endings and a byte-order mark', async (t) => {
  const entries = parseProcfile('\uFEFFweb: a\r\nworker: b\r\n', 'Procfile');
  t.same(
    entries.map((e) => [e.name, e.command]),
    [
      ['web', 'a'],
      ['worker', 'b'],
    ],
  );
});

t.test('keeps colons inside commands', async (t) => {
  t.equal(
    parseProcfile('clock: echo 12:30 http://x:80', 'P')[0]?.command,
    'echo 12:30 http://x:80',
  );
});

t.test('a line without a colon names file, line, text and fix', async (t) => {
  const error = t.throws(() =>
    parseProcfile('web: ok\nweb node server.js\n', 'Procfile'),
  ) as InputError;
  t.type(error, InputError);
  t.equal(error.message, 'Procfile:2: expected "name: command", got "web node server.js"');
  t.match(error.hint, /colon/);
});

t.test('bad names, empty commands, duplicates and reserved names are errors', async (t) => {
  t.throws(() => parseProcfile('weird.name: x', 'P'), {
    message: /P:1: process type "weird.name"/,
  });
  t.throws(() => parseProcfile('web:   ', 'P'), { message: /P:1: "web" has no command/ });
  t.throws(() => parseProcfile('web: a\nweb: b', 'P'), {
    message: /P:2: "web" is defined twice \(first on line 1\)/,
  });
  t.throws(() => parseProcfile('all: a', 'P'), { message: /"all" is reserved/ });
});

t.test('an empty Procfile is an error with a fix', async (t) => {
  t.throws(() => parseProcfile('# only comments\n\n', 'Procfile'), {
    message: 'Procfile:1: no process types defined',
    hint: /web: node server.js/,
  });
});

t.test('every bad line is reported, not only the first', async (t) => {
  const error = t.throws(() => parseProcfile('bad one\nweb: ok\nbad two\n', 'P')) as InputErrors;
  t.type(error, InputErrors);
  t.same(
    error.problems.map((p) => p.message),
    [
      'P:1: expected "name: command", got "bad one"',
      'P:3: expected "name: command", got "bad two"',
    ],
  );
});

const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/).filter((n) => n !== 'all');
const command = fc.stringMatching(/^[^\r\n]{1,40}$/).filter((c) => c.trim() !== '');

t.test('property: well-formed Procfiles round-trip', async (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(name, command), { minLength: 1, maxLength: 8, selector: ([n]) => n }),
      (pairs) => {
        const text = pairs.map(([n, c]) => `${n}: ${c}`).join('\n');
        const parsed = parseProcfile(text, 'P');
        return (
          JSON.stringify(parsed.map((e) => [e.name, e.command])) ===
          JSON.stringify(pairs.map(([n, c]) => [n, c.trim()]))
        );
      },
    ),
  );
  t.pass('round-trips');
});

t.test('property: any text parses or fails with a located InputError, never a crash', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parseProcfile(text, 'P');
        return true;
      } catch (error) {
        const problems = error instanceof InputErrors ? error.problems : [error];
        return problems.every((p) => p instanceof InputError && /^P:\d+: /.test(p.message));
      }
    }),
  );
  t.pass('never crashes');
});

t.test('garbage is shown escaped, never sent to the terminal as it is', async (t) => {
  const error = t.throws(() =>
    parseProcfile('web: ok\n\u001b]0;owned\u0007\u001b[2J junk\nw\u001b[31meb: x\n', 'Procfile'),
  ) as InputErrors;
  const [line2, line3] = error.problems.map((problem) => problem.message);
  t.equal(line2, 'Procfile:2: expected "name: command", got "\\x1b]0;owned\\x07\\x1b[2J junk"');
  t.match(line3, /^Procfile:3: process type "w\\x1b\[31meb" may contain only/);
  t.notMatch(`${line2}${line3}${error.problems[1]?.hint}`, /\u001b|\u0007/);
});

t.test(
  'limits: a NUL byte, a type name over 63 characters, a command over 128 000 bytes',
  async (t) => {
    const problems = (text: string) => {
      try {
        parseProcfile(text, 'Procfile');
        return [];
      } catch (error) {
        return (error instanceof InputErrors ? error.problems : [error as InputError]).map(
          (problem) => problem.message,
        );
      }
    };
    t.same(problems('web: ok\n  a: echo a\0b\n'), ['Procfile:2: a NUL byte at column 12']);
    t.same(problems(`${'w'.repeat(63)}: ok\n`), []);
    t.same(problems(`${'w'.repeat(64)}: ok\n`), [
      `Procfile:1: process type "${'w'.repeat(57)}..." is 64 characters long`,
    ]);
    t.same(problems(`a: ${'é'.repeat(64_000)}\n`), []);
    t.same(problems(`a: ${'é'.repeat(64_001)}\n`), [
      'Procfile:1: the command of "a" is 128,002 bytes, over the limit of 128,000 bytes',
    ]);
  },
);
