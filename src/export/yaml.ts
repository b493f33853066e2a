import { stringify } from 'yaml';

/**
 * YAML for compose and Kubernetes. Every string is double-quoted and the YAML 1.1 rules
 * decide which keys need quotes, so no reader (Go's yaml.v2 is 1.1, yaml.v3 is 1.2) turns
 * `no`, `0755` or `1e3` into a boolean or a number. Characters YAML does not allow raw, or
 * that YAML 1.1 reads as line breaks, are written as escapes: all strings are double-quoted,
 * so they can only occur inside a double-quoted scalar.
 */
export function renderYaml(value: unknown): string {
  const text = stringify(value, {
    version: '1.1',
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  });
  return text.replace(/[\x7f-\x9f\u2028\u2029\ufeff]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}
