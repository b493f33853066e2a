import { judgeName } from './secret-names.js';
import { MASK, maskPairs, maskShapes, maskTokens } from './secret-values.js';

/**
 * The one classifier of secrets, for everything we print or export: `env` (masked unless
 * --show-secrets), Kubernetes' Secret versus its ConfigMap, our log records and error
 * messages (docs/security.md, "Secrets in output"). A variable is secret by its name
 * (core/secret-names.ts) or by the shape of its value (core/secret-values.ts); a `.foreman`
 * `secrets:` / `not_secrets:` list decides for the names it matches, either way.
 */
export { MASK };

/** Names (with `*` for any text: `NEXT_PUBLIC_*`) marked secret or not secret by the user. */
export type SecretMarks = Readonly<{ secrets?: readonly string[]; notSecrets?: readonly string[] }>;

export type SecretRule = Readonly<{
  isSecret: (key: string, value: string) => boolean;
  /** A secret name masks the whole value; otherwise only its secret-shaped parts. */
  maskValue: (key: string, value: string) => string;
}>;

/** The classifier, with the user's marks: `secrets` wins over `not_secrets` for a name in both. */
export function secretRule(marks: SecretMarks = {}): SecretRule {
  const secrets = (marks.secrets ?? []).map(toPattern);
  const plain = (marks.notSecrets ?? []).map(toPattern);
  const verdict = (key: string): boolean | undefined => {
    if (secrets.some((pattern) => pattern.test(key))) return true;
    if (plain.some((pattern) => pattern.test(key))) return false;
    const byName = judgeName(key);
    return byName === undefined ? undefined : byName === 'secret';
  };
  const maskValue = (key: string, value: string): string => {
    const byName = verdict(key);
    if (byName === true) return value === '' ? '' : MASK;
    return byName === false ? value : maskShapes(value);
  };
  const isSecret = (key: string, value: string): boolean => {
    const byName = verdict(key);
    return byName ?? maskShapes(value) !== value;
  };
  return { isSecret, maskValue };
}

function toPattern(name: string): RegExp {
  const source = name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`);
}

const BUILT_IN = secretRule();

/** The built-in rule, for callers without the release's marks. */
export const isSecret = BUILT_IN.isSecret;
export const maskValue = BUILT_IN.maskValue;

/**
 * A message with its secrets masked: error lines and log records quote input (a `.env` line,
 * a Procfile command) that may carry a token, or `DB_PASS=...` inside the quotes. Pairs are
 * looked for only in quoted input: our own words ("expected KEY=value") are not secrets.
 */
export function maskText(text: string): string {
  return maskTokens(text).replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => maskPairs(quoted));
}
