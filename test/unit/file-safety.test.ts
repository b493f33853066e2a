import t from 'tap';
import { folderModeFor, judgeEntry, judgeFolder } from '../../src/core/file-safety.js';

const root = { uid: 0, gid: 0 };
const alice = { uid: 1000, gid: 1000 };
const folder = (uid: number, gid: number, mode: number) => ({ uid, gid, mode });

t.test('a folder only we or root can change is safe', async (t) => {
  t.same(judgeFolder(folder(0, 0, 0o755), root), { kind: 'safe' });
  t.same(judgeFolder(folder(0, 0, 0o755), alice), { kind: 'safe' });
  t.same(judgeFolder(folder(1000, 1000, 0o775), alice), { kind: 'safe' }, 'our private group');
  t.same(judgeFolder(folder(1000, 1000, 0o700), alice), { kind: 'safe' });
});

t.test('a folder another user can change is unsafe, and says why', async (t) => {
  t.same(judgeFolder(folder(1000, 1000, 0o755), root), {
    kind: 'unsafe',
    problem: 'belongs to uid 1000',
  });
  t.same(judgeFolder(folder(0, 0, 0o777), alice), {
    kind: 'unsafe',
    problem: 'is writable by every user (mode 0777)',
  });
  t.same(judgeFolder(folder(0, 50, 0o2775), root), {
    kind: 'unsafe',
    problem: 'is writable by group 50 (mode 2775)',
  });
});

t.test('a sticky folder others can write is usable for entries of ours', async (t) => {
  t.same(judgeFolder(folder(0, 0, 0o1777), alice), { kind: 'sticky' });
  t.same(judgeFolder(folder(0, 50, 0o1775), root), { kind: 'sticky' });
  t.equal(judgeEntry(folder(1000, 1000, 0o644), alice), undefined);
  t.equal(judgeEntry(folder(0, 0, 0o644), alice), undefined, 'root’s entries are trusted');
  t.equal(judgeEntry(folder(65534, 65534, 0o777), root), 'belongs to uid 65534');
});

t.test('folders we create are 0700 only when all they hold is private', async (t) => {
  const files = [
    { path: 'app-web.1/run', mode: 0o755 },
    { path: 'app-web.1/env/PORT', mode: 0o600 },
    { path: 'app-web.1/env/SECRET', mode: 0o600 },
    { path: 'app-web.1/log/run', mode: 0o755 },
    { path: 'keys/k', mode: 0o400 },
  ];
  t.equal(folderModeFor('', files), 0o755);
  t.equal(folderModeFor('app-web.1', files), 0o755);
  t.equal(folderModeFor('app-web.1/env', files), 0o700);
  t.equal(folderModeFor('app-web.1/log', files), 0o755);
  t.equal(folderModeFor('keys', files), 0o700);
  t.equal(folderModeFor('app-web', files), 0o755, 'a prefix of a name is not a parent');
  t.equal(folderModeFor('empty', files), 0o755);
});

t.test('without POSIX ids (Windows) there is nothing to judge', async (t) => {
  const windows = { uid: -1, gid: -1 };
  t.same(judgeFolder(folder(0, 0, 0o40666), windows), { kind: 'safe' });
  t.equal(judgeEntry(folder(0, 0, 0o666), windows), undefined);
});
