import { InputError, UsageError, type ForemanError } from '../errors.js';
import { EXEC_STRING_BYTES, LIMITS, envEntryBytes, formatBytes, utf8Bytes } from './limits.js';

/** Where an env-file key was set (last). */
export type Origin = Readonly<{ file: string; line: number }>;

const VALUE_HINT = 'keep large data in a file the app reads, and put its path in the variable';

/**
 * A value from an env file, after expansion (undefined: expansion gave up past the limit).
 * exec refuses a `KEY=value` over 128 KiB, and a chain of `B=$A$A` lines doubles each time.
 */
export function checkValueSize(
  key: string,
  value: string | undefined,
  origin: Origin,
): InputError | undefined {
  const limit = formatBytes(LIMITS.stringBytes);
  if (value === undefined) {
    const problem = `${key}: its value expands to more than ${limit}`;
    return new InputError(origin.file, origin.line, problem, VALUE_HINT);
  }
  const bytes = utf8Bytes(key) + 1 + utf8Bytes(value);
  if (bytes <= LIMITS.stringBytes) return undefined;
  const problem = `${key}: "${key}=value" is ${formatBytes(bytes)}, over the limit of ${limit}`;
  return new InputError(origin.file, origin.line, problem, VALUE_HINT);
}

/**
 * The whole environment against the limit (see LIMITS.envBytes). Over it, the error points at
 * the env-file line where the running total, counted in the order the values were set, passed
 * the limit: usually the file that grew too big.
 */
export function checkEnvSize(
  env: Readonly<Record<string, string>>,
  origins: ReadonlyMap<string, Origin>,
): ForemanError | undefined {
  const sizeOf = (key: string): number => envEntryBytes(key, env[key] ?? '');
  const keys = Object.keys(env);
  const total = keys.reduce((sum, key) => sum + sizeOf(key), 0);
  if (total <= LIMITS.envBytes) return undefined;
  const limit = formatBytes(LIMITS.envBytes);
  const inAll = `${formatBytes(total)} in all, as exec counts it`;
  const hint = 'set fewer or smaller variables; keep large data in files the app reads';
  let running = keys.filter((key) => !origins.has(key)).reduce((sum, key) => sum + sizeOf(key), 0);
  if (running > LIMITS.envBytes) {
    return new UsageError(
      `the inherited environment is over the limit of ${limit} (${inAll})`,
      hint,
    );
  }
  for (const [key, origin] of origins) {
    running += sizeOf(key);
    const problem = `${key}: here the environment passes the limit of ${limit} (${inAll})`;
    if (running > LIMITS.envBytes) return new InputError(origin.file, origin.line, problem, hint);
  }
  return undefined;
}

/** Any one argument of a command we exec: run's TYPE with its arguments may pass exec's limit. */
export function checkArgSize(what: string, text: string): ForemanError | undefined {
  const bytes = utf8Bytes(text);
  if (bytes <= EXEC_STRING_BYTES) return undefined;
  const problem = `${what} is ${formatBytes(bytes)}, over Linux's limit of ${formatBytes(EXEC_STRING_BYTES)} for one argument`;
  return new UsageError(problem, 'pass large data through a file or stdin');
}
