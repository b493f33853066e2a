import { execFile } from 'node:child_process';
import { lstatSync, readFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommitDistance, GitFacts } from '../core/release-id.js';

/**
 * What git says of the code an app root runs (docs/run.md#releases): its commit, read from
 * `.git` directly (a few small files, no process: `run` can afford it), and, for `start`
 * only, whether tracked files changed since (that takes `git status`, a process).
 */

type Env = Readonly<Record<string, string | undefined>>;

/** A checkout: its work tree and the folder git keeps it in (a worktree's is a file away). */
type Checkout = Readonly<{ workTree: string; gitDir: string }>;

/** How long `start` waits for git: past this, the tree's state is simply not known. */
const GIT_TIMEOUT_MS = 5_000;
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The commit (and, when asked, dirtiness) of the checkout `root` is in; undefined outside git. */
export async function readGitFacts(
  root: string,
  { env, isDirtyWanted }: { env: Env; isDirtyWanted: boolean },
): Promise<GitFacts | undefined> {
  const checkout = findCheckout(root);
  if (checkout === undefined) return undefined;
  const commit = readHeadCommit(checkout) ?? (await askGit(checkout, env, ['rev-parse', 'HEAD']));
  if (commit === undefined || !COMMIT.test(commit)) return undefined;
  const isDirty = isDirtyWanted ? await isTreeDirty(checkout, env) : undefined;
  return { commit, isDirty };
}

/**
 * The nearest folder from `root` up with a `.git`, as git finds it, but never past a folder
 * owned by someone else: a `.git` planted above a shared folder is not the app's.
 */
function findCheckout(root: string): Checkout | undefined {
  const owner = statOf(root)?.uid;
  for (let folder = root; owner !== undefined; folder = dirname(folder)) {
    if (statOf(folder)?.uid !== owner) return undefined;
    const dotGit = join(folder, '.git');
    const marker = statOf(dotGit);
    if (marker?.isDirectory()) return { workTree: folder, gitDir: dotGit };
    if (marker?.isFile()) {
      const gitDir = readLink(dotGit);
      return gitDir === undefined ? undefined : { workTree: folder, gitDir };
    }
    if (dirname(folder) === folder) return undefined;
  }
  return undefined;
}

/** A worktree's or submodule's `.git` file: `gitdir: <path>`, relative to its folder. */
function readLink(file: string): string | undefined {
  const match = /^gitdir: (.+)$/m.exec(readSmall(file) ?? '');
  return match?.[1] === undefined ? undefined : resolve(dirname(file), match[1].trim());
}

/** HEAD, followed through symbolic refs to loose or packed refs; undefined if it is elsewhere. */
function readHeadCommit({ gitDir }: Checkout): string | undefined {
  const common = readSmall(join(gitDir, 'commondir'));
  const commonDir = common === undefined ? gitDir : resolve(gitDir, common.trim());
  let content = readSmall(join(gitDir, 'HEAD'))?.trim();
  for (let depth = 0; depth < 5 && content !== undefined; depth++) {
    const ref = /^ref: (refs\/\S+)$/.exec(content)?.[1];
    if (ref === undefined) return COMMIT.test(content) ? content : undefined;
    content = (
      readSmall(join(gitDir, ref)) ??
      readSmall(join(commonDir, ref)) ??
      packedRef(commonDir, ref)
    )?.trim();
  }
  return undefined;
}

function packedRef(commonDir: string, ref: string): string | undefined {
  const packed = readSmall(join(commonDir, 'packed-refs')) ?? '';
  for (const line of packed.split('\n')) {
    const [commit, name] = line.split(' ');
    if (name === ref && commit !== undefined) return commit;
  }
  return undefined;
}

/** Tracked files changed since the commit (`git describe --dirty`'s sense: untracked ones do not count). */
async function isTreeDirty(checkout: Checkout, env: Env): Promise<boolean | undefined> {
  const args = ['status', '--porcelain', '--untracked-files=no'];
  const output = await askGit(checkout, env, args);
  return output === undefined ? undefined : output !== '';
}

/** How many commits `mine` is ahead of and behind `formation`; undefined if git cannot say. */
export async function countCommits(
  root: string,
  { formation, mine, env }: { formation: string; mine: string; env: Env },
): Promise<CommitDistance | undefined> {
  const checkout = findCheckout(root);
  if (checkout === undefined || !COMMIT.test(formation) || !COMMIT.test(mine)) return undefined;
  const args = ['rev-list', '--left-right', '--count', `${formation}...${mine}`];
  const [behind, ahead] = (await askGit(checkout, env, args))?.split(/\s+/).map(Number) ?? [];
  if (!Number.isSafeInteger(behind) || !Number.isSafeInteger(ahead)) return undefined;
  return { ahead: ahead as number, behind: behind as number };
}

/**
 * One git command in the checkout, its trimmed output or undefined (no git, not a repository
 * git trusts, a timeout). GIT_* variables are dropped, so git looks where we looked.
 * `--no-optional-locks`: `status` must not take the index lock a user's git may want.
 */
function askGit(
  checkout: Checkout,
  env: Env,
  args: readonly string[],
): Promise<string | undefined> {
  const clean: Record<string, string> = { LC_ALL: 'C' };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && !key.startsWith('GIT_') && key !== 'LC_ALL') clean[key] = value;
  return new Promise((done) => {
    execFile(
      'git',
      ['--no-optional-locks', '-C', checkout.workTree, ...args],
      { env: clean, timeout: GIT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => done(error === null ? stdout.trim() : undefined),
    );
  });
}

function statOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** A ref or HEAD is a line; a larger file there is not one. */
function readSmall(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > 64 * 1024 && !path.endsWith('packed-refs') ? undefined : text;
  } catch {
    return undefined;
  }
}
