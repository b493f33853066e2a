import {
  LineCounter,
  parseDocument,
  isMap,
  isScalar,
  type Document,
  type Node,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { InputError, throwIfAny } from '../errors.js';
import { escapeText } from './escape-text.js';
import {
  OPTION_LIST,
  findLayeredOption,
  setOption,
  type Flags,
  type MutableFlags,
  type OptionKey,
} from './options.js';
import {
  POLICY_SETTINGS,
  setPolicy,
  type PolicyDraft,
  type PolicyValues,
  type ProcessPolicy,
} from './policy.js';
import { describeAliasError, describeYamlError } from './yaml-problem.js';

/**
 * `.foreman`: YAML defaults for any layered long option (`timestamp: false` included, which
 * Ruby foreman ignores), and per-type policies under `processes:`. Unknown keys and wrong
 * types are errors naming the key and line. Relative paths stay relative here: release.ts
 * resolves them against this file's folder.
 */
export type Defaults = Readonly<{
  file: string;
  flags: Flags;
  /** The line of each option set, for messages about its value found later (a missing root). */
  lines: Readonly<Partial<Record<OptionKey, number>>>;
  policies: readonly PolicyDraft[];
}>;

type LineOf = (node: Node | null | undefined) => number;

/** What every reader below shares: the document, where its nodes are, and the problems found. */
type Context = Readonly<{ file: string; doc: Document; lineOf: LineOf; problems: InputError[] }>;

/** The options read so far, with their lines. */
type Read = { flags: MutableFlags; lines: Partial<Record<OptionKey, number>> };

/** One `key: value` of a YAML map, with the key as text. */
type Entry = Readonly<{ key: string; keyNode: Node | null; valueNode: Node | null }>;

export function parseDefaults(text: string, file: string): Defaults {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  throwIfAny(syntaxProblems(doc.errors, file));
  const lineOf: LineOf = (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (doc.contents === null) return { file, flags: {}, lines: {}, policies: [] };
  if (!isMap(doc.contents)) {
    const hint = 'e.g. "port: 3000"';
    throw new InputError(file, lineOf(doc.contents), 'expected "key: value" lines', hint);
  }
  const context: Context = { file, doc, lineOf, problems: [] };
  const read: Read = { flags: {}, lines: {} };
  let policies: PolicyDraft[] = [];
  for (const entry of entriesOf(doc.contents)) {
    if (entry.key === 'processes') policies = parseProcesses(entry, context);
    else readOption(entry, read, context);
  }
  throwIfAny(context.problems);
  return { file, ...read, policies };
}

function entriesOf(map: YAMLMap): Entry[] {
  return map.items.map((pair) => {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    return { key, keyNode, valueNode: pair.value as Node | null };
  });
}

/** One problem per line (the library may report three for one bad line), in our words. */
function syntaxProblems(errors: readonly YAMLError[], file: string): InputError[] {
  const problems = new Map<number, InputError>();
  for (const error of errors) {
    const line = error.linePos?.[0].line ?? 1;
    const { problem, hint } = describeYamlError(error);
    if (!problems.has(line)) problems.set(line, new InputError(file, line, problem, hint));
  }
  return [...problems.values()];
}

function readOption({ key, keyNode, valueNode }: Entry, read: Read, context: Context): void {
  const { file, lineOf, problems } = context;
  const option = findLayeredOption(key);
  if (option === undefined) {
    const hint = `known keys: ${knownKeys()}`;
    const problem = `unknown key "${escapeText(key)}"`;
    problems.push(new InputError(file, lineOf(keyNode), problem, hint));
    return;
  }
  const line = lineOf(valueNode ?? keyNode);
  const raw = valueOf(valueNode, line, context);
  if (raw === NO_VALUE) return;
  const coerced = setOption(read.flags, option.key, raw);
  if (coerced.ok) read.lines[option.key] = lineOf(keyNode);
  else problems.push(wrongType(file, line, key, coerced.expected, raw));
}

const NO_VALUE = Symbol('no value');

/** A value with its aliases (`*name`) expanded; a bad alias is the file's problem. */
function valueOf(node: Node | null, line: number, context: Context): unknown {
  try {
    return node === null ? null : node.toJS(context.doc, { maxAliasCount: 100 });
  } catch (error) {
    // The library throws a ReferenceError for an alias without an anchor, or too many aliases.
    if (!(error instanceof ReferenceError)) throw error;
    const { problem, hint } = describeAliasError(error.message);
    context.problems.push(new InputError(context.file, line, problem, hint));
    return NO_VALUE;
  }
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
    `"${escapeText(key)}" must be ${expected}, got ${escapeText(JSON.stringify(raw) ?? 'nothing')}`,
    `fix "${key}" or remove it`,
  );
}

function knownKeys(): string {
  return [
    ...OPTION_LIST.filter(({ spec }) => spec.layered).map(({ long }) => long.replace(/-/g, '_')),
    'processes',
  ].join(', ');
}

const POLICY_FIELDS = Object.keys(POLICY_SETTINGS) as (keyof ProcessPolicy)[];
const POLICY_KEYS = POLICY_FIELDS.map((field) => POLICY_SETTINGS[field].name);

/** `processes: { web: { ready: port, ... } }`: one draft per type, checked against the Procfile later. */
function parseProcesses({ keyNode, valueNode }: Entry, context: Context): PolicyDraft[] {
  if (!isMap(valueNode)) {
    const hint = 'e.g. "processes:\\n  web:\\n    ready: port"';
    const line = context.lineOf(keyNode);
    const problem = '"processes" must map process types to settings';
    context.problems.push(new InputError(context.file, line, problem, hint));
    return [];
  }
  return entriesOf(valueNode).map((entry) => parsePolicy(entry, context));
}

function parsePolicy({ key: type, keyNode, valueNode }: Entry, context: Context): PolicyDraft {
  const { file, lineOf, problems } = context;
  const line = lineOf(keyNode);
  const values: PolicyValues = {};
  const draft = { type, line, afterLine: line, values };
  if (!isMap(valueNode)) {
    const problem = `processes: "${escapeText(type)}" must be a map of settings`;
    problems.push(new InputError(file, line, problem, `known: ${POLICY_KEYS.join(', ')}`));
    return draft;
  }
  for (const entry of entriesOf(valueNode)) {
    const field = POLICY_FIELDS.find((candidate) => POLICY_SETTINGS[candidate].name === entry.key);
    if (field === undefined) {
      const problem = `processes: ${escapeText(type)}: unknown setting "${escapeText(entry.key)}"`;
      const hint = `known: ${POLICY_KEYS.join(', ')}`;
      problems.push(new InputError(file, lineOf(entry.keyNode), problem, hint));
      continue;
    }
    const valueLine = lineOf(entry.valueNode ?? entry.keyNode);
    const raw = valueOf(entry.valueNode, valueLine, context);
    if (raw === NO_VALUE) continue;
    const coerced = setPolicy(draft.values, field, raw);
    const name = `${type}.${entry.key}`;
    if (!coerced.ok) problems.push(wrongType(file, valueLine, name, coerced.expected, raw));
    if (field === 'after') draft.afterLine = valueLine;
  }
  return draft;
}
