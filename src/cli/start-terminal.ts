import { isatty } from 'node:tty';
import type { ProcessSpec } from '../core/formation.js';
import { resolveInputName } from '../core/input-routing.js';
import type { Release } from '../core/release.js';
import { UsageError } from '../errors.js';
import { withLevel } from '../output/output.js';
import { isColorWanted } from '../output/palette.js';
import type { Printer } from '../output/printer.js';
import { createPrefixer, createTextOutput } from '../output/text.js';
import type { Policies } from '../core/policy.js';
import type { Output } from '../output/output.js';
import { Attachments } from '../supervisor/attach-stream.js';
import type { Terminals } from '../supervisor/children.js';
import type { ControlServer } from '../supervisor/control-server.js';
import type { InputHooks } from '../supervisor/supervisor.js';
import type { TerminalSize } from '../supervisor/pty.js';
import type { Console } from '../terminal/console.js';
import type { Io } from './io.js';

/** Names, colours and time of the foreman look, the same for the Printer and the terminal. */
export function textLook(release: Release, io: Io, names: readonly ProcessSpec[]) {
  const { settings } = release;
  return {
    names: names.map((spec) => spec.name),
    types: release.procfile?.entries.map((entry) => entry.name) ?? [],
    style: {
      isTimestamped: settings.timestamp ?? true,
      isColored: isColorWanted({
        flag: settings.color,
        env: io.env,
        isTty: io.stdout.isTTY === true,
      }),
    },
    now: io.now,
  };
}

/**
 * `start`'s terminal mode (docs/interactive.md), when we have a terminal to type in and one
 * to draw on, and the output is text: JSON logs and piped output stay byte-exact, and nothing
 * is routed. The text output goes behind a Screen that keeps the input line at the bottom.
 * Its modules are loaded only here: `run` and non-terminal starts never evaluate them.
 */
export async function openTerminalMode({
  release,
  printer,
  io,
  names,
  specs,
}: {
  release: Release;
  printer: Printer;
  io: Io;
  names: readonly ProcessSpec[];
  specs: readonly ProcessSpec[];
}): Promise<Console | undefined> {
  const attach = attachedName(release.settings.attach, specs);
  const isTerminal = release.settings.logFormat !== 'json' && io.stdout.isTTY === true && isatty(0);
  if (!isTerminal) return undefined;
  const [{ openConsole }, { Screen }] = await Promise.all([
    import('../terminal/console.js'),
    import('../output/screen.js'),
  ]);
  const screen = new Screen(printer);
  const look = textLook(release, io, names);
  const level = release.settings.logLevel ?? 'info';
  const text = withLevel(createTextOutput({ printer: screen, ...look }), level);
  return openConsole({
    stdin: io.stdin,
    stdout: io.stdout,
    screen,
    text,
    prefixer: createPrefixer(look),
    attach,
  });
}

/** `--attach web` means web.1; an unknown name is a usage error before anything starts. */
function attachedName(name: string | undefined, specs: readonly ProcessSpec[]): string | undefined {
  if (name === undefined) return undefined;
  const names = specs.map((spec) => spec.name);
  const resolved = resolveInputName(name, names);
  if (resolved === undefined)
    throw new UsageError(`--attach: unknown process "${name}"`, `known: ${names.join(', ')}`);
  return resolved;
}

/** The size of a pseudo-terminal when `start` has no terminal of its own to measure. */
const DEFAULT_SIZE = { columns: 80, rows: 24 } as const;

/**
 * Types with `tty: true` run on a pseudo-terminal when the optional library loads; otherwise
 * they run on a pipe, after one warning that says how to get it.
 */
export async function loadTerminals({
  policies,
  output,
  sizeOf,
}: {
  policies: Policies;
  output: Output;
  sizeOf: ((name: string) => TerminalSize) | undefined;
}): Promise<Terminals | undefined> {
  const types = [...policies].filter(([, policy]) => policy.tty).map(([type]) => type);
  if (types.length === 0) return undefined;
  const { loadPty, PTY_PACKAGE } = await import('../supervisor/pty.js');
  const launcher = await loadPty();
  if (launcher instanceof Error) {
    output.event({
      event: 'warning',
      message:
        `tty: ${types.join(', ')} will run on a pipe: ${PTY_PACKAGE} did not load ` +
        `(${launcher.message}); install it with "npm install ${PTY_PACKAGE}"`,
    });
    return undefined;
  }
  return {
    launcher,
    isTty: (type) => types.includes(type),
    sizeOf: sizeOf ?? (() => DEFAULT_SIZE),
  };
}

/**
 * Processes reach the terminal's console (typed input) and `foreman-ts attach` clients through
 * the control socket (docs/control.md#attach) alike: both are told as each starts and ends.
 */
export function serveAttach({
  control,
  output,
  inputs,
  sizeOf,
}: {
  control: ControlServer | undefined;
  output: Output;
  inputs: InputHooks | undefined;
  sizeOf: ((name: string) => TerminalSize) | undefined;
}): InputHooks & { closeAll: (reason: string) => void } {
  const attachments = new Attachments({
    sizeOf: sizeOf ?? (() => DEFAULT_SIZE),
    onChange: (action, name) => output.event({ event: 'control', action, targets: [name] }),
    onInput: (name, data) => inputs?.typed?.(name, data),
  });
  control?.serveAttach((request, connection) => attachments.attach(request, connection));
  return {
    opened: (name, handle) => {
      inputs?.opened(name, handle);
      attachments.opened(name, handle);
    },
    closed: (name) => {
      inputs?.closed(name);
      attachments.closed(name);
    },
    closeAll: (reason) => attachments.closeAll(reason),
  };
}
