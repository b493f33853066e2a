import type { Socket } from 'node:net';
import { MAX_REQUEST_BYTES } from '../core/control.js';

/** How a line was answered: the reply's text, and whether the connection ends with it. */
export type Answered = Readonly<{ text: string; isLast: boolean }>;
/**
 * Answers one request line, once, now or later; or takes the connection over (an `attach`
 * request: from then on it carries that stream, and this module lets go of it).
 */
export type Answer = (
  line: string,
  done: (answered: Answered) => void,
  takeOver: () => Socket,
) => void;

/**
 * One client connection of the control socket (docs/control.md). Requests are answered one
 * at a time, in order, and the connection is read again only once the last reply has been
 * taken by the client: one that sends and never reads stops being read, and costs us one
 * reply, not one per request. A line longer than MAX_REQUEST_BYTES is refused without
 * being kept, and so is a bad request: answered, then nothing more is read. A connection
 * with nothing read or written for `idleMs` is closed.
 */
export function serveConnection(
  connection: Socket,
  { answer, refuse, idleMs }: { answer: Answer; refuse: (error: string) => string; idleMs: number },
): void {
  const lines = lineSplitter();
  const onData = (chunk: Buffer): void => {
    connection.pause();
    lines.push(chunk);
    turns.pump();
  };
  const onEnd = (): void => {
    lines.finish();
    turns.end();
  };
  const takeOver = (): Socket => {
    connection.off('data', onData);
    connection.off('end', onEnd);
    connection.setTimeout(0);
    return connection;
  };
  const turns = answerInTurn(connection, lines, {
    answer: (line, done) => answer(line, done, takeOver),
    refuse,
  });
  connection.setTimeout(idleMs, () => connection.destroy());
  connection.on('error', () => connection.destroy());
  connection.on('data', onData);
  connection.on('end', onEnd);
}

/** Answer the lines read so far, one at a time; read more only when all are answered. */
function answerInTurn(
  connection: Socket,
  lines: LineSplitter,
  {
    answer,
    refuse,
  }: {
    answer: (line: string, done: (answered: Answered) => void) => void;
    refuse: (error: string) => string;
  },
) {
  let isAnswering = false;
  let isEnded = false;
  // Our last word, then our side is closed and nothing more is read. Not destroyed at once: a
  // client still writing would get EPIPE and might never read this answer. Idle time ends it.
  const finish = (text: string): void => {
    connection.pause();
    connection.end(text);
  };
  const pump = (): void => {
    while (!isAnswering && !connection.destroyed && !connection.writableEnded) {
      if (connection.writableNeedDrain) return void connection.once('drain', pump);
      const line = lines.next();
      if (line === undefined) return void (isEnded ? connection.end() : connection.resume());
      if (line === TOO_LONG)
        return finish(refuse(`request longer than ${MAX_REQUEST_BYTES} bytes`));
      if (line.trim() === '') continue;
      isAnswering = true;
      let isNow = true;
      answer(line, ({ text, isLast }) => {
        isAnswering = false;
        if (isLast) return finish(text);
        if (!connection.destroyed) connection.write(text);
        if (!isNow) pump();
      });
      isNow = false;
    }
  };
  const end = (): void => {
    isEnded = true;
    pump();
  };
  return { pump, end };
}

const TOO_LONG = Symbol('too long');

type LineSplitter = ReturnType<typeof lineSplitter>;

/**
 * Lines out of chunks, each byte looked at once: a long line is not re-scanned as it grows,
 * and one past the limit is dropped as it comes, not kept. It holds at most one chunk's
 * lines and one unfinished line.
 */
function lineSplitter() {
  let lines: (string | typeof TOO_LONG)[] = [];
  let head = 0;
  let partial: Buffer[] = [];
  let size = 0;
  const take = (piece: Buffer): void => {
    if (size <= MAX_REQUEST_BYTES) partial.push(piece);
    size += piece.length;
  };
  const close = (): void => {
    lines.push(size > MAX_REQUEST_BYTES ? TOO_LONG : Buffer.concat(partial).toString('utf8'));
    partial = [];
    size = 0;
  };
  return {
    push(chunk: Buffer): void {
      let start = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
        take(chunk.subarray(start, end));
        close();
        start = end + 1;
      }
      take(chunk.subarray(start));
      if (size > MAX_REQUEST_BYTES) close();
    },
    /** A last line without its newline is a line too. */
    finish: (): void => (size > 0 ? close() : undefined),
    next(): string | typeof TOO_LONG | undefined {
      const line = lines[head];
      if (line !== undefined) head++;
      else [lines, head] = [[], 0];
      return line;
    },
  };
}
