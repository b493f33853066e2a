import t from 'tap';
import { parseDefaults } from '../../src/core/defaults.js';
import type { InputErrors } from '../../src/errors.js';

t.test('long option names, with _ or -, of every type', async (t) => {
  const text =
    'procfile: Procfile.dev\nenv: [a.env, b.env]\nenv_override: true\ntimestamp: false\nport: 3000\ntimeout: 2.5\nformation:\n  web: 2\n  worker: 1\ncolor: false\n';
  t.same(parseDefaults(text, '.foreman').flags, {
    procfile: 'Procfile.dev',
    env: ['a.env', 'b.env'],
    envOverride: true,
    timestamp: false,
    port: 3000,
    timeout: 2.5,
    formation: 'web=2,worker=1',
    color: false,
  });
  t.same(parseDefaults('env: a.env,b.env\nlog-format: json\n', '.foreman').flags, {
    env: ['a.env', 'b.env'],
    logFormat: 'json',
  });
  t.same(parseDefaults('', '.foreman').flags, {});
  t.same(parseDefaults('# only a comment\n', '.foreman').flags, {});
});

t.test('unknown keys and wrong types name the key and line', async (t) => {
  t.throws(() => parseDefaults('port: 3000\nprocfil: P\n', '.foreman'), {
    message: '.foreman:2: unknown key "procfil"',
    hint: /known keys: procfile, root, env/,
  });
  t.throws(() => parseDefaults('timestamp: maybe\n', '.foreman'), {
    message: '.foreman:1: "timestamp" must be true or false, got "maybe"',
  });
  t.throws(() => parseDefaults('\n\nport: 99999\n', '.foreman'), {
    message: /\.foreman:3: "port" must be a port/,
  });
  t.throws(() => parseDefaults('json: true\n', '.foreman'), { message: /unknown key "json"/ });
  const error = t.throws(() => parseDefaults('a: 1\nb: 2\n', '.foreman')) as InputErrors;
  t.equal(error.problems.length, 2);
});

t.test('YAML syntax errors and non-maps are located', async (t) => {
  t.throws(() => parseDefaults('port: [1\n', '.foreman'), { message: /^\.foreman:\d+: / });
  t.throws(() => parseDefaults('- a\n- b\n', '.foreman'), {
    message: '.foreman:1: expected "key: value" lines',
  });
  t.throws(() => parseDefaults('port: 1\nport: 2\n', '.foreman'), { message: /^\.foreman:2: / });
});

t.test('a NUL byte (YAML "\\0") in any value is refused at its line', async (t) => {
  t.throws(() => parseDefaults('port: 3000\nprocfile: "P\\0x"\n', '.foreman'), {
    message: '.foreman:2: "procfile" must be text without NUL bytes, got "P\\u0000x"',
  });
  t.throws(() => parseDefaults('env: [a.env, "b\\0"]\n', '.foreman'), {
    message: /^\.foreman:1: "env" must be text without NUL bytes/,
  });
});

t.test('timeouts a Node timer cannot hold are refused in .foreman, with their line', async (t) => {
  t.throws(() => parseDefaults('port: 3000\ntimeout: 3000000\n', '.foreman'), {
    message:
      '.foreman:2: "timeout" must be a number of seconds from 0 to 2147483 (about 24 days), got 3000000',
  });
  t.throws(() => parseDefaults('processes:\n  web:\n    ready_timeout: 1e9\n', '.foreman'), {
    message: /^\.foreman:3: "web\.ready_timeout" must be a number of seconds above 0 to 2147483/,
  });
  t.throws(() => parseDefaults('processes:\n  web:\n    ready_timeout: 0\n', '.foreman'), {
    message: /"web\.ready_timeout" must be a number of seconds above 0/,
  });
});

t.test("YAML errors are said in our words, one per line, never the library's", async (t) => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    [
      'port: 1\n---\nport: 2\n',
      '.foreman:2: a second YAML document starts here ("---") (hint: .foreman is one map of settings: remove the "---" line)',
    ],
    ['port: 1\nport: 2\n', '.foreman:2: this key is already set above (hint: keep one of the two)'],
    [
      'processes:\n\tweb:\n',
      '.foreman:2: a tab in the indentation (hint: indent with spaces only)',
    ],
    ['procfile: a: b\n', '.foreman:1: a value holding ": ", or a key indented under a value'],
    ['procfile: "abc\n', '.foreman:2: missing closing "quote'],
    ['procfile: "a\\qb"\n', '.foreman:1: an unknown \\ escape in a "double-quoted" value'],
    ['port: *nope\n', '.foreman:1: alias *nope has no anchor &nope before it'],
  ];
  for (const [text, message] of cases) {
    const error = t.throws(() => parseDefaults(text, '.foreman')) as InputErrors;
    const lines = ('problems' in error ? error.problems : [error]).map(
      (p) => `${p.message}${p.hint === undefined ? '' : ` (hint: ${p.hint})`}`,
    );
    t.equal(lines.length, 1, `one problem for ${JSON.stringify(text)}`);
    t.ok(lines[0]?.startsWith(message), `${lines[0]} starts with ${message}`);
    t.notMatch(lines[0] ?? '', /YAML\.|parseAllDocuments|compact mapping|at line \d+, column/);
  }
  const aliases = Array.from({ length: 101 }, () => '*w').join(', ');
  t.throws(
    () =>
      parseDefaults(
        `processes:\n  x:\n    after: &w web\n  y:\n    after: [${aliases}]\n`,
        '.foreman',
      ),
    {
      message: '.foreman:5: too many aliases (*name) to expand',
    },
  );
  t.same(
    parseDefaults('port: &p 3000\nformation: "web=2"\ntimeout: *p\n', '.foreman').flags,
    {
      port: 3000,
      formation: 'web=2',
      timeout: 3000,
    },
    'anchors and aliases work',
  );
});
