import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import {
  failureOf,
  formatReply,
  parseRequest,
  replyOf,
  type ControlChannel,
  type ControlHandler,
  type ControlLimits,
  type ControlReply,
} from '../core/control.js';
import { parseAttachRequest, type AttachRequest } from '../core/attach-protocol.js';
import { serveConnection, type Answer } from './control-connection.js';

/** Takes over a connection that asked to attach (supervisor/attach-stream.ts). */
export type AttachHandler = (request: AttachRequest, connection: Socket) => void;

export type ControlServer = ControlChannel &
  Readonly<{
    socket: string;
    serveAttach: (handler: AttachHandler) => void;
    close: () => Promise<void>;
  }>;

/**
 * The control socket of a running `start` (docs/control.md): a Unix socket, 0600, in the 0700
 * folder of ours that io/control-place.ts made, so only our user can connect (root aside).
 * At most `limits.connections` clients at once; each is served by serveConnection.
 */
export async function listenControl({
  socket,
  limits,
}: {
  socket: string;
  limits: ControlLimits;
}): Promise<ControlServer> {
  const handlers: Handlers = {};
  const connections = new Set<Socket>();
  const answer = answerWith(handlers, socket);
  const refuse = (error: string): string => formatReply(failureOf(0, { error }));
  const server = createServer({ allowHalfOpen: true }, (connection) => {
    const isFull = connections.size >= limits.connections;
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    if (isFull) return turnAway(connection, refuse(tooMany(limits)), limits.idleMs);
    serveConnection(connection, { answer, refuse, idleMs: limits.idleMs });
  });
  await listen(server, socket);
  return {
    socket,
    serveAttach: (next) => void (handlers.attach = next),
    serve: (next) => {
      handlers.control = next;
      return () => {
        if (handlers.control === next) handlers.control = undefined;
      };
    },
    close: async () => {
      for (const connection of connections) connection.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(socket).catch(() => {});
    },
  };
}

/** Who answers requests: set once the supervisor (and the attach streams) are ready. */
type Handlers = { control?: ControlHandler; attach?: AttachHandler };

async function listen(server: Server, socket: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  server.on('error', () => {});
  await chmod(socket, 0o600);
}

/** One line in, one reply out; an attach request takes the connection over instead. */
function answerWith(handlers: Handlers, socket: string): Answer {
  return (line, done, takeOver) => {
    const send = (reply: ControlReply, isLast = false) =>
      done({ text: formatReply(reply), isLast });
    const attachRequest = parseAttachRequest(line);
    if (typeof attachRequest === 'string')
      return send(failureOf(0, { error: `bad request: ${attachRequest}` }), true);
    if (attachRequest !== undefined) {
      if (handlers.attach === undefined)
        return send(failureOf(attachRequest.id, { error: 'cannot attach' }), true);
      return handlers.attach(attachRequest, takeOver());
    }
    const request = parseRequest(line);
    // A client that sends what is not a request gets one answer, then nothing more.
    if (!request.ok)
      return send(failureOf(request.id ?? 0, { error: `bad request: ${request.problem}` }), true);
    const { id } = request.value;
    const { control } = handlers;
    if (control === undefined) return send(failureOf(id, { error: 'starting up; try again' }));
    control(request.value, (reply) => send(replyOf(id, reply, socket)));
  };
}

function tooMany(limits: ControlLimits): string {
  return `too many control connections (${limits.connections}); try again`;
}

/**
 * Past the cap a client is told why, not left hanging. Its side stays open (and is drained)
 * until it closes or idles out: closing first would fail the request it is about to write
 * (EPIPE) before it reads our answer.
 */
function turnAway(connection: Socket, text: string, idleMs: number): void {
  connection.on('error', () => connection.destroy());
  connection.setTimeout(idleMs, () => connection.destroy());
  connection.on('end', () => connection.destroy());
  connection.resume();
  connection.end(text);
}
