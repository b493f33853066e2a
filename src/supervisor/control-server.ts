import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import {
  failureOf,
  formatReply,
  parseRequest,
  replyOf,
  type ControlChannel,
  type ControlHandler,
  type ControlReply,
} from '../core/control.js';

export type ControlServer = ControlChannel &
  Readonly<{ socket: string; close: () => Promise<void> }>;

/**
 * The control socket of a running `start` (docs/control.md): a Unix socket, 0600, in the 0700
 * folder of ours that io/control-place.ts made, so only our user can connect (root aside).
 */
export async function listenControl({ socket }: { socket: string }): Promise<ControlServer> {
  let handler: ControlHandler | undefined;
  const connections = new Set<Socket>();
  const server = createServer((connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    connection.on('error', () => connection.destroy());
    serveLines(connection, (line) =>
      answer(line, (reply) => connection.writable && connection.write(formatReply(reply))),
    );
  });
  const answer = (line: string, send: (reply: ControlReply) => void): void => {
    const request = parseRequest(line);
    if (!request.ok)
      return send(failureOf(request.id ?? 0, { error: `bad request: ${request.problem}` }));
    const { id } = request.value;
    if (handler === undefined) return send(failureOf(id, { error: 'starting up; try again' }));
    handler(request.value, (answer) => send(replyOf(id, answer, { pid: process.pid, socket })));
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
