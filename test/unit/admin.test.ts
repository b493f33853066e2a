import t from 'tap';
import { adminEnv, resolveAdmin, similarType } from '../../src/core/admin.js';
import { parseProcfile } from '../../src/core/procfile.js';

const procfile = {
  path: 'Procfile',
  entries: parseProcfile('web: node server.js\nworker: node w.js\n', 'Procfile'),
};

t.test('a process type runs its command with arguments quoted', async (t) => {
  t.same(resolveAdmin(['web'], procfile), { kind: 'shell', script: 'node server.js', type: 'web' });
  t.same(resolveAdmin(['worker', '--once', 'a b', "it's"], procfile), {
    kind: 'shell',
    script: `node w.js --once 'a b' 'it'\\''s'`,
    type: 'worker',
  });
});

t.test('anything else is argv, untouched', async (t) => {
  t.same(resolveAdmin(['printf', '[%s]', 'a b', '$HOME', '*'], procfile), {
    kind: 'argv',
    file: 'printf',
    args: ['[%s]', 'a b', '$HOME', '*'],
  });
  t.same(resolveAdmin(['ls'], undefined), { kind: 'argv', file: 'ls', args: [] });
});

t.test('one argument in shell syntax runs through sh', async (t) => {
  t.same(resolveAdmin(['rake db:migrate && rake db:seed'], undefined), {
    kind: 'shell',
    script: 'rake db:migrate && rake db:seed',
    type: undefined,
  });
});

t.test('misspelled process types are suggested', async (t) => {
  t.equal(similarType('wbe', procfile), 'web');
  t.equal(similarType('wroker', procfile), 'worker');
  t.equal(similarType('ls', procfile), undefined);
  t.equal(similarType('web', undefined), undefined);
});

t.test('the admin env is the release env plus PS=run.1, PORT only when asked', async (t) => {
  t.same(adminEnv({ A: '1' }, undefined), { A: '1', PS: 'run.1' });
  t.same(adminEnv({ A: '1', PORT: '3000' }, 6000), { A: '1', PORT: '6000', PS: 'run.1' });
});
