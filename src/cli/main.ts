import { maskText } from '../core/secrets.js';
import { EXIT, ForemanError, listProblems } from '../errors.js';
import { parseInvocation, type Invocation } from './args.js';
import type { Io } from './io.js';

type Command<I extends Invocation> = { execute: (invocation: I, io: Io) => Promise<number> };

// Lazy, so `run` pays only for what it uses.
const COMMANDS = {
  start: () => import('./commands/start.js'),
  run: () => import('./commands/run.js'),
  check: () => import('./commands/check.js'),
  env: () => import('./commands/env.js'),
  export: () => import('./commands/export.js'),
  status: () => import('./commands/control.js'),
  restart: () => import('./commands/control.js'),
  stop: () => import('./commands/control.js'),
  scale: () => import('./commands/control.js'),
  quit: () => import('./commands/control.js'),
  attach: () => import('./commands/attach.js'),
  help: () => import('./commands/help.js'),
  version: () => import('./commands/version.js'),
} as const;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    const command = (await COMMANDS[invocation.command]()) as Command<Invocation>;
    const code = await command.execute(invocation, io);
    const signal = io.signals.unhandled();
    return signal === undefined ? code : 128 + signalNumber(signal);
  } catch (error) {
    return report(error, io); // the only catch-all
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof ForemanError) {
    for (const problem of listProblems(error)) {
      const hint = problem.hint === undefined ? '' : ` (hint: ${problem.hint})`;
      // Messages quote input (a .env line, a command) that may hold a secret.
      io.stderr.write(`foreman-ts: ${maskText(`${problem.message}${hint}`)}\n`);
    }
    return error.exitCode;
  }
  const detail =
    io.env.FOREMAN_TS_DEBUG === '1' && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  const message = maskText(error instanceof Error ? error.message : String(error));
  io.stderr.write(
    `foreman-ts: internal error: ${message} (this is a bug, please report it)${detail}\n`,
  );
  return EXIT.internal;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
};

function signalNumber(signal: string): number {
  return SIGNAL_NUMBERS[signal] ?? 15;
}
