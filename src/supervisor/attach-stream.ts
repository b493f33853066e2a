import type { Socket } from 'node:net';
import {
  encodeFrame,
  FrameDecoder,
  type AttachedResult,
  type AttachRequest,
  type Frame,
} from '../core/attach-protocol.js';
import { PROTOCOL_VERSION } from '../core/control.js';
import { resolveInputName } from '../core/input-routing.js';
import type { ChildHandle } from './child.js';
import type { TerminalSize } from './pty.js';

type Session = Readonly<{ end: (reason: string) => void }>;

/**
 * `foreman-ts attach NAME` on start's side (docs/control.md#attach): the running processes
 * that can be attached to, and one attach stream per process. The last attach wins: an
 * earlier client is told so and let go. A stream ends when its process does, when its client
 * goes, or when start stops; the process and start's own terminal go on undisturbed.
 */
export class Attachments {
  private readonly handles = new Map<string, ChildHandle>();
  private readonly sessions = new Map<string, Session>();
  private readonly sizeOf: (name: string) => TerminalSize;
  private readonly onChange: (action: 'attach' | 'detach', name: string) => void;
  private readonly onInput: (name: string, data: Buffer) => void;

  constructor({
    sizeOf,
    onChange,
    onInput,
  }: {
    sizeOf: (name: string) => TerminalSize;
    onChange: (action: 'attach' | 'detach', name: string) => void;
    /** Before input from a client reaches the process (start's terminal shows it). */
    onInput: (name: string, data: Buffer) => void;
  }) {
    this.sizeOf = sizeOf;
    this.onChange = onChange;
    this.onInput = onInput;
  }

  opened(name: string, handle: ChildHandle): void {
    this.handles.set(name, handle);
  }

  closed(name: string): void {
    this.handles.delete(name);
    this.sessions.get(name)?.end(`${name} ended`);
  }

  attach(request: AttachRequest, connection: Socket): void {
    const names = [...this.handles.keys()];
    const name = resolveInputName(request.target, names);
    const handle = name === undefined ? undefined : this.handles.get(name);
    if (name === undefined || handle === undefined) {
      const hint = `running: ${names.join(', ') || 'none'}`;
      const reply = {
        v: PROTOCOL_VERSION,
        id: request.id,
        ok: false,
        error: `no process "${request.target}" is running`,
        hint,
      };
      return void connection.end(`${JSON.stringify(reply)}\n`);
    }
    this.sessions.get(name)?.end('attached from another terminal');
    const result: AttachedResult = {
      kind: 'attached',
      process: name,
      isTerminal: handle.isTerminal,
    };
    connection.write(
      `${JSON.stringify({ v: PROTOCOL_VERSION, id: request.id, ok: true, result })}\n`,
    );
    const session = stream({
      connection,
      handle,
      onInput: (data) => this.onInput(name, data),
      restoreSize: () => this.sizeOf(name),
      onEnd: () => {
        if (this.sessions.get(name) === session) this.sessions.delete(name);
        this.onChange('detach', name);
      },
    });
    this.sessions.set(name, session);
    this.onChange('attach', name);
  }

  /** start is stopping: every client is told. */
  closeAll(reason: string): void {
    for (const session of [...this.sessions.values()]) session.end(reason);
  }
}

/**
 * One attach stream: the process's raw output to the client, and the client's input, window
 * size and Ctrl-C to the process, one frame at a time.
 */
function stream({
  connection,
  handle,
  onInput,
  restoreSize,
  onEnd,
}: {
  connection: Socket;
  handle: ChildHandle;
  onInput: (data: Buffer) => void;
  restoreSize: () => TerminalSize;
  onEnd: () => void;
}): Session {
  // Idle is normal here: someone reading a stopped debugger may type nothing for an hour.
  connection.setTimeout(0);
  const stopOutput = forwardOutput(connection, handle);
  let isOver = false;
  const cleanUp = (): void => {
    if (isOver) return;
    isOver = true;
    stopOutput();
    const { columns, rows } = restoreSize();
    handle.resize?.(columns, rows);
    onEnd();
  };
  readFrames(connection, (frame) => {
    if (frame.kind === 'input') onInput(frame.data);
    perform(frame, handle, connection);
  });
  connection.on('close', cleanUp);
  // The server keeps half-open connections (a control client may shut down its writing side
  // and still read its replies); a client that ends an attach is done: end ours too.
  connection.once('end', () => connection.end());
  connection.resume();
  return {
    end: (reason) => {
      if (!connection.destroyed) connection.end(encodeFrame({ kind: 'end', reason }));
      cleanUp();
    },
  };
}

/**
 * The process's output to the client, starting with the prompt it may be waiting at, under
 * the client's backpressure: a slow client holds this process's output (as a slow stdout
 * holds everyone's), never our memory. Returns how to stop.
 */
function forwardOutput(connection: Socket, handle: ChildHandle): () => void {
  const prompt = handle.peekPartial();
  if (prompt !== undefined) connection.write(encodeFrame({ kind: 'output', data: prompt }));
  let release: (() => void) | undefined;
  const untap = handle.tap((data) => {
    if (connection.write(encodeFrame({ kind: 'output', data })) || release !== undefined) return;
    release = handle.hold();
    connection.once('drain', () => {
      release?.();
      release = undefined;
    });
  });
  return () => {
    untap();
    release?.();
  };
}

/** Frames from the client; a frame no client of ours sends ends the connection. */
function readFrames(connection: Socket, onFrame: (frame: Frame) => void): void {
  const decoder = new FrameDecoder();
  connection.on('data', (chunk: Buffer) => {
    const frames = decoder.push(chunk);
    if (frames instanceof Error) return void connection.destroy();
    for (const frame of frames) onFrame(frame);
  });
}

function perform(frame: Frame, handle: ChildHandle, connection: Socket): void {
  switch (frame.kind) {
    case 'input':
      // Read the client again once the process has taken this: typing cannot pile up here.
      connection.pause();
      return handle.write(frame.data, () => connection.resume());
    case 'resize':
      return handle.resize?.(frame.columns, frame.rows);
    case 'interrupt':
      return handle.interrupt();
    case 'output':
    case 'end':
      return; // only start sends these
  }
}
