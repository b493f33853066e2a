import { createHash } from 'node:crypto';
import t from 'tap';
import { parseDotenv } from '../../src/core/dotenv.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease, type Release } from '../../src/core/release.js';
import {
  compareReleases,
  formatDrift,
  formatRelease,
  identifyRelease,
  type GitFacts,
} from '../../src/core/release-id.js';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

function release({
  procfile = 'web: node server.js\nworker: node worker.js\n',
  dotenv = 'DATABASE_URL=postgres://app:hunter2@db/app\nMODE=dev\n',
  inherited = {},
  settings = {},
}: {
  procfile?: string;
  dotenv?: string;
  inherited?: Record<string, string>;
  settings?: Release['settings'];
} = {}): Release {
  return resolveRelease({
    root: '/app',
    procfile: { path: '/app/Procfile', entries: parseProcfile(procfile, 'Procfile') },
    envFiles: [{ path: '/app/.env', label: '.env', entries: parseDotenv(dotenv, '.env') }],
    inherited,
    settings,
  });
}

const identify = (r: Release, git?: GitFacts) => identifyRelease(r, { git, digest });

t.test('the same release gives the same id; any part that changes gives another', async (t) => {
  const base = identify(release()).id;
  t.match(base, /^[0-9a-f]{7}$/);
  t.equal(identify(release()).id, base);
  t.not(identify(release({ dotenv: 'DATABASE_URL=postgres://db/other\nMODE=dev\n' })).id, base);
  t.not(identify(release({ procfile: 'web: node server.js\n' })).id, base);
  t.not(identify(release({ settings: { envOverride: true } })).id, base);
  t.not(identify(release(), { commit: 'a'.repeat(40), isDirty: false }).id, base);
});

t.test('no value is kept in clear, only digests', async (t) => {
  const identity = identify(release());
  const text = JSON.stringify(identity);
  t.notMatch(text, /hunter2/);
  t.notMatch(text, /node server\.js/);
  t.same(Object.keys(identity.env), ['DATABASE_URL', 'MODE']);
  t.same(Object.keys(identity.procfile), ['web', 'worker']);
});

t.test('the machine-wide environment is not part of the release', async (t) => {
  const one = identify(release({ inherited: { PATH: '/bin', TERM: 'xterm' } }));
  const two = identify(release({ inherited: { PATH: '/usr/bin', SHLVL: '2' } }));
  t.equal(one.id, two.id);
});

t.test(
  'a variable set by a file and overridden by the environment counts with its value',
  async (t) => {
    const one = identify(release({ inherited: { MODE: 'production' } }));
    const two = identify(release());
    t.same(compareReleases(two, one)?.env, { changed: ['MODE'], added: [], removed: [] });
  },
);

t.test('whether the tree is dirty is shown, not part of the id', async (t) => {
  const commit = 'abc1234def5678abc1234def5678abc1234def56';
  const clean = identify(release(), { commit, isDirty: false });
  const dirty = identify(release(), { commit, isDirty: true });
  t.equal(clean.id, dirty.id);
  t.equal(formatRelease(dirty), `${dirty.id} (commit abc1234, dirty)`);
  t.equal(formatRelease(clean), `${clean.id} (commit abc1234)`);
  t.equal(formatRelease(identify(release())), identify(release()).id);
  t.equal(compareReleases(clean, identify(release(), { commit, isDirty: undefined })), undefined);
});

t.test('drift names the env keys, Procfile types and settings that differ', async (t) => {
  const formation = identify(release());
  const mine = identify(
    release({
      procfile: 'web: node server.js --new\ncron: node cron.js\n',
      dotenv: 'DATABASE_URL=postgres://db/other\nMODE=dev\nFEATURE=1\n',
      settings: { envOverride: true },
    }),
  );
  const drift = compareReleases(formation, mine);
  t.same(drift?.env, { changed: ['DATABASE_URL'], added: ['FEATURE'], removed: [] });
  t.same(drift?.procfile, { changed: ['web'], added: ['cron'], removed: ['worker'] });
  t.same(drift?.settings, ['envOverride']);
  t.equal(
    formatDrift(drift!),
    'env DATABASE_URL changed, FEATURE added; Procfile web changed, cron added, worker removed; settings envOverride changed',
  );
  t.equal(compareReleases(formation, identify(release())), undefined);
});

t.test('commits: how far ahead or behind, when known', async (t) => {
  const at = (commit: string) => identify(release(), { commit, isDirty: false });
  const drift = compareReleases(at('abc1234'.padEnd(40, '0')), at('def5678'.padEnd(40, '0')))!;
  t.equal(formatDrift(drift), 'formation runs abc1234, you are at def5678');
  t.equal(
    formatDrift(drift, { ahead: 3, behind: 0 }),
    'formation runs abc1234, you are at def5678, 3 commits ahead',
  );
  t.match(formatDrift(drift, { ahead: 0, behind: 1 }), /, 1 commit behind$/);
  t.match(formatDrift(drift, { ahead: 2, behind: 1 }), /, 2 commits ahead and 1 commit behind$/);
  const outside = compareReleases(identify(release()), at('def5678'.padEnd(40, '0')))!;
  t.equal(formatDrift(outside), 'formation runs no commit, you are at def5678');
});

t.test('names from the other side are escaped, and long lists shortened', async (t) => {
  const formation = identify(release());
  const keys = Array.from({ length: 12 }, (_, i) => `K${i}`);
  const mine = identify(release({ dotenv: keys.map((key) => `${key}=1`).join('\n') }));
  const drift = compareReleases(formation, mine)!;
  t.match(formatDrift(drift), /^env K0, K1, K10, K11, K2, K3, K4, K5 and 4 more added, /);
  const evil = { ...formation, env: { ...formation.env, 'X\u001b[2J': 'x' } };
  t.match(formatDrift(compareReleases(evil, formation)!), /X\\x1b\[2J removed/);
});
