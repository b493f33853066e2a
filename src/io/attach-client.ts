import { connect, type Socket } from 'node:net';
import type { AttachedResult } from '../core/attach-protocol.js';
import { PROTOCOL_VERSION } from '../core/control.js';
import { escapeText } from '../core/escape-text.js';
import { ForemanError } from '../errors.js';

export type AttachConnection = Readonly<{
  result: AttachedResult;
  connection: Socket;
  /** Frames that came with the reply. */
  rest: Buffer;
}>;

const REPLY_TIMEOUT_MS = 30_000;
const MAX_REPLY_BYTES = 64 * 1024;

/**
 * Ask the `start` on `socket` to attach us to `target` (docs/control.md#attach): one request
 * line, one reply line, and then the connection carries frames.
 */
export function openAttach({
  socket,
  target,
  root,
}: {
  socket: string;
  target: string;
  root: string;
}): Promise<AttachConnection> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket);
    let received = Buffer.alloc(0);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      connection.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new ForemanError(`no answer from ${socket} within 30s`)),
      REPLY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x0a);
      if (end === -1 && received.length < MAX_REPLY_BYTES) return;
      clearTimeout(timer);
      connection.off('data', onData);
      connection.off('end', onEnd);
      connection.pause();
      const reply = replyOf(received.subarray(0, end === -1 ? received.length : end));
      if (reply instanceof Error) return fail(reply);
      resolve({ result: reply, connection, rest: received.subarray(end + 1) });
    };
    const onEnd = (): void => fail(new ForemanError('the running start closed the connection'));
    connection.once('error', (error: NodeJS.ErrnoException) => fail(explain(error, root, socket)));
    connection.once('connect', () =>
      connection.write(
        `${JSON.stringify({ v: PROTOCOL_VERSION, id: 1, cmd: 'attach', target })}\n`,
      ),
    );
    connection.on('data', onData);
    connection.on('end', onEnd);
  });
}

function replyOf(line: Buffer): AttachedResult | ForemanError {
  let reply: unknown;
  try {
    reply = JSON.parse(line.toString('utf8'));
  } catch {
    return new ForemanError('the running start sent something that is not an answer');
  }
  const value = (reply ?? {}) as {
    ok?: unknown;
    error?: unknown;
    hint?: unknown;
    result?: Partial<AttachedResult>;
  };
  if (value.ok !== true) {
    // Text from the socket is shown escaped: it must not drive our terminal.
    const hint = typeof value.hint === 'string' ? { hint: escapeText(value.hint) } : {};
    return new ForemanError(
      escapeText(typeof value.error === 'string' ? value.error : 'attach refused'),
      hint,
    );
  }
  const result = value.result;
  if (result?.kind !== 'attached' || typeof result.process !== 'string')
    return new ForemanError('the running start does not know attach (is it an older version?)');
  const process = escapeText(result.process);
  return { kind: 'attached', process, isTerminal: result.isTerminal === true };
}

function explain(error: NodeJS.ErrnoException, root: string, socket: string): ForemanError {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')
    return new ForemanError(`no foreman-ts start is running in ${root}`, {
      hint: 'start one with "foreman-ts start", or point at its app with -d/--root',
      cause: error,
    });
  return new ForemanError(`cannot reach ${socket}: ${error.message}`, { cause: error });
}
