import { UsageError } from '../errors.js';
import type { ProcfileEntry } from './procfile.js';
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
const MAX_PORT = 65535;
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
  const types = typesOf(release);
  const known = types.map((entry) => entry.name);
  for (const name of [...(formation?.keys() ?? []), ...only])
    throwIf(typeProblem(name, known, formation));
  const specs: ProcessSpec[] = [];
  for (const [slot, entry] of types.entries()) {
    if (only.length > 0 && !only.includes(entry.name)) continue;
    const count = countOf(entry.name, formation, only.length > 0);
    throwIf(countProblem(release, entry.name, slot, count));
    for (let instance = 1; instance <= count; instance++)
      specs.push(specOf(release, entry, slot, instance));
  }
  if (specs.length === 0) {
    throw new UsageError(
      'nothing to start: the formation runs no processes',
      'check -m/--formation',
    );
  }
  return specs;
}

/**
 * A live `scale` over the current counts: listed types get their count, `all` counts for every
 * type not listed (as in `-m`), the others keep theirs. The limits of `-m` hold: known types,
 * at most PORT_STEP instances per type, every port within range. Counts for every type.
 */
export function resolveScale(
  release: Release,
  current: ReadonlyMap<string, number>,
  scale: Formation,
): Formation | FormationProblem {
  const types = typesOf(release).map((entry) => entry.name);
  for (const name of scale.keys()) {
    const problem = typeProblem(name, types, scale);
    if (problem !== undefined) return problem;
  }
  const counts = new Map<string, number>();
  for (const [slot, type] of types.entries()) {
    const count = scale.get(type) ?? scale.get('all') ?? current.get(type) ?? 0;
    const problem = countProblem(release, type, slot, count);
    if (problem !== undefined) return problem;
    counts.set(type, count);
  }
  return counts;
}

/** A running start keeps the release it read when it began (docs/control.md). */
const KEEPS_ITS_RELEASE =
  'a running start keeps the Procfile it started with: stop it and start again to use an edited one';

/**
 * `resolveScale` for a running start: a type added to the Procfile since start read it is
 * unknown to it, and the hint says why.
 */
export function resolveLiveScale(
  release: Release,
  current: ReadonlyMap<string, number>,
  scale: Formation,
): Formation | FormationProblem {
  const counts = resolveScale(release, current, scale);
  if (!isFormationProblem(counts) || !counts.problem.startsWith('unknown process type'))
    return counts;
  return { ...counts, hint: `${counts.hint}; ${KEEPS_ITS_RELEASE}` };
}

/** Instances for counts already checked (`resolveScale`, `countsOf`): any may be zero. */
export function expandCounts(release: Release, counts: Formation): ProcessSpec[] {
  return typesOf(release).flatMap((entry, slot) =>
    Array.from({ length: counts.get(entry.name) ?? 0 }, (_, index) =>
      specOf(release, entry, slot, index + 1),
    ),
  );
}

/** A count for every type of the formation, from its instances. */
export function countsOf(release: Release, specs: readonly ProcessSpec[]): Formation {
  return new Map(
    typesOf(release).map((entry) => [
      entry.name,
      specs.filter((spec) => spec.type === entry.name).length,
    ]),
  );
}

/** The formation's types in slot order; `release` takes no slot, as it never runs in it. */
function typesOf(release: Release): ProcfileEntry[] {
  return (release.procfile?.entries ?? []).filter((entry) => entry.name !== RELEASE_TYPE);
}

function throwIf(problem: FormationProblem | undefined): void {
  if (problem !== undefined) throw new UsageError(problem.problem, problem.hint);
}

function typeProblem(
  name: string,
  known: readonly string[],
  formation: Formation | undefined,
): FormationProblem | undefined {
  if (name === 'all' && formation?.has('all')) return undefined;
  if (name === RELEASE_TYPE) {
    const hint =
      'it runs before the formation; use --no-release to skip it, or "foreman-ts run release"';
    return { problem: `"${RELEASE_TYPE}" is not part of the formation`, hint };
  }
  if (!known.includes(name))
    return { problem: `unknown process type "${name}"`, hint: `known: ${known.join(', ')}` };
  return undefined;
}

/** Past PORT_STEP, instances would take the next type's ports; no port is above MAX_PORT. */
function countProblem(
  release: Release,
  type: string,
  slot: number,
  count: number,
): FormationProblem | undefined {
  if (count > PORT_STEP)
    return {
      problem: `${type}=${count} is too many`,
      hint: `at most ${PORT_STEP} instances per type`,
    };
  const first = portOf(release, slot, 1);
  if (count === 0 || first + count - 1 <= MAX_PORT) return undefined;
  const instance = Math.max(1, MAX_PORT + 2 - first);
  const problem = `${type}.${instance} would get port ${first + instance - 1}`;
  return { problem, hint: 'choose a lower base port with -p' };
}

function countOf(type: string, formation: Formation | undefined, isNamed: boolean): number {
  if (formation === undefined) return 1;
  return formation.get(type) ?? formation.get('all') ?? (isNamed ? 1 : 0);
}

function portOf(release: Release, slot: number, instance: number): number {
  return release.basePort + PORT_STEP * slot + instance - 1;
}

function specOf(
  release: Release,
  entry: ProcfileEntry,
  slot: number,
  instance: number,
): ProcessSpec {
  const name = `${entry.name}.${instance}`;
  const port = portOf(release, slot, instance);
  return {
    name,
    type: entry.name,
    instance,
    command: entry.command,
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

/**
 * One instance of a type outside the initial formation (a live `scale`), by the same port rule.
 * `resolveScale` has checked the type and the count: an unknown type is a bug of ours.
 */
export function expandInstance(release: Release, type: string, instance: number): ProcessSpec {
  const types = typesOf(release);
  const slot = types.findIndex((entry) => entry.name === type);
  const entry = types[slot];
  if (entry === undefined) throw new Error(`expandInstance: unknown process type "${type}"`);
  return specOf(release, entry, slot, instance);
}

/** The formation the release's settings ask for (`-m`, FOREMAN_TS_FORMATION, `.foreman`), if any. */
export function formationOf(release: Release): Formation | undefined {
  const { formation } = release.settings;
  return formation === undefined ? undefined : parseFormation(formation);
}
