import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml';
import { InputError, throwIfAny } from '../errors.js';
import { OPTIONS, coerceOption, findLayeredOption, type Flags } from './options.js';

/**
 * `.foreman`: YAML defaults for any layered long option (`timestamp: false` included, which
 * Ruby foreman ignores). Unknown keys and wrong types are errors naming the key and line.
 * Relative paths stay relative here: release.ts resolves them against this file's folder.
 */
export type Defaults = Readonly<{ file: string; flags: Flags }>;

export function parseDefaults(text: string, file: string): Defaults {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const problems: InputError[] = doc.errors.map(
    (error) =>
      new InputError(
        file,
        error.linePos?.[0].line ?? 1,
        error.message.split('\n')[0] ?? 'bad YAML',
        'fix the YAML syntax',
      ),
  );
  throwIfAny(problems);
  if (doc.contents === null) return { file, flags: {} };
  if (!isMap(doc.contents)) {
    throw new InputError(
      file,
      lineOf(doc.contents),
      'expected "key: value" lines',
      'e.g. "port: 3000"',
    );
  }
  const flags: Record<string, unknown> = {};
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const line = lineOf(keyNode);
    const spec = findLayeredOption(key);
    if (spec === undefined) {
      problems.push(
        new InputError(file, line, `unknown key "${key}"`, `known keys: ${knownKeys()}`),
      );
      continue;
    }
    const valueNode = pair.value as Node | null;
    const raw: unknown = valueNode === null ? null : valueNode.toJSON();
    const coerced = coerceOption(spec, raw);
    if (coerced.ok) flags[spec.key] = coerced.value;
    else {
      const problem = `"${key}" must be ${coerced.expected}, got ${JSON.stringify(raw)}`;
      problems.push(
        new InputError(file, lineOf(valueNode ?? keyNode), problem, `fix "${key}" or remove it`),
      );
    }
  }
  throwIfAny(problems);
  return { file, flags: flags as Flags };
}

function knownKeys(): string {
  return OPTIONS.filter((spec) => spec.layered)
    .map((spec) => spec.long.replace(/-/g, '_'))
    .join(', ');
}
