import { constants } from 'node:os';
import type { ProcessSpec } from '../core/formation.js';
import { outcomeOf, type Outcome } from '../core/outcome.js';
import { wrapCommand } from '../core/shell.js';
import type { ProcessSink } from '../output/output.js';
import type { Printer } from '../output/printer.js';
import { DRAIN_AFTER_EXIT_MS, type ChildHandle } from './child.js';
import { loadCloseOnExec, type CloseOnExec } from './close-on-exec.js';
import {
  relayLines,
  shareSource,
  type ByteSource,
  type LineRelay,
  type SharedSource,
} from './line-relay.js';

/** The optional library that gives a process a pseudo-terminal (docs/interactive.md). */
export const PTY_PACKAGE = '@lydell/node-pty';

export type TerminalSize = Readonly<{ columns: number; rows: number }>;

/** Spawns processes on a pseudo-terminal, with the same handle as a piped child. */
export type PtyLauncher = Readonly<{
  spawn: (options: {
    spec: ProcessSpec;
    cwd: string;
    sink: ProcessSink;
    printer: Printer;
    size: TerminalSize;
    onExit: (outcome: Outcome) => void;
  }) => ChildHandle | Error;
}>;

type PtyProcess = Readonly<{
  pid: number;
  /** Our end of the terminal (the master). */
  fd: number;
  onData: (listener: (data: Buffer) => void) => unknown;
  onExit: (listener: (event: { exitCode: number; signal?: number }) => void) => unknown;
  /** Typed as a string upstream; its socket takes bytes as they are. */
  write: (data: string | Buffer) => void;
  resize: (columns: number, rows: number) => void;
  pause: () => void;
  resume: () => void;
  destroy: () => void;
}>;
type PtyLibrary = Readonly<{
  spawn: (file: string, args: string[], options: Record<string, unknown>) => PtyProcess;
}>;

/** A terminal asks where its cursor is (DSR); readline REPLs (irb's reline) wait for the answer. */
const CURSOR_QUERY = '\u001b[6n';

/**
 * Load the library, only when a process asks for a terminal (`tty: true`): it is native code,
 * an optional dependency, and outside the bundle. An Error says why it cannot load.
 */
export async function loadPty(): Promise<PtyLauncher | Error> {
  try {
    const library = (await import(PTY_PACKAGE)) as unknown as PtyLibrary & { default?: PtyLibrary };
    const pty = library.default ?? library;
    const closeOnExec = await loadCloseOnExec();
    return { spawn: (options) => spawnOnPty(pty, closeOnExec, options) };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return new Error(message);
  }
}

/**
 * One process on its own pseudo-terminal: `/bin/sh -c` as for a pipe, but the terminal makes
 * it a session and group leader (so a stop reaches its tree as before), `isatty` is true, and
 * its output comes through the same line relay (CRLF from the terminal driver made LF).
 * COLUMNS and LINES are left out of its environment: inherited ones would be wrong after the
 * first resize, and without them programs ask the terminal.
 */
function spawnOnPty(
  pty: PtyLibrary,
  closeOnExec: CloseOnExec | undefined,
  { spec, cwd, sink, printer, size, onExit }: Parameters<PtyLauncher['spawn']>[0],
): ChildHandle | Error {
  const child = openPty(pty, spec, cwd, size);
  if (child instanceof Error) return child;
  // Before anything else is spawned: no other process may inherit this terminal's master.
  closeOnExec?.(child.fd);
  const screen: Screen = { rows: size.rows, taps: 0 };
  const { source: raw, end } = ptySource(child, (chunk) => {
    // Our own terminal shows the lines, not this one's screen: we answer where its cursor is,
    // unless an attach client's terminal shows it raw and answers itself.
    if (screen.taps === 0 && chunk.includes(CURSOR_QUERY)) child.write(`\u001b[${screen.rows};1R`);
  });
  const source = shareSource(raw);
  const relay = relayLines({ source, sink, printer, isTerminal: true });
  child.onExit(({ exitCode, signal }) => {
    end();
    const name = signal ? signalName(signal) : null;
    const outcome = outcomeOf(name === null ? exitCode : null, name, constants.signals);
    const wait = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_AFTER_EXIT_MS).unref());
    void Promise.race([relay.ended, wait]).then(() => onExit(outcome));
  });
  return ptyHandle(child, source, relay, screen);
}

/** What the cursor answer needs: the terminal's height, and whether an attach shows it raw. */
type Screen = { rows: number; taps: number };

function openPty(
  pty: PtyLibrary,
  spec: ProcessSpec,
  cwd: string,
  size: TerminalSize,
): PtyProcess | Error {
  const env: Record<string, string> = { ...spec.env };
  delete env.COLUMNS;
  delete env.LINES;
  try {
    return pty.spawn('/bin/sh', ['-c', wrapCommand(spec.command)], {
      name: env.TERM ?? 'xterm-256color',
      cols: size.columns,
      rows: size.rows,
      cwd,
      env,
      encoding: null,
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function ptyHandle(
  child: PtyProcess,
  source: SharedSource,
  relay: LineRelay,
  screen: Screen,
): ChildHandle {
  return {
    pid: child.pid,
    close: () => child.destroy(),
    write: (data, written) => {
      child.write(data);
      written?.();
    },
    tap: (listener) => {
      screen.taps += 1;
      const untap = source.tap(listener);
      return () => {
        screen.taps -= 1;
        untap();
      };
    },
    hold: source.hold,
    interrupt: () => child.write('\u0003'),
    takePartial: relay.takePartial,
    peekPartial: relay.peekPartial,
    isTerminal: true,
    resize: (columns, rows) => {
      screen.rows = rows;
      child.resize(columns, rows);
    },
  };
}

/** node-pty's events as the relay's byte source; it reports the end with the exit. */
function ptySource(
  child: PtyProcess,
  onChunk: (chunk: Buffer) => void,
): { source: ByteSource; end: () => void } {
  let isPaused = false;
  let onEnd: (() => void) | undefined;
  const source: ByteSource = {
    onData: (listener) =>
      void child.onData((data) => {
        const chunk = typeof data === 'string' ? Buffer.from(data) : data;
        onChunk(chunk);
        listener(chunk);
      }),
    onEnd: (listener) => (onEnd = listener),
    pause: () => {
      isPaused = true;
      child.pause();
    },
    resume: () => {
      isPaused = false;
      child.resume();
    },
    isPaused: () => isPaused,
  };
  return { source, end: () => onEnd?.() };
}

function signalName(signo: number): string | null {
  const entry = Object.entries(constants.signals).find(([, value]) => value === signo);
  return entry === undefined ? null : entry[0];
}
