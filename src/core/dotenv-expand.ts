/**
 * An env-file value as parsed: text and `${NAME}` references, resolved once the caller knows
 * what each name means (release.ts: the inherited environment and earlier keys).
 */
export type Reference = Readonly<{ name: string; fallback?: Value; ifEmpty: boolean }>;
export type Segment = string | Reference;
export type Value = readonly Segment[];

/** Resolve references; an unknown name is empty, as in the shell. `$(cmd)` is never run. */
export function expandValue(value: Value, lookup: (name: string) => string | undefined): string {
  return expandBounded(value, lookup, Infinity) ?? '';
}

/**
 * expandValue that gives up (undefined) as soon as the result passes `maxLength` characters,
 * so a chain of `B=$A$A` lines stops at the limit instead of building a string of gigabytes.
 */
export function expandBounded(
  value: Value,
  lookup: (name: string) => string | undefined,
  maxLength: number,
): string | undefined {
  let out = '';
  for (const segment of value) {
    const part =
      typeof segment === 'string' ? segment : expandReference(segment, lookup, maxLength);
    if (part === undefined || out.length + part.length > maxLength) return undefined;
    out += part;
  }
  return out;
}

function expandReference(
  reference: Reference,
  lookup: (name: string) => string | undefined,
  maxLength: number,
): string | undefined {
  const found = lookup(reference.name);
  const missing = found === undefined || (reference.ifEmpty && found === '');
  if (missing && reference.fallback !== undefined)
    return expandBounded(reference.fallback, lookup, maxLength);
  return found ?? '';
}
