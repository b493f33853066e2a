import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { connect } from 'node:net';
import {
  controlPaths,
  formatRequest,
  parseReply,
  type ControlCommand,
  type ControlReply,
} from '../core/control.js';
import { ForemanError } from '../errors.js';

/** Where the socket of the `start` running in `root` is (the same rule for server and client). */
export function controlPathsFor(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): { dir: string; socket: string } {
  return controlPaths({
    root: realRoot(root),
    runtimeDir: env.XDG_RUNTIME_DIR || '/tmp',
    uid: process.getuid?.() ?? 0,
    digest: (text) => createHash('sha256').update(text).digest('hex'),
  });
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

/** Send one request and wait for its reply. */
export function sendControl(
  socket: string,
  command: ControlCommand,
  root: string,
  timeoutMs = 30_000,
): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    const timer = setTimeout(
      () => fail(new ForemanError(`no answer from ${socket} within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      client.destroy();
      reject(error);
    };
    client.once('error', (error: NodeJS.ErrnoException) => fail(explain(error, root, socket)));
    client.once('connect', () => client.write(formatRequest(1, command)));
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      client.end();
      const reply = parseReply(text.slice(0, end), 1);
      if (reply.ok) resolve(reply.value);
      else reject(new ForemanError(`the running start sent an invalid reply: ${reply.problem}`));
    });
    client.once('end', () => {
      if (!text.includes('\n'))
        fail(new ForemanError(`the running start closed the connection without an answer`));
    });
  });
}

function explain(error: NodeJS.ErrnoException, root: string, socket: string): ForemanError {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    return new ForemanError(`no foreman-ts start is running in ${root}`, {
      hint: 'start one with "foreman-ts start", or point at its app with -d/--root',
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new ForemanError(`permission denied on ${socket}`, {
      hint: 'only the user who ran start may control it',
      cause: error,
    });
  }
  return new ForemanError(`cannot reach ${socket}: ${error.message}`, { cause: error });
}
