import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  controlPaths,
  isPrivateBase,
  problemWithFolder,
  problemWithSocket,
  problemWithSocketPath,
  type PathFacts,
} from '../core/control-place.js';
import { judgeFolder } from '../core/file-safety.js';
import { ForemanError } from '../errors.js';

export type ControlPlace = Readonly<{
  /** The runtime folder that holds ours. */
  base: string;
  /** $HOME/.cache may not exist yet: `start` makes it then. */
  mayMakeBase: boolean;
  dir: string;
  socket: string;
}>;

type Env = Readonly<Record<string, string | undefined>>;

const HINT = 'set XDG_RUNTIME_DIR to a folder only you can write to';

/**
 * Where the socket of the `start` running in `root` is: the one rule for `start` and its
 * clients (docs/control.md). $XDG_RUNTIME_DIR, else /run/user/<uid> when it is ours, else
 * $HOME/.cache when $HOME is ours: never a folder another user could have made first.
 */
export function controlPlaceFor(root: string, env: Env): ControlPlace {
  const uid = process.getuid?.() ?? 0;
  const { base, mayMakeBase } = runtimeBase(env, uid);
  const paths = controlPaths({
    root: realRoot(root),
    runtimeDir: base,
    uid,
    digest: (text) => createHash('sha256').update(text).digest('hex'),
  });
  return { base, mayMakeBase, ...paths };
}

function runtimeBase(env: Env, uid: number): { base: string; mayMakeBase: boolean } {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg !== undefined && xdg !== '') {
    if (isAbsolute(xdg)) return { base: xdg, mayMakeBase: false };
    throw new ForemanError(`XDG_RUNTIME_DIR must be an absolute path, got "${xdg}"`, {
      hint: HINT,
    });
  }
  const runUser = `/run/user/${uid}`;
  if (isPrivateBase(candidate(runUser), uid)) return { base: runUser, mayMakeBase: false };
  const home = env.HOME;
  if (home !== undefined && isAbsolute(home) && isPrivateBase(candidate(home), uid))
    return { base: join(home, '.cache'), mayMakeBase: true };
  const where = home === undefined ? 'HOME is unset' : `HOME (${home}) is not a folder of ours`;
  throw new ForemanError(
    `no private folder for the control socket: XDG_RUNTIME_DIR is unset, ${runUser} is not ours, and ${where}`,
    { hint: HINT },
  );
}

/** A folder we might use: one we cannot even look at is simply not a candidate. */
function candidate(path: string): PathFacts | undefined {
  try {
    return factsOf(path, statSync);
  } catch {
    return undefined;
  }
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

/** `start`: our folder, made 0700 (and $HOME/.cache if missing), refused if not ours. */
export function makeControlFolder(place: ControlPlace): void {
  refuse(problemWithSocketPath(place.socket));
  if (place.mayMakeBase) makeFolder(place.base);
  checkParent(place);
  makeFolder(place.dir);
  checkFolder(place);
}

/**
 * A client, before it connects: false when there is no socket (no `start` runs there); an
 * error when the folder or the socket is not ours, since anyone might listen there.
 */
export function isControlSocketThere(place: ControlPlace): boolean {
  refuse(problemWithSocketPath(place.socket));
  if (!checkParent(place) || !checkFolder(place)) return false;
  const socket = factsOf(place.socket, lstatSync);
  if (socket === undefined) return false;
  refuse(problemWithSocket(socket, uidOf()), `control socket ${place.socket}`);
  return true;
}

function checkParent({ base }: ControlPlace): boolean {
  // Followed: a runtime folder reached through a link (/tmp -> /private/tmp) is fine.
  const facts = factsOf(base, statSync);
  if (facts === undefined) return false;
  const trust = judgeFolder(facts, { uid: uidOf(), gid: process.getgid?.() ?? -1 });
  const problem = trust.kind === 'unsafe' ? trust.problem : undefined;
  refuse(facts.type === 'directory' ? problem : 'is not a folder', `runtime folder ${base}`);
  return true;
}

function checkFolder({ dir }: ControlPlace): boolean {
  const facts = factsOf(dir, lstatSync);
  if (facts !== undefined)
    refuse(problemWithFolder(facts, uidOf()), `control folder ${dir}`, FOLDER_HINT);
  return facts !== undefined;
}

const FOLDER_HINT =
  'another user may have made it to pose as a start: remove it, or set XDG_RUNTIME_DIR to a folder of yours';

function refuse(problem: string | undefined, subject = '', hint = HINT): void {
  if (problem === undefined) return;
  throw new ForemanError(subject === '' ? problem : `${subject} ${problem}`, { hint });
}

/** Not recursive: the runtime folder must exist (a recursive mkdir under /proc never returns). */
function makeFolder(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannot('create', path, error);
  }
}

function factsOf(path: string, stat: (path: string) => Stats): PathFacts | undefined {
  let stats: Stats;
  try {
    stats = stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannot('check', path, error);
  }
  return { type: typeOf(stats), uid: stats.uid, gid: stats.gid, mode: stats.mode };
}

function typeOf(stats: Stats): PathFacts['type'] {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  return stats.isSocket() ? 'socket' : 'other';
}

function cannot(verb: string, path: string, error: unknown): ForemanError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new ForemanError(`cannot ${verb} ${path} (${code})`, { hint: HINT, cause: error });
}

function uidOf(): number {
  return process.getuid?.() ?? 0;
}
