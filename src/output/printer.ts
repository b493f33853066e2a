/**
 * The one writer of our stdout. When the stream is slow, `write` returns false and every
 * registered source (each child's pipe) is paused until 'drain': children then block in their
 * own write(), and our memory stays bounded (921 MiB buffered vs 82 MiB paused for 1 GiB to a
 * slow reader: docs/architecture.md).
 * A closed or failing stdout (EPIPE, a dead terminal, a full disk) never crashes us: it is
 * reported once, and later writes are dropped so the supervisor can still stop every process.
 */
export type Pausable = Readonly<{ pause: () => void; resume: () => void }>;

export type Destination = Readonly<{
  write: (data: Buffer | string) => boolean;
  once: (event: 'drain', listener: () => void) => unknown;
  on: (event: 'error', listener: (error: Error) => void) => unknown;
}>;

export class Printer {
  private readonly stream: Destination;
  private readonly sources = new Set<Pausable>();
  private isPaused = false;
  private lost: string | undefined;
  private onLost: ((error: string) => void) | undefined;

  constructor(stream: Destination) {
    this.stream = stream;
    stream.on('error', (error) => this.lose(error));
  }

  /**
   * Called once if the destination goes away, with the error's code (`EPIPE`, `ENOSPC`...):
   * also when it went away before (a warning written before the supervisor started), then
   * after the caller's current synchronous work.
   */
  whenLost(listener: (error: string) => void): void {
    this.onLost = listener;
    const { lost } = this;
    if (lost !== undefined) queueMicrotask(() => listener(lost));
  }

  /** Why the destination went away (`EPIPE`, `ENOSPC`...), if it did. */
  get lostBecause(): string | undefined {
    return this.lost;
  }

  write(data: Buffer | string): void {
    if (this.lost !== undefined) return;
    try {
      if (this.stream.write(data) || this.isPaused) return;
    } catch (error) {
      this.lose(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.isPaused = true;
    for (const source of this.sources) source.pause();
    this.stream.once('drain', () => this.resume());
  }

  /** Register a source to pause under backpressure; call the result when it ends. */
  attach(source: Pausable): () => void {
    this.sources.add(source);
    if (this.isPaused) source.pause();
    return () => this.sources.delete(source);
  }

  private resume(): void {
    this.isPaused = false;
    for (const source of this.sources) source.resume();
  }

  private lose(error: Error): void {
    if (this.lost !== undefined) return;
    this.lost = errorCode(error);
    this.resume(); // keep children draining into the void so they can exit
    this.onLost?.(this.lost);
  }
}

/** A stream error without a system code is still an I/O error. */
function errorCode(error: Error): string {
  const { code } = error as NodeJS.ErrnoException;
  return typeof code === 'string' ? code : 'EIO';
}
