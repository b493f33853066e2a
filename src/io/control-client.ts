import { unlink } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import {
  MAX_REPLY_BYTES,
  formatRequest,
  parseReply,
  type ControlCommand,
  type ControlReply,
} from '../core/control.js';
import { ForemanError } from '../errors.js';

/** How one request went: a checked reply, no connection, or a connection that gave no reply. */
export type Exchange =
  | { readonly kind: 'reply'; readonly reply: ControlReply }
  | { readonly kind: 'unreachable'; readonly error: NodeJS.ErrnoException }
  | { readonly kind: 'no-reply'; readonly problem: string };

/** Another `start` answers on this root's socket. */
export class AlreadyRunning extends ForemanError {}

const REQUEST_ID = 1;

/**
 * Send one request and wait for its reply: the one client of the control socket (the CLI
 * clients, and `start` looking for a live predecessor). It never throws: the server may be
 * anything, so its reply is bounded in size and time and checked before it is believed.
 */
export function requestControl(
  socket: string,
  command: ControlCommand,
  { timeoutMs }: { timeoutMs: number },
): Promise<Exchange> {
  return new Promise((resolve) => {
    const client = connect(socket);
    const settle = (exchange: Exchange): void => {
      clearTimeout(timer);
      client.destroy();
      resolve(exchange);
    };
    const timer = setTimeout(
      () => settle(noReply(`no answer from ${socket} within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    client.once('error', (error) => settle({ kind: 'unreachable', error }));
    client.once('connect', () => client.write(formatRequest(REQUEST_ID, command)));
    readReply(client, socket, settle);
  });
}

/** The first line, bounded: a reply longer than any real one ends the read. */
function readReply(client: Socket, socket: string, settle: (exchange: Exchange) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  client.on('data', (chunk: Buffer) => {
    const end = chunk.indexOf(0x0a);
    chunks.push(end === -1 ? chunk : chunk.subarray(0, end));
    size += end === -1 ? chunk.length : end;
    if (size > MAX_REPLY_BYTES)
      return settle(noReply(`${socket} sent a reply longer than ${MAX_REPLY_BYTES} bytes`));
    if (end !== -1) settle(judge(Buffer.concat(chunks).toString('utf8'), socket));
  });
  client.once('end', () => settle(noReply(`${socket} closed the connection without an answer`)));
}

function judge(line: string, socket: string): Exchange {
  const parsed = parseReply(line, REQUEST_ID);
  if (!parsed.ok) return noReply(`${socket} sent an invalid reply (${parsed.problem})`);
  return { kind: 'reply', reply: parsed.value };
}

function noReply(problem: string): Exchange {
  return { kind: 'no-reply', problem };
}

/**
 * Before a `start` listens: a socket someone answers on belongs to another `start` (an
 * error); one nobody answers on was left by a crashed run, and is removed.
 */
export async function claimSocket({
  socket,
  root,
  timeoutMs,
}: {
  socket: string;
  root: string;
  timeoutMs: number;
}): Promise<void> {
  const exchange = await requestControl(socket, { cmd: 'status' }, { timeoutMs });
  if (exchange.kind === 'reply') {
    const { reply } = exchange;
    const pid = reply.ok && reply.result.kind === 'status' ? ` (pid ${reply.result.pid})` : '';
    throw new AlreadyRunning(`foreman-ts start is already running in ${root}${pid}`, {
      hint: 'use "foreman-ts status" or "foreman-ts quit", or pass --no-control to run another',
    });
  }
  await unlink(socket).catch(() => {});
}
