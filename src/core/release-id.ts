import { escapeText } from './escape-text.js';
import { describeProbe, type PolicyDraft, type ReadyProbe } from './policy.js';
import type { Release } from './release.js';

/**
 * A release's identity (docs/run.md#releases): what the formation runs, as a fingerprint a
 * `run` can compare its own release with. Pure: the hash function and the git facts come in.
 * Values are kept only as digests, never in clear; the short id covers everything but
 * whether the tree is dirty, which `run` cannot afford to ask git (it is shown beside it).
 */
export type ReleaseIdentity = Readonly<{
  /** 7 hex digits over the Procfile, the env, the settings and the commit. */
  id: string;
  /** Each Procfile type, with a digest of its command. */
  procfile: Readonly<Record<string, string>>;
  /** Each variable the env files set, with a digest of the value processes get. */
  env: Readonly<Record<string, string>>;
  /** The settings that decide what every process of the release gets (SETTINGS below). */
  settings: Readonly<Record<string, string>>;
  /** The checkout's commit, when the root is in a git checkout. */
  commit: string | null;
  /** Tracked files changed since the commit; null when not asked (run) or git could not say. */
  dirty: boolean | null;
}>;

/**
 * What `start`, `status`, `restart` and `scale` show: the id, the code it runs, and its
 * Procfile's types (to tell a type added since from an unknown one).
 */
export type ReleaseSummary = Pick<ReleaseIdentity, 'id' | 'commit' | 'dirty'> &
  Readonly<{ types: readonly string[] }>;

export type GitFacts = Readonly<{ commit: string; isDirty: boolean | undefined }>;

/** A hash as hex (sha256 from the shell): the same function on both sides of a comparison. */
export type Digest = (text: string) => string;

const ID_LENGTH = 7;
/** 64 bits: enough to tell two values apart, too short to be worth storing for a value. */
const VALUE_DIGEST_LENGTH = 16;

/**
 * The settings of a release, by name. Not the formation, base port, grace period or log
 * settings: those say how `start` runs a release (as Heroku's formation does), and `run` never
 * sees `start`'s flags. These every command reads alike.
 */
export const SETTINGS = ['procfile', 'envFiles', 'envOverride', 'processes'] as const;

export function identifyRelease(
  release: Release,
  { git, digest }: { git: GitFacts | undefined; digest: Digest },
): ReleaseIdentity {
  const short = (text: string): string => digest(text).slice(0, VALUE_DIGEST_LENGTH);
  const procfile = sortedRecord(
    (release.procfile?.entries ?? []).map(({ name, command }) => [name, short(command)]),
  );
  const env = sortedRecord(
    [...release.envOrigins.keys()].map((key) => [key, short(`${key}=${release.env[key] ?? ''}`)]),
  );
  const settings = settingsOf(release, short);
  const commit = git?.commit ?? null;
  const id = digest(JSON.stringify({ procfile, env, settings, commit })).slice(0, ID_LENGTH);
  return { id, procfile, env, settings, commit, dirty: git?.isDirty ?? null };
}

function settingsOf(release: Release, short: (text: string) => string): Record<string, string> {
  const inRoot = (path: string): string =>
    path.startsWith(`${release.root}/`) ? path.slice(release.root.length + 1) : path;
  const values: Record<(typeof SETTINGS)[number], string> = {
    procfile: release.procfile === undefined ? '' : inRoot(release.procfile.path),
    envFiles: release.envFiles.map(inRoot).join(','),
    envOverride: String(release.settings.envOverride ?? false),
    processes: release.policies.length === 0 ? '' : short(formatPolicies(release.policies)),
  };
  return values;
}

/** `.foreman` `processes:` as canonical text: by type and setting, lines left out. */
function formatPolicies(drafts: readonly PolicyDraft[]): string {
  const show = (value: unknown): string =>
    isProbe(value) ? describeProbe(value) : JSON.stringify(value);
  return [...drafts]
    .sort((a, b) => compareText(a.type, b.type))
    .map(({ type, values }) => {
      const pairs = Object.entries(values).sort(([a], [b]) => compareText(a, b));
      return `${type}: ${pairs.map(([key, value]) => `${key}=${show(value)}`).join(' ')}`;
    })
    .join('\n');
}

function isProbe(value: unknown): value is ReadyProbe {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

function sortedRecord(pairs: readonly (readonly [string, string])[]): Record<string, string> {
  return Object.fromEntries([...pairs].sort(([a], [b]) => compareText(a, b)));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function summaryOf({ id, commit, dirty, procfile }: ReleaseIdentity): ReleaseSummary {
  return { id, commit, dirty, types: Object.keys(procfile) };
}

/** `3f9c2a1 (commit abc1234, dirty)`, `3f9c2a1` outside git. */
export function formatRelease({
  id,
  commit,
  dirty,
}: Pick<ReleaseSummary, 'id' | 'commit' | 'dirty'>): string {
  if (commit === null) return id;
  return `${id} (commit ${commit.slice(0, 7)}${dirty === true ? ', dirty' : ''})`;
}

/** Names present on one side only, or on both with different digests. */
export type Changes = Readonly<{
  changed: readonly string[];
  /** In the caller's release, not in the formation's. */
  added: readonly string[];
  removed: readonly string[];
}>;

/** How a `run`'s release differs from the formation's; undefined when it does not. */
export type ReleaseDrift = Readonly<{
  formation: ReleaseSummary;
  mine: ReleaseSummary;
  env: Changes;
  procfile: Changes;
  settings: readonly string[];
  /** Set when the commits differ. */
  commit: Readonly<{ formation: string | null; mine: string | null }> | undefined;
}>;

export function compareReleases(
  formation: ReleaseIdentity,
  mine: ReleaseIdentity,
): ReleaseDrift | undefined {
  const env = changesOf(formation.env, mine.env);
  const procfile = changesOf(formation.procfile, mine.procfile);
  const settings = changesOf(formation.settings, mine.settings);
  const commit =
    formation.commit === mine.commit
      ? undefined
      : { formation: formation.commit, mine: mine.commit };
  if ([env, procfile, settings].every(isEmpty) && commit === undefined) return undefined;
  return {
    formation: summaryOf(formation),
    mine: summaryOf(mine),
    env,
    procfile,
    settings: [...settings.changed, ...settings.added, ...settings.removed],
    commit,
  };
}

function changesOf(
  formation: Readonly<Record<string, string>>,
  mine: Readonly<Record<string, string>>,
): Changes {
  const names = (record: Readonly<Record<string, string>>): string[] => Object.keys(record);
  return {
    changed: names(mine).filter(
      (name) => Object.hasOwn(formation, name) && formation[name] !== mine[name],
    ),
    added: names(mine).filter((name) => !Object.hasOwn(formation, name)),
    removed: names(formation).filter((name) => !Object.hasOwn(mine, name)),
  };
}

function isEmpty(changes: Changes): boolean {
  return changes.changed.length + changes.added.length + changes.removed.length === 0;
}

/** How far the caller's commit is from the formation's, when git could tell. */
export type CommitDistance = Readonly<{ ahead: number; behind: number }>;

/** At most this many names per list: the line must stay one line. */
const MAX_NAMES = 8;

/**
 * What changed, in one line: `env DATABASE_URL changed, STRIPE_KEY added; Procfile worker
 * changed; formation runs abc1234, you are at def5678, 3 commits ahead`. Names only, never
 * values; names come from the other side of a socket, so they are escaped.
 */
export function formatDrift(drift: ReleaseDrift, distance?: CommitDistance): string {
  const parts = [
    formatChanges('env', drift.env),
    formatChanges('Procfile', drift.procfile),
    drift.settings.length === 0 ? '' : `settings ${listNames(drift.settings)} changed`,
    drift.commit === undefined ? '' : formatCommits(drift.commit, distance),
  ].filter((part) => part !== '');
  return parts.join('; ');
}

function formatChanges(what: string, changes: Changes): string {
  const pieces = [
    changes.changed.length > 0 ? `${listNames(changes.changed)} changed` : '',
    changes.added.length > 0 ? `${listNames(changes.added)} added` : '',
    changes.removed.length > 0 ? `${listNames(changes.removed)} removed` : '',
  ].filter((piece) => piece !== '');
  return pieces.length === 0 ? '' : `${what} ${pieces.join(', ')}`;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).map((name) => escapeText(name));
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

function formatCommits(
  { formation, mine }: { formation: string | null; mine: string | null },
  distance: CommitDistance | undefined,
): string {
  const show = (commit: string | null): string =>
    commit === null ? 'no commit' : escapeText(commit.slice(0, 7));
  const base = `formation runs ${show(formation)}, you are at ${show(mine)}`;
  if (distance === undefined) return base;
  const { ahead, behind } = distance;
  const count = (n: number): string => `${n} commit${n === 1 ? '' : 's'}`;
  if (behind === 0) return `${base}, ${count(ahead)} ahead`;
  if (ahead === 0) return `${base}, ${count(behind)} behind`;
  return `${base}, ${count(ahead)} ahead and ${count(behind)} behind`;
}
