import { EXIT } from '../errors.js';

/** How a process ended: a value, so nothing rebuilds it from strings. */
export type Outcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signalled'; readonly signal: string; readonly signo: number }
  | { readonly kind: 'failed-to-start'; readonly reason: 'not-found' | 'not-executable' };

/** The shell's convention: the code, 128 + signal number, or 127/126. */
export function exitCodeOf(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code;
    case 'signalled':
      return 128 + outcome.signo;
    case 'failed-to-start':
      return outcome.reason === 'not-found' ? EXIT.notFound : EXIT.notExecutable;
  }
}

/** What /bin/sh means by these codes, worth saying next to them. */
const SHELL_CODES: Readonly<Record<number, string>> = {
  [EXIT.notFound]: ' (command not found)',
  [EXIT.notExecutable]: ' (not executable)',
};

export function describe(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exited with code ${outcome.code}${SHELL_CODES[outcome.code] ?? ''}`;
    case 'signalled':
      return `terminated by ${outcome.signal}`;
    case 'failed-to-start':
      return outcome.reason === 'not-found'
        ? 'failed: command not found'
        : 'failed: not executable';
  }
}

export function isSuccess(outcome: Outcome): boolean {
  return outcome.kind === 'exited' && outcome.code === 0;
}

/** Node reports (code, signal); `signals` maps names to numbers (os.constants.signals). */
export function outcomeOf(
  code: number | null,
  signal: string | null,
  signals: Readonly<Record<string, number>>,
): Outcome {
  if (signal !== null) return { kind: 'signalled', signal, signo: signals[signal] ?? 0 };
  return { kind: 'exited', code: code ?? 0 };
}
