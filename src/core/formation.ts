import { UsageError } from '../errors.js';
import type { Release } from './release.js';

/** How many of each process type to run; `all` counts for every type not listed. */
export type Formation = ReadonlyMap<string, number>;

export type ProcessSpec = Readonly<{
  /** `web.1`: the instance name used in output, PS and exported unit names. */
  name: string;
  type: string;
  instance: number;
  command: string;
  port: number;
  env: Readonly<Record<string, string>>;
}>;

/** The release phase's type: run before the formation, never part of it. */
export const RELEASE_TYPE = 'release';
const PORT_STEP = 100;
const ITEM = /^([A-Za-z0-9_-]+)=(\d+)$/;

/** What is wrong with a formation, as a value: `-m` throws it, a live `scale` answers with it. */
export type FormationProblem = Readonly<{ problem: string; hint: string }>;

export function isFormationProblem(value: Formation | FormationProblem): value is FormationProblem {
  return 'problem' in value;
}

export function tryParseFormation(text: string): Formation | FormationProblem {
  const counts = new Map<string, number>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const [, name, count] = ITEM.exec(item) ?? [];
    if (name === undefined || count === undefined) {
      const hint = 'write TYPE=COUNT[,TYPE=COUNT], e.g. web=2,worker=1';
      return { problem: `bad formation item "${item}"`, hint };
    }
    counts.set(name, Number(count));
  }
  return counts;
}

export function parseFormation(text: string): Formation {
  const formation = tryParseFormation(text);
  if (isFormationProblem(formation)) throw new UsageError(formation.problem, formation.hint);
  return formation;
}

/** Instances to start: Procfile order, `web.1 web.2 worker.1`, each with its PORT and PS. */
export function expandFormation(
  release: Release,
  { formation, only = [] }: { formation?: Formation | undefined; only?: readonly string[] },
): ProcessSpec[] {
  const entries = release.procfile?.entries ?? [];
  const known = entries.map((entry) => entry.name).filter((name) => name !== RELEASE_TYPE);
  for (const name of [...(formation?.keys() ?? []), ...only]) checkType(name, known, formation);
  const specs: ProcessSpec[] = [];
  // Slots follow Procfile order; `release` takes none, since it never runs in the formation.
  const types = entries.filter((entry) => entry.name !== RELEASE_TYPE);
  for (const [slot, entry] of types.entries()) {
    if (only.length > 0 && !only.includes(entry.name)) continue;
    const count = countOf(entry.name, formation, only.length > 0);
    if (count > PORT_STEP) {
      throw new UsageError(
        `${entry.name}=${count} is too many`,
        `at most ${PORT_STEP} instances per type`,
      );
    }
    for (let instance = 1; instance <= count; instance++) {
      const port = release.basePort + PORT_STEP * slot + instance - 1;
      specs.push(specOf({ release, type: entry.name, command: entry.command, instance, port }));
    }
  }
  if (specs.length === 0) {
    throw new UsageError(
      'nothing to start: the formation runs no processes',
      'check -m/--formation',
    );
  }
  return specs;
}

function checkType(name: string, known: readonly string[], formation: Formation | undefined): void {
  if (name === 'all' && formation?.has('all')) return;
  if (name === RELEASE_TYPE) {
    const hint =
      'it runs before the formation; use --no-release to skip it, or "foreman-ts run release"';
    throw new UsageError(`"${RELEASE_TYPE}" is not part of the formation`, hint);
  }
  if (!known.includes(name)) {
    throw new UsageError(`unknown process type "${name}"`, `known: ${known.join(', ')}`);
  }
}

function countOf(type: string, formation: Formation | undefined, isNamed: boolean): number {
  if (formation === undefined) return 1;
  return formation.get(type) ?? formation.get('all') ?? (isNamed ? 1 : 0);
}

function specOf({
  release,
  type,
  command,
  instance,
  port,
}: {
  release: Release;
  type: string;
  command: string;
  instance: number;
  port: number;
}): ProcessSpec {
  const name = `${type}.${instance}`;
  if (port > 65535)
    throw new UsageError(`${name} would get port ${port}`, 'choose a lower base port with -p');
  return {
    name,
    type,
    instance,
    command,
    port,
    env: { ...release.env, PORT: String(port), PS: name },
  };
}

/**
 * The release phase's process, when the Procfile has one: an admin process (no PORT of its
 * own, like `run`), named `release.1` in output and PS.
 */
export function expandReleasePhase(release: Release): ProcessSpec | undefined {
  const entry = release.procfile?.entries.find((candidate) => candidate.name === RELEASE_TYPE);
  if (entry === undefined) return undefined;
  const name = `${RELEASE_TYPE}.1`;
  return {
    name,
    type: RELEASE_TYPE,
    instance: 1,
    command: entry.command,
    port: 0,
    env: { ...release.env, PS: name },
  };
}

/** One instance of a type outside the initial formation (a live `scale`), by the same port rule. */
export function expandInstance(release: Release, type: string, instance: number): ProcessSpec {
  const types = (release.procfile?.entries ?? []).filter((entry) => entry.name !== RELEASE_TYPE);
  const slot = types.findIndex((entry) => entry.name === type);
  const entry = types[slot];
  if (entry === undefined) throw new UsageError(`unknown process type "${type}"`);
  return specOf({
    release,
    type,
    command: entry.command,
    instance,
    port: release.basePort + PORT_STEP * slot + instance - 1,
  });
}

/** The formation the release's settings ask for (`-m`, FOREMAN_TS_FORMATION, `.foreman`), if any. */
export function formationOf(release: Release): Formation | undefined {
  const { formation } = release.settings;
  return formation === undefined ? undefined : parseFormation(formation);
}
