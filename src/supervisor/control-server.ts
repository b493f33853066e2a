import { lstat, mkdir, chmod, unlink } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { PROTOCOL_VERSION, parseRequest, type ControlReply } from '../core/control.js';
import { ForemanError } from '../errors.js';
import type { ControlChannel, ControlHandler, ControlReplyBody } from './supervisor.js';

export type ControlServer = ControlChannel &
  Readonly<{ socket: string; close: () => Promise<void> }>;

/** Another `start` answers on this root's socket. */
export class AlreadyRunning extends ForemanError {}

/**
 * The control socket of a running `start` (docs/control.md): a Unix socket, 0600, in a 0700
 * folder of ours, so only our user can connect (root aside). A socket left by a crashed run is
 * replaced; a live one means "already running", with its pid.
 */
export async function listenControl({
  dir,
  socket,
  root,
}: {
  dir: string;
  socket: string;
  root: string;
}): Promise<ControlServer> {
  await privateFolder(dir);
  await replaceStale(socket, root);
  let handler: ControlHandler | undefined;
  const connections = new Set<Socket>();
  const server = createServer((connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    connection.on('error', () => connection.destroy());
    serveLines(connection, (line) =>
      answer(
        line,
        (reply) => connection.writable && connection.write(`${JSON.stringify(reply)}\n`),
      ),
    );
  });
  const answer = (line: string, send: (reply: ControlReply) => void): void => {
    const request = parseRequest(line);
    if (typeof request === 'string')
      return send({
        v: PROTOCOL_VERSION,
        id: idOf(line),
        ok: false,
        error: `bad request: ${request}`,
      });
    if (handler === undefined)
      return send({
        v: PROTOCOL_VERSION,
        id: request.id,
        ok: false,
        error: 'starting up; try again',
      });
    handler(request, (body) => send(toReply(request.id, body, socket)));
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  server.on('error', () => {});
  await chmod(socket, 0o600);
  return {
    socket,
    serve: (next) => {
      handler = next;
      return () => {
        if (handler === next) handler = undefined;
      };
    },
    close: async () => {
      for (const connection of connections) connection.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(socket).catch(() => {});
    },
  };
}

function toReply(id: number, body: ControlReplyBody, socket: string): ControlReply {
  if ('error' in body) return { v: PROTOCOL_VERSION, id, ok: false, ...body };
  const result = body.kind === 'status' ? { ...body, socket } : body;
  return { v: PROTOCOL_VERSION, id, ok: true, result };
}

function idOf(line: string): number {
  const match = /"id"\s*:\s*(\d+)/.exec(line);
  return match ? Number(match[1]) : 0;
}

/** Split a connection into lines; a client may send several requests on one connection. */
function serveLines(connection: Socket, onLine: (line: string) => void): void {
  let pending = '';
  connection.setEncoding('utf8');
  connection.on('data', (chunk: string) => {
    pending += chunk;
    if (pending.length > 1 << 20) return void connection.destroy(); // no request is that long
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (line !== '') onLine(line);
    }
  });
}

/** Our own folder, not reachable by others: created 0700, and refused if it is not ours. */
async function privateFolder(dir: string): Promise<void> {
  // Not recursive: the runtime folder must exist (a recursive mkdir under /proc never returns).
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const stat = await lstat(dir);
  const uid = process.getuid?.() ?? stat.uid;
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8);
    throw new ForemanError(
      `control folder ${dir} is not private (mode ${mode}, owner ${stat.uid})`,
      {
        hint: 'remove it, set XDG_RUNTIME_DIR to a folder of yours, or pass --no-control',
      },
    );
  }
}

/** A socket nobody answers on is stale (a crashed run): remove it. A live one is an error. */
async function replaceStale(socket: string, root: string): Promise<void> {
  const pid = await askPid(socket);
  if (pid === undefined) {
    await unlink(socket).catch(() => {});
    return;
  }
  throw new AlreadyRunning(`foreman-ts start is already running in ${root} (pid ${pid})`, {
    hint: 'use "foreman-ts status" or "foreman-ts quit", or pass --no-control to run another',
  });
}

function askPid(socket: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const client = connect(socket);
    const done = (pid: number | undefined): void => {
      client.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(undefined), 2000);
    client.once('error', () => (clearTimeout(timer), done(undefined)));
    client.once('connect', () =>
      client.write(`${JSON.stringify({ v: PROTOCOL_VERSION, id: 1, cmd: 'status' })}\n`),
    );
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      text += chunk;
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      const reply = JSON.parse(text.slice(0, text.indexOf('\n'))) as { result?: { pid?: number } };
      done(reply.result?.pid ?? 0);
    });
  });
}
