/**
 * The control protocol of a running `start` (docs/control.md): newline-delimited JSON over a
 * Unix socket, versioned. Pure: requests and replies as values, and where the socket lives.
 */
export const PROTOCOL_VERSION = 1;

export type ControlCommand =
  | { readonly cmd: 'status' }
  | { readonly cmd: 'stop'; readonly targets: readonly string[] }
  | { readonly cmd: 'restart'; readonly targets: readonly string[] }
  | { readonly cmd: 'scale'; readonly formation: string }
  | { readonly cmd: 'quit' };

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

export type ControlReply =
  | { readonly v: number; readonly id: number; readonly ok: true; readonly result: ControlResult }
  | {
      readonly v: number;
      readonly id: number;
      readonly ok: false;
      readonly error: string;
      readonly hint?: string;
    };

export type ControlResult =
  | {
      readonly kind: 'status';
      readonly pid: number;
      readonly root: string;
      readonly processes: readonly StatusRow[];
    }
  | { readonly kind: 'done'; readonly message: string };

const COMMANDS = new Set(['status', 'stop', 'restart', 'scale', 'quit']);

/** One request line, checked; a string says what is wrong with it. */
export function parseRequest(line: string): ControlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'expected an object';
  const request = value as Record<string, unknown>;
  if (request.v !== PROTOCOL_VERSION)
    return `unsupported protocol version ${JSON.stringify(request.v)} (this is ${PROTOCOL_VERSION})`;
  if (typeof request.id !== 'number') return 'missing numeric "id"';
  if (typeof request.cmd !== 'string' || !COMMANDS.has(request.cmd))
    return `unknown cmd ${JSON.stringify(request.cmd)}`;
  const isList =
    Array.isArray(request.targets) && request.targets.every((item) => typeof item === 'string');
  if ((request.cmd === 'stop' || request.cmd === 'restart') && !isList)
    return '"targets" must be a list of names';
  if (request.cmd === 'scale' && typeof request.formation !== 'string')
    return '"formation" must be a string';
  return request as unknown as ControlRequest;
}

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

/** Where a root's socket lives: one per app root, in a folder only its user may enter. */
export function controlPaths({
  root,
  runtimeDir,
  uid,
  digest,
}: {
  root: string;
  runtimeDir: string;
  uid: number;
  digest: (text: string) => string;
}): { dir: string; socket: string } {
  const dir = `${runtimeDir.replace(/\/+$/, '')}/foreman-ts-${uid}`;
  return { dir, socket: `${dir}/${digest(root).slice(0, 16)}.sock` };
}
