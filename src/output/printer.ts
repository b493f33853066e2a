/**
 * The one writer of our stdout. When the stream is slow, `write` returns false and every
 * registered source (each child's pipe) is paused until 'drain': children then block in their
 * own write(), and our memory stays bounded (921 MiB buffered vs 82 MiB paused for 1 GiB to a
 * slow reader: docs/architecture.md).
 * A closed stdout (EPIPE, a dead terminal) never crashes us: it is reported once, and later
 * writes are dropped so the supervisor can still stop every process.
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
  private isLost = false;
  private onLost: ((error: Error) => void) | undefined;

  constructor(stream: Destination) {
    this.stream = stream;
    stream.on('error', (error) => this.lose(error));
  }

  /** Called once if the destination goes away. */
  whenLost(listener: (error: Error) => void): void {
    this.onLost = listener;
  }

  write(data: Buffer | string): void {
    if (this.isLost) return;
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
    if (this.isLost) return;
    this.isLost = true;
    this.resume(); // keep children draining into the void so they can exit
    this.onLost?.(error);
  }
}
