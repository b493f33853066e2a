/**
 * Errors that reach users. Each becomes one line on stderr and a documented exit code
 * (docs/exit-codes.md). This module is a leaf: it imports nothing.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notExecutable: 126,
  notFound: 127,
  internal: 70,
  /** sysexits' EX_OSERR: the system refused to start a process (docs/exit-codes.md). */
  osError: 71,
} as const;

export class ForemanError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? EXIT.failure;
    this.hint = opts.hint;
  }
}

/** A file we read is wrong: Procfile, env file, .foreman. */
export class InputError extends ForemanError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, problem: string, hint?: string) {
    super(`${file}:${line}: ${problem}`, hint === undefined ? {} : { hint });
    this.file = file;
    this.line = line;
  }
}

/** Several problems found in one pass, so `check` (and every command) can list them all. */
export class InputErrors extends ForemanError {
  readonly problems: readonly ForemanError[];
  constructor(problems: readonly ForemanError[]) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(`${first?.message ?? 'invalid input'}${more}`, first?.hint ? { hint: first.hint } : {});
    this.problems = problems;
  }
}

/** The command line itself is wrong. */
export class UsageError extends ForemanError {
  constructor(message: string, hint?: string) {
    super(message, hint === undefined ? { exitCode: EXIT.usage } : { exitCode: EXIT.usage, hint });
  }
}

/** Throw the collected problems, if any: parsers report every bad line, not only the first. */
export function throwIfAny(problems: readonly ForemanError[]): void {
  const [first] = problems;
  if (first === undefined) return;
  throw problems.length === 1 ? first : new InputErrors(problems);
}

/** Every user-facing problem inside an error, one per line. */
export function listProblems(error: ForemanError): readonly ForemanError[] {
  return error instanceof InputErrors ? error.problems.flatMap(listProblems) : [error];
}

/** Run `read`, keeping a user-facing failure in `problems` instead of stopping at the first. */
export function collect<T>(problems: ForemanError[], read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ForemanError)) throw error;
    problems.push(error);
    return undefined;
  }
}
