import { PROTOCOL_VERSION } from './control.js';

/**
 * `foreman-ts attach NAME` on the control socket (docs/control.md#attach). The client sends one
 * request line, `{"v":1,"id":1,"cmd":"attach","target":"web"}`, and gets one reply line; after
 * an `attached` reply the connection carries frames both ways until either side closes it.
 * A frame is a kind byte, a 4-byte big-endian length and that many bytes. Pure.
 */
export type AttachRequest = Readonly<{ v: number; id: number; cmd: 'attach'; target: string }>;

export type AttachedResult = Readonly<{
  kind: 'attached';
  process: string;
  /** On a pseudo-terminal: the client passes keys through raw and sends its window size. */
  isTerminal: boolean;
}>;

export type Frame =
  /** start -> client: bytes the process wrote. */
  | { readonly kind: 'output'; readonly data: Buffer }
  /** start -> client: the attach is over, and why (the process ended, another attach...). */
  | { readonly kind: 'end'; readonly reason: string }
  /** client -> start: bytes for the process's stdin or terminal. */
  | { readonly kind: 'input'; readonly data: Buffer }
  /** client -> start: the client's window, for a process on a pseudo-terminal. */
  | { readonly kind: 'resize'; readonly columns: number; readonly rows: number }
  /** client -> start: Ctrl-C for a process on a pipe (a terminal gets the key itself). */
  | { readonly kind: 'interrupt' };

const CODES = { output: 0x6f, end: 0x65, input: 0x69, resize: 0x72, interrupt: 0x6b } as const;
const HEADER_BYTES = 5;
/** No frame is larger: a bigger length is a broken or hostile peer. */
export const MAX_FRAME_BYTES = 1 << 20;

/**
 * An attach request line, checked: the request, a string saying what is wrong with it, or
 * undefined when the line is some other request (the control protocol's).
 */
export function parseAttachRequest(line: string): AttachRequest | string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const request = value as Record<string, unknown>;
  if (request.cmd !== 'attach') return undefined;
  if (request.v !== PROTOCOL_VERSION)
    return `unsupported protocol version ${JSON.stringify(request.v)} (this is ${PROTOCOL_VERSION})`;
  if (typeof request.id !== 'number') return 'missing numeric "id"';
  if (typeof request.target !== 'string' || request.target === '') return '"target" must be a name';
  return { v: PROTOCOL_VERSION, id: request.id, cmd: 'attach', target: request.target };
}

export function encodeFrame(frame: Frame): Buffer {
  const payload = payloadOf(frame);
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = CODES[frame.kind];
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

function payloadOf(frame: Frame): Buffer {
  switch (frame.kind) {
    case 'output':
    case 'input':
      return frame.data;
    case 'end':
      return Buffer.from(frame.reason);
    case 'resize': {
      const size = Buffer.alloc(4);
      size.writeUInt16BE(clampSize(frame.columns), 0);
      size.writeUInt16BE(clampSize(frame.rows), 2);
      return size;
    }
    case 'interrupt':
      return Buffer.alloc(0);
  }
}

function clampSize(n: number): number {
  return Math.min(0xffff, Math.max(1, Math.floor(n)));
}

/** Frames out of a byte stream cut anywhere; an Error for a frame no peer of ours sends. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] | Error {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(1);
      if (length > MAX_FRAME_BYTES) return new Error(`a frame of ${length} bytes`);
      if (this.pending.length < HEADER_BYTES + length) break;
      const frame = decodeFrame(
        this.pending[0] ?? 0,
        this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length),
      );
      if (frame instanceof Error) return frame;
      frames.push(frame);
      this.pending = this.pending.subarray(HEADER_BYTES + length);
    }
    return frames;
  }
}

function decodeFrame(code: number, payload: Buffer): Frame | Error {
  switch (code) {
    case CODES.output:
      return { kind: 'output', data: Buffer.from(payload) };
    case CODES.input:
      return { kind: 'input', data: Buffer.from(payload) };
    case CODES.end:
      return { kind: 'end', reason: payload.toString('utf8') };
    case CODES.interrupt:
      return { kind: 'interrupt' };
    case CODES.resize:
      if (payload.length !== 4) return new Error('a resize frame is 4 bytes');
      return { kind: 'resize', columns: payload.readUInt16BE(0), rows: payload.readUInt16BE(2) };
    default:
      return new Error(`unknown frame kind ${code}`);
  }
}
