import { request } from 'node:http';
import { connect } from 'node:net';
import type { ReadyProbe } from '../core/policy.js';

/**
 * Readiness checks for `ready:` (docs/start.md): a TCP connect to 127.0.0.1:$PORT, a GET that
 * returns 2xx, or a line of the process's own output that matches. `onReady` fires once.
 */
export type Probe = Readonly<{
  /** Output lines of the process, for `/regex/` probes. */
  check: (lines: readonly Buffer[]) => void;
  stop: () => void;
}>;

const POLL_MS = 200;
const ATTEMPT_TIMEOUT_MS = 2000;

export function startProbe(probe: ReadyProbe, port: number, onReady: () => void): Probe {
  let isDone = false;
  let timer: NodeJS.Timeout | undefined;
  const succeed = (): void => {
    if (isDone) return;
    isDone = true;
    clearTimeout(timer);
    onReady();
  };
  const stop = (): void => {
    isDone = true;
    clearTimeout(timer);
  };
  if (probe.kind === 'output') {
    return {
      check: (lines) => {
        if (!isDone && lines.some((line) => probe.pattern.test(line.toString('utf8')))) succeed();
      },
      stop,
    };
  }
  const attempt = probe.kind === 'port' ? () => tryConnect(port) : () => tryGet(port, probe.path);
  const poll = (): void => {
    void attempt().then((isUp) => {
      if (isUp) succeed();
      else if (!isDone) timer = setTimeout(poll, POLL_MS);
    });
  };
  poll();
  return { check: () => {}, stop };
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: ATTEMPT_TIMEOUT_MS });
    const done = (isUp: boolean): void => {
      socket.destroy();
      resolve(isUp);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function tryGet(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const get = request(
      { host: '127.0.0.1', port, path, method: 'GET', timeout: ATTEMPT_TIMEOUT_MS },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300);
      },
    );
    get.once('error', () => resolve(false));
    get.once('timeout', () => get.destroy());
    get.end();
  });
}
