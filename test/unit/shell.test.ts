import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import t from 'tap';
import { quoteWord, wrapCommand } from '../../src/core/shell.js';

t.test('simple commands are exec-ed so the app is the direct child', async (t) => {
  t.equal(wrapCommand('node server.js'), 'exec 2>&1\nexec node server.js');
  t.equal(wrapCommand('PORT=1 DEBUG=x node s.js'), 'exec 2>&1\nPORT=1 DEBUG=x exec node s.js');
  t.equal(wrapCommand('bundle exec puma -p $PORT'), 'exec 2>&1\nexec bundle exec puma -p $PORT');
});

t.test('compound commands, builtins and quoted assignments keep their shell', async (t) => {
  for (const command of [
    'a && b',
    'a; b',
    'a | b',
    'x > f',
    '(a)',
    'echo `x`',
    'echo $(x)',
    'cd app',
    'trap "" TERM; x',
    'A="x y" node s',
    'if true; then x; fi',
    '"quoted cmd" x',
  ]) {
    t.equal(wrapCommand(command), `exec 2>&1\n${command}`, command);
  }
});

t.test('quoteWord gives words sh reads back exactly', async (t) => {
  t.equal(quoteWord('plain-word_1.2'), 'plain-word_1.2');
  t.equal(quoteWord(''), "''");
  t.equal(quoteWord("it's"), `'it'\\''s'`);
  const words = fc.array(
    fc.string({ maxLength: 20 }).filter((w) => !w.includes('\0')),
    { maxLength: 5 },
  );
  fc.assert(
    fc.property(words, (list) => {
      const script = `printf '%s\\0' ${list.map(quoteWord).join(' ')}`;
      const out =
        list.length === 0 ? '' : execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
      return out === list.map((w) => `${w}\0`).join('');
    }),
    { numRuns: 40 },
  );
});
