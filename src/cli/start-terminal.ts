import { isatty } from 'node:tty';
import type { ProcessSpec } from '../core/formation.js';
import { resolveInputName } from '../core/input-routing.js';
import type { Release } from '../core/release.js';
import { UsageError } from '../errors.js';
import { withLevel, type LevelName } from '../output/output.js';
import { isColorWanted } from '../output/palette.js';
import type { Printer } from '../output/printer.js';
import { createPrefixer, createTextOutput } from '../output/text.js';
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
  const level = (release.settings.logLevel ?? 'info') as LevelName;
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
