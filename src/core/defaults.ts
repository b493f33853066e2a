import { LineCounter, parseDocument, isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { InputError, throwIfAny } from '../errors.js';
import {
  OPTION_LIST,
  findLayeredOption,
  setOption,
  type Flags,
  type MutableFlags,
} from './options.js';
import {
  POLICY_SETTINGS,
  setPolicy,
  type PolicyDraft,
  type PolicyValues,
  type ProcessPolicy,
} from './policy.js';

/**
 * `.foreman`: YAML defaults for any layered long option (`timestamp: false` included, which
 * Ruby foreman ignores), and per-type policies under `processes:`. Unknown keys and wrong
 * types are errors naming the key and line. Relative paths stay relative here: release.ts
 * resolves them against this file's folder.
 */
export type Defaults = Readonly<{ file: string; flags: Flags; policies: readonly PolicyDraft[] }>;

type LineOf = (node: Node | null | undefined) => number;

export function parseDefaults(text: string, file: string): Defaults {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const lineOf: LineOf = (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const syntax = doc.errors.map(
    (error) =>
      new InputError(
        file,
        error.linePos?.[0].line ?? 1,
        error.message.split('\n')[0] ?? 'bad YAML',
        'fix the YAML syntax',
      ),
  );
  throwIfAny(syntax);
  if (doc.contents === null) return { file, flags: {}, policies: [] };
  if (!isMap(doc.contents)) {
    throw new InputError(
      file,
      lineOf(doc.contents),
      'expected "key: value" lines',
      'e.g. "port: 3000"',
    );
  }
  const problems: InputError[] = [];
  const flags: MutableFlags = {};
  let policies: PolicyDraft[] = [];
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as Node | null;
    if (key === 'processes') {
      policies = parseProcesses(valueNode, { file, lineOf, problems, line: lineOf(keyNode) });
      continue;
    }
    const option = findLayeredOption(key);
    if (option === undefined) {
      problems.push(
        new InputError(file, lineOf(keyNode), `unknown key "${key}"`, `known keys: ${knownKeys()}`),
      );
      continue;
    }
    const raw: unknown = valueNode === null ? null : valueNode.toJSON();
    const coerced = setOption(flags, option.key, raw);
    if (!coerced.ok)
      problems.push(wrongType(file, lineOf(valueNode ?? keyNode), key, coerced.expected, raw));
  }
  throwIfAny(problems);
  return { file, flags, policies };
}

function wrongType(
  file: string,
  line: number,
  key: string,
  expected: string,
  raw: unknown,
): InputError {
  return new InputError(
    file,
    line,
    `"${key}" must be ${expected}, got ${JSON.stringify(raw)}`,
    `fix "${key}" or remove it`,
  );
}

function knownKeys(): string {
  return [
    ...OPTION_LIST.filter(({ spec }) => spec.layered).map(({ long }) => long.replace(/-/g, '_')),
    'processes',
  ].join(', ');
}

type Context = Readonly<{ file: string; lineOf: LineOf; problems: InputError[]; line: number }>;

const POLICY_FIELDS = Object.keys(POLICY_SETTINGS) as (keyof ProcessPolicy)[];
const POLICY_KEYS = POLICY_FIELDS.map((field) => POLICY_SETTINGS[field].name);

/** `processes: { web: { ready: port, ... } }`: one draft per type, checked against the Procfile later. */
function parseProcesses(node: Node | null, context: Context): PolicyDraft[] {
  if (!isMap(node)) {
    context.problems.push(
      new InputError(
        context.file,
        context.line,
        '"processes" must map process types to settings',
        'e.g. "processes:\\n  web:\\n    ready: port"',
      ),
    );
    return [];
  }
  return (node as YAMLMap).items.map((pair) => {
    const keyNode = pair.key as Node | null;
    const type = isScalar(keyNode) ? String(keyNode.value) : '';
    return parsePolicy(type, pair.value as Node | null, {
      ...context,
      line: context.lineOf(keyNode),
    });
  });
}

function parsePolicy(type: string, node: Node | null, context: Context): PolicyDraft {
  const { file, lineOf, problems } = context;
  const values: PolicyValues = {};
  let afterLine = context.line;
  if (!isMap(node)) {
    problems.push(
      new InputError(
        file,
        context.line,
        `processes: "${type}" must be a map of settings`,
        `known: ${POLICY_KEYS.join(', ')}`,
      ),
    );
    return { type, line: context.line, afterLine, values };
  }
  for (const pair of (node as YAMLMap).items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const field = POLICY_FIELDS.find((candidate) => POLICY_SETTINGS[candidate].name === key);
    if (field === undefined) {
      const problem = `processes: ${type}: unknown setting "${key}"`;
      problems.push(
        new InputError(file, lineOf(keyNode), problem, `known: ${POLICY_KEYS.join(', ')}`),
      );
      continue;
    }
    const valueNode = pair.value as Node | null;
    const raw: unknown = valueNode === null ? null : valueNode.toJSON();
    const line = lineOf(valueNode ?? keyNode);
    const coerced = setPolicy(values, field, raw);
    if (!coerced.ok) problems.push(wrongType(file, line, `${type}.${key}`, coerced.expected, raw));
    if (field === 'after') afterLine = line;
  }
  return { type, line: context.line, afterLine, values };
}
