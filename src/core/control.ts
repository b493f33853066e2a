import { UsageError } from '../errors.js';
import {
  isCount,
  isObject,
  isStrings,
  parseAdminRun,
  parseIdentity,
  parseOutcome,
  parseSummary,
  type AdminRun,
  type Fields,
} from './control-fields.js';
import type { Outcome } from './outcome.js';
import type { ReleaseIdentity, ReleaseSummary } from './release-id.js';

export type { AdminRun } from './control-fields.js';

/**
 * The control protocol of a running `start` (docs/control.md): newline-delimited JSON over a
 * Unix socket, versioned. Pure: requests and replies as values, checked in both directions,
 * and the types by which the socket server and the supervisor meet. A new request kind is one
 * member of `ControlCommand` and its entry in `COMMANDS` (the compiler asks for it), then its
 * branch in the reducer.
 */

export const PROTOCOL_VERSION = 1;

/** No request is longer (a `restart` of a hundred names is 2 KiB). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** No reply is longer: a status row is about 150 bytes, so this is ~25,000 processes. */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * What one `start` grants its clients (docs/control.md): connections at once, how long a
 * connection may sit with nothing read or written, and how long a client waits for a reply
 * (every reply is immediate; a start that takes this long is stuck, or not one).
 */
export type ControlLimits = Readonly<{ connections: number; idleMs: number; replyMs: number }>;

export const CONTROL_LIMITS: ControlLimits = { connections: 64, idleMs: 10_000, replyMs: 10_000 };

/** Test-only: smaller limits, so tests of the idle timeout or of a silent server stay short. */
export const TEST_LIMITS_VAR = 'FOREMAN_TS_TEST_CONTROL_LIMITS';

/** `idleMs=300,replyMs=500,connections=4` over the defaults. */
export function resolveControlLimits(text: string | undefined): ControlLimits {
  if (text === undefined || text === '') return CONTROL_LIMITS;
  const limits: Record<string, number> = { ...CONTROL_LIMITS };
  for (const pair of text.split(',')) {
    const [key = '', value = ''] = pair.split('=');
    if (!Object.hasOwn(CONTROL_LIMITS, key) || !/^[1-9][0-9]{0,8}$/.test(value))
      throw new UsageError(
        `${TEST_LIMITS_VAR} must be like "idleMs=300,replyMs=500", got "${text}"`,
      );
    limits[key] = Number(value);
  }
  return limits as ControlLimits;
}

export type ControlCommand =
  | { readonly cmd: 'status' }
  | { readonly cmd: 'stop'; readonly targets: readonly string[] }
  | { readonly cmd: 'restart'; readonly targets: readonly string[] }
  | { readonly cmd: 'scale'; readonly formation: string }
  | { readonly cmd: 'quit' }
  /** A `run` beside the formation: its number, and the formation's release to compare with. */
  | { readonly cmd: 'run-begin' }
  | { readonly cmd: 'run-started'; readonly run: AdminRun; readonly pid: number }
  | {
      readonly cmd: 'run-exited';
      readonly run: AdminRun;
      readonly pid: number;
      readonly outcome: Outcome;
      readonly durationMs: number;
    }
  /** `--strict-release` refused to run it: its release is not the formation's. */
  | { readonly cmd: 'run-refused'; readonly run: AdminRun }
  /** `run --detach`: the formation runs `command` (unmasked), as `run.N`, in its own release. */
  | { readonly cmd: 'run-detach'; readonly run: AdminRun; readonly command: readonly string[] };

export type ControlRequest = Readonly<{ v: number; id: number }> & ControlCommand;

export type StatusRow = Readonly<{
  process: string;
  pid: number | null;
  state: string;
  uptimeMs: number | null;
  restarts: number;
  port: number;
  lastExit: string | null;
}>;

/** The supervisor's status; the server adds where it answers (its socket) on the wire. */
export type StatusView = Readonly<{
  kind: 'status';
  pid: number;
  root: string;
  /** The release the formation runs (absent from a start that predates release ids). */
  release?: ReleaseSummary;
  processes: readonly StatusRow[];
}>;
export type StatusResult = StatusView & Readonly<{ socket: string }>;
/** `restart` and `scale` add the release they use, so the client can compare it with its own. */
export type DoneResult = Readonly<{ kind: 'done'; message: string; release?: ReleaseSummary }>;
export type RunBeginResult = Readonly<{
  kind: 'run-begin';
  name: string;
  release: ReleaseIdentity;
}>;
export type ControlResult = StatusResult | DoneResult | RunBeginResult;
export type ControlFailure = Readonly<{ error: string; hint?: string }>;

/** What the supervisor answers a request with. */
export type ControlAnswer = StatusView | DoneResult | RunBeginResult | ControlFailure;

/** A reply carries its request's id; id 0 is about the connection (too many, too long). */
export type ControlReply =
  | Readonly<{ v: number; id: number; ok: true; result: ControlResult }>
  | (Readonly<{ v: number; id: number; ok: false }> & ControlFailure);

/** Requests from the socket, each answered once through `respond`. */
export type ControlHandler = (
  command: ControlCommand,
  respond: (answer: ControlAnswer) => void,
) => void;

/** What the supervisor needs of a control server: requests, until it stops serving. */
export type ControlChannel = Readonly<{ serve: (handler: ControlHandler) => () => void }>;

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

type Cmd = ControlCommand['cmd'];
type FieldsOf<K extends Cmd> = Omit<Extract<ControlCommand, { cmd: K }>, 'cmd'>;

/** Each request kind and how its fields are checked: a string says what is wrong. */
const COMMANDS: { readonly [K in Cmd]: (fields: Fields) => FieldsOf<K> | string } = {
  status: () => ({}),
  stop: targetsOf,
  restart: targetsOf,
  scale: (fields) =>
    typeof fields.formation === 'string'
      ? { formation: fields.formation }
      : '"formation" must be a string',
  quit: () => ({}),
  'run-begin': () => ({}),
  'run-started': (fields) => withRun(fields, () => pidOf(fields)),
  'run-exited': (fields) =>
    withRun(fields, () => {
      const outcome = parseOutcome(fields.outcome);
      if (typeof outcome === 'string') return outcome;
      if (!isCount(fields.durationMs)) return '"durationMs" must be a whole number';
      // pid 0: the command never started (not found), which the audit trail records too.
      if (!isCount(fields.pid)) return '"pid" must be a process id or 0';
      return { pid: fields.pid, outcome, durationMs: fields.durationMs };
    }),
  'run-refused': (fields) => withRun(fields, () => ({})),
  'run-detach': (fields) =>
    withRun(fields, () =>
      isStrings(fields.command) && fields.command.length > 0 && fields.command[0] !== ''
        ? { command: [...fields.command] }
        : '"command" must be a list of words, the first not empty',
    ),
};

/** A report of an admin process: its `run` object, and the fields of its kind. */
function withRun<T extends object>(
  fields: Fields,
  rest: () => T | string,
): (T & { run: AdminRun }) | string {
  const run = parseAdminRun(fields.run);
  if (typeof run === 'string') return run;
  const more = rest();
  return typeof more === 'string' ? more : { ...more, run };
}

function pidOf(fields: Fields): { pid: number } | string {
  return isCount(fields.pid) && fields.pid > 0 ? { pid: fields.pid } : '"pid" must be a process id';
}

function targetsOf(fields: Fields): { targets: readonly string[] } | string {
  const { targets } = fields;
  return isStrings(targets) ? { targets: [...targets] } : '"targets" must be a list of names';
}

function isCmd(value: unknown): value is Cmd {
  return typeof value === 'string' && Object.hasOwn(COMMANDS, value);
}

/** One request line, checked; a failure keeps the id when there is one, to answer it. */
export function parseRequest(line: string): Parsed<ControlRequest> & { readonly id?: number } {
  const fields = parseObject(line);
  if (typeof fields === 'string') return { ok: false, problem: fields };
  const id = Number.isSafeInteger(fields.id) ? (fields.id as number) : undefined;
  const fail = (problem: string) => ({
    ok: false as const,
    problem,
    ...(id === undefined ? {} : { id }),
  });
  if (fields.v !== PROTOCOL_VERSION)
    return fail(`unsupported protocol version ${show(fields.v)} (this is ${PROTOCOL_VERSION})`);
  if (id === undefined) return fail('missing numeric "id"');
  if (!isCmd(fields.cmd)) return fail(`unknown cmd ${show(fields.cmd)}`);
  const rest = COMMANDS[fields.cmd](fields);
  if (typeof rest === 'string') return fail(rest);
  const command = { cmd: fields.cmd, ...rest } as ControlCommand;
  return { ok: true, value: { v: PROTOCOL_VERSION, id, ...command } };
}

export function formatRequest(id: number, command: ControlCommand): string {
  return `${JSON.stringify({ v: PROTOCOL_VERSION, id, ...command })}\n`;
}

/** The supervisor's answer to request `id` as a reply, from the server at `socket`. */
export function replyOf(id: number, answer: ControlAnswer, socket: string): ControlReply {
  if ('error' in answer) return failureOf(id, answer);
  const result = answer.kind === 'status' ? { ...answer, socket } : answer;
  return { v: PROTOCOL_VERSION, id, ok: true, result };
}

export function failureOf(id: number, failure: ControlFailure): ControlReply {
  return { v: PROTOCOL_VERSION, id, ok: false, ...failure };
}

export function formatReply(reply: ControlReply): string {
  return `${JSON.stringify(reply)}\n`;
}

/**
 * The reply to request `id`, checked field by field: it comes from whatever listens on the
 * socket, so nothing in it is trusted to have the shape we expect.
 */
export function parseReply(line: string, id: number): Parsed<ControlReply> {
  const fields = parseObject(line);
  if (typeof fields === 'string') return { ok: false, problem: fields };
  if (fields.v !== PROTOCOL_VERSION)
    return { ok: false, problem: `protocol version ${show(fields.v)} (we speak 1)` };
  if (fields.ok === false) return parseFailure(fields, id);
  if (fields.ok !== true) return { ok: false, problem: '"ok" must be true or false' };
  if (fields.id !== id) return { ok: false, problem: `the reply is to request ${show(fields.id)}` };
  const result = parseResult(fields.result);
  if (typeof result === 'string') return { ok: false, problem: result };
  return { ok: true, value: { v: PROTOCOL_VERSION, id, ok: true, result } };
}

function parseFailure(fields: Fields, id: number): Parsed<ControlReply> {
  if (fields.id !== id && fields.id !== 0)
    return { ok: false, problem: `the reply is to request ${show(fields.id)}` };
  const { error, hint } = fields;
  if (typeof error !== 'string') return { ok: false, problem: '"error" must be a string' };
  if (hint !== undefined && typeof hint !== 'string')
    return { ok: false, problem: '"hint" must be a string' };
  const failure = hint === undefined ? { error } : { error, hint };
  return { ok: true, value: failureOf(fields.id === 0 ? 0 : id, failure) };
}

function parseResult(value: unknown): ControlResult | string {
  if (!isObject(value)) return '"result" must be an object';
  if (value.kind === 'done') return parseDone(value);
  if (value.kind === 'run-begin') return parseRunBegin(value);
  if (value.kind !== 'status') return `unknown result kind ${show(value.kind)}`;
  const { pid, root, socket, processes } = value;
  if (!isCount(pid)) return '"pid" must be a whole number';
  if (typeof root !== 'string' || typeof socket !== 'string')
    return '"root" and "socket" must be strings';
  if (!Array.isArray(processes)) return '"processes" must be a list';
  const rows = processes.map(parseRow);
  const bad = rows.find((row): row is string => typeof row === 'string');
  if (bad !== undefined) return bad;
  const release = value.release === undefined ? undefined : parseSummary(value.release);
  if (typeof release === 'string') return release;
  const status = { kind: 'status' as const, pid, root, socket, processes: rows as StatusRow[] };
  return release === undefined ? status : { ...status, release };
}

function parseDone(value: Fields): DoneResult | string {
  if (typeof value.message !== 'string') return '"message" must be a string';
  if (value.release === undefined) return { kind: 'done', message: value.message };
  const release = parseSummary(value.release);
  return typeof release === 'string' ? release : { kind: 'done', message: value.message, release };
}

function parseRunBegin(value: Fields): RunBeginResult | string {
  if (typeof value.name !== 'string') return '"name" must be a string';
  const release = parseIdentity(value.release);
  return typeof release === 'string' ? release : { kind: 'run-begin', name: value.name, release };
}

function parseRow(value: unknown, index: number): StatusRow | string {
  const problem = `process ${index + 1}: ${ROW_FIELDS} expected`;
  if (!isObject(value)) return problem;
  const { process, pid, state, uptimeMs, restarts, port, lastExit } = value;
  const isRow =
    typeof process === 'string' &&
    typeof state === 'string' &&
    (pid === null || isCount(pid)) &&
    (uptimeMs === null || isCount(uptimeMs)) &&
    isCount(restarts) &&
    isCount(port) &&
    (lastExit === null || typeof lastExit === 'string');
  if (!isRow) return problem;
  return { process, pid, state, uptimeMs, restarts, port, lastExit };
}

const ROW_FIELDS = 'process, pid, state, uptimeMs, restarts, port, lastExit';

/** `web` means every instance of web; `web.2` one instance. Unknown names come back separately. */
export function resolveTargets(
  targets: readonly string[],
  names: readonly string[],
): { matched: string[]; unknown: string[] } {
  const matched = new Set<string>();
  const unknown: string[] = [];
  for (const target of targets) {
    const hits = names.filter(
      (name) => name === target || name.slice(0, name.lastIndexOf('.')) === target,
    );
    if (hits.length === 0) unknown.push(target);
    for (const hit of hits) matched.add(hit);
  }
  return { matched: names.filter((name) => matched.has(name)), unknown };
}

function parseObject(line: string): Fields | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  return isObject(value) ? value : 'expected an object';
}

/** A value from the other side, shortened: it goes into our one-line messages. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
