import type { Outcome } from './outcome.js';
import type { ReleaseIdentity, ReleaseSummary } from './release-id.js';

/**
 * Checkers for the richer fields of the control protocol (docs/control.md): an admin
 * process's report, how it ended, a release's identity. Each returns the value, rebuilt
 * with only its own fields, or a string saying what is wrong: both sides believe nothing
 * they did not check.
 */

export type Fields = Readonly<Record<string, unknown>>;

/** What a `run` tells the formation about itself (docs/run.md#the-audit-trail). */
export type AdminRun = Readonly<{
  /** `run.N`, as the formation numbered it. */
  name: string;
  /** The command, its secrets already masked by the client. */
  argv: readonly string[];
  user: string;
  /** The id of the release it runs in. */
  release: string;
  /** What differs from the formation's release, in words; '' when nothing does. */
  drift: string;
}>;

const ADMIN_NAME = /^run\.[1-9][0-9]{0,8}$/;

export function parseAdminRun(value: unknown): AdminRun | string {
  if (!isObject(value)) return '"run" must be an object';
  const { name, argv, user, release, drift } = value;
  if (typeof name !== 'string' || !ADMIN_NAME.test(name)) return '"run.name" must be run.N';
  if (!isStrings(argv) || argv.length === 0) return '"run.argv" must be a list of words';
  if (typeof user !== 'string' || typeof release !== 'string' || typeof drift !== 'string')
    return '"run.user", "run.release" and "run.drift" must be strings';
  return { name, argv: [...argv], user, release, drift };
}

export function parseOutcome(value: unknown): Outcome | string {
  const problem =
    '"outcome" must be {kind: exited, code}, {kind: signalled, signal, signo} or {kind: failed-to-start, reason}';
  if (!isObject(value)) return problem;
  const { kind, code, signal, signo, reason } = value;
  if (kind === 'exited' && isCount(code)) return { kind, code };
  if (kind === 'signalled' && typeof signal === 'string' && isCount(signo))
    return { kind, signal, signo };
  if (kind === 'failed-to-start' && (reason === 'not-found' || reason === 'not-executable'))
    return { kind, reason };
  return problem;
}

export function parseSummary(value: unknown): ReleaseSummary | string {
  const base = parseBase(value);
  if (typeof base === 'string') return base;
  const { types } = value as Fields;
  if (!isStrings(types)) return '"release.types" must be a list of names';
  return { ...base, types: [...types] };
}

function parseBase(value: unknown): Omit<ReleaseSummary, 'types'> | string {
  if (!isObject(value)) return '"release" must be an object';
  const { id, commit, dirty } = value;
  if (typeof id !== 'string') return '"release.id" must be a string';
  if (commit !== null && typeof commit !== 'string')
    return '"release.commit" must be a string or null';
  if (dirty !== null && typeof dirty !== 'boolean')
    return '"release.dirty" must be true, false or null';
  return { id, commit, dirty };
}

export function parseIdentity(value: unknown): ReleaseIdentity | string {
  const summary = parseBase(value);
  if (typeof summary === 'string') return summary;
  const { procfile, env, settings } = value as Fields;
  if (!isTextRecord(procfile) || !isTextRecord(env) || !isTextRecord(settings))
    return '"release.procfile", "release.env" and "release.settings" must map names to strings';
  return { ...summary, procfile: { ...procfile }, env: { ...env }, settings: { ...settings } };
}

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function isStrings(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isTextRecord(value: unknown): value is Readonly<Record<string, string>> {
  return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
}
