import t from 'tap';
import { expandFormation, parseFormation } from '../../src/core/formation.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { UsageError } from '../../src/errors.js';

const release = (text = 'web: w\nworker: k\nclock: c\n', settings = {}) =>
  resolveRelease({
    root: '/app',
    procfile: { path: '/app/Procfile', entries: parseProcfile(text, 'Procfile') },
    envFiles: [],
    inherited: { HOME: '/h' },
    settings,
  });

const names = (specs: readonly { name: string; port: number }[]) =>
  specs.map((s) => `${s.name}:${s.port}`);

t.test('without -m, one of each type, ports by Procfile slot', async (t) => {
  t.same(names(expandFormation(release(), {})), ['web.1:5000', 'worker.1:5100', 'clock.1:5200']);
});

t.test('with -m, listed types only; all=N for the rest', async (t) => {
  t.same(names(expandFormation(release(), { formation: parseFormation('web=2,worker=2') })), [
    'web.1:5000',
    'web.2:5001',
    'worker.1:5100',
    'worker.2:5101',
  ]);
  t.same(names(expandFormation(release(), { formation: parseFormation('all=1,clock=0') })), [
    'web.1:5000',
    'worker.1:5100',
  ]);
});

t.test('start NAME keeps the type in its slot', async (t) => {
  t.same(names(expandFormation(release(), { only: ['worker'] })), ['worker.1:5100']);
  t.same(
    names(
      expandFormation(release(), { only: ['clock', 'web'], formation: parseFormation('web=2') }),
    ),
    ['web.1:5000', 'web.2:5001', 'clock.1:5200'],
  );
});

t.test('each process gets PORT and PS on top of the release env', async (t) => {
  const [spec] = expandFormation(release('web: w', { port: 3000 }), {});
  t.same(spec?.env, { HOME: '/h', PWD: '/app', PORT: '3000', PS: 'web.1' });
});

t.test('release is never part of the formation, and takes no port slot', async (t) => {
  const rel = release('release: migrate\nweb: w\n');
  t.same(names(expandFormation(rel, {})), ['web.1:5000']);
  t.throws(() => expandFormation(rel, { only: ['release'] }), {
    message: /"release" is not part of the formation/,
  });
  t.throws(() => expandFormation(rel, { formation: parseFormation('release=1') }), UsageError);
});

t.test('unknown names list the known ones', async (t) => {
  t.throws(() => expandFormation(release(), { formation: parseFormation('wbe=1') }), {
    message: 'unknown process type "wbe"',
    hint: 'known: web, worker, clock',
  });
  t.throws(() => expandFormation(release(), { only: ['nope'] }), {
    message: /unknown process type "nope"/,
  });
});

t.test('bad formations and empty results are usage errors', async (t) => {
  t.throws(() => parseFormation('web=two'), { message: 'bad formation item "web=two"' });
  t.throws(() => parseFormation('web'), UsageError);
  t.throws(() => expandFormation(release(), { formation: parseFormation('web=0') }), {
    message: /nothing to start/,
  });
  t.throws(() => expandFormation(release(), { formation: parseFormation('web=101') }), {
    message: /too many/,
  });
  t.throws(
    () =>
      expandFormation(release('web: w', { port: 65535 }), { formation: parseFormation('web=2') }),
    {
      message: /web.2 would get port 65536/,
    },
  );
});
