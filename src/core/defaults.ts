import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml';
import { InputError, throwIfAny } from '../errors.js';
import { OPTIONS, coerceOption, findLayeredOption, type Flags } from './options.js';
import {
  RESTART_POLICIES,
  STOP_SIGNALS,
  parseReadyProbe,
  type PolicyDraft,
  type ProcessPolicy,
  type RestartPolicy,
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
  const flags: Record<string, unknown> = {};
  let policies: PolicyDraft[] = [];
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as Node | null;
    if (key === 'processes') {
      policies = parseProcesses(valueNode, { file, lineOf, problems, line: lineOf(keyNode) });
      continue;
    }
    const spec = findLayeredOption(key);
    if (spec === undefined) {
      problems.push(
        new InputError(file, lineOf(keyNode), `unknown key "${key}"`, `known keys: ${knownKeys()}`),
      );
      continue;
    }
    const raw: unknown = valueNode === null ? null : valueNode.toJSON();
    const coerced = coerceOption(spec, raw);
    if (coerced.ok) flags[spec.key] = coerced.value;
    else problems.push(wrongType(file, lineOf(valueNode ?? keyNode), key, coerced.expected, raw));
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
    ...OPTIONS.filter((spec) => spec.layered).map((spec) => spec.long.replace(/-/g, '_')),
    'processes',
  ].join(', ');
}

type Context = Readonly<{ file: string; lineOf: LineOf; problems: InputError[]; line: number }>;

const POLICY_KEYS = [
  'ready',
  'ready_timeout',
  'stop_signal',
  'after',
  'restart',
  'can_die',
] as const;

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
  return node.items.map((pair) => {
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
  const values: { -readonly [K in keyof ProcessPolicy]?: ProcessPolicy[K] } = {};
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
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as Node | null;
    const raw: unknown = valueNode === null ? null : valueNode.toJSON();
    const line = lineOf(valueNode ?? keyNode);
    const fail = (expected: string): void =>
      void problems.push(wrongType(file, line, `${type}.${key}`, expected, raw));
    switch (key) {
      case 'ready': {
        const probe =
          typeof raw === 'string' ? parseReadyProbe(raw) : 'port, /regex/ or http:/path';
        if (typeof probe === 'string') fail(probe);
        else values.ready = probe;
        break;
      }
      case 'ready_timeout':
        if (typeof raw === 'number' && raw > 0) values.readyTimeoutMs = Math.round(raw * 1000);
        else fail('a number of seconds');
        break;
      case 'stop_signal':
        if (
          typeof raw === 'string' &&
          (STOP_SIGNALS as readonly string[]).includes(raw.toUpperCase())
        )
          values.stopSignal = raw.toUpperCase();
        else fail(`one of ${STOP_SIGNALS.join(', ')}`);
        break;
      case 'after': {
        const list = typeof raw === 'string' ? [raw] : raw;
        if (Array.isArray(list) && list.every((item) => typeof item === 'string'))
          values.after = list;
        else fail('a process type or a list of them');
        afterLine = line;
        break;
      }
      case 'restart':
        if (typeof raw === 'string' && (RESTART_POLICIES as readonly string[]).includes(raw))
          values.restart = raw as RestartPolicy;
        else if (raw === false)
          values.restart = 'no'; // YAML reads a bare `no` as false
        else fail(RESTART_POLICIES.join(', '));
        break;
      case 'can_die':
        if (typeof raw === 'boolean') values.canDie = raw;
        else fail('true or false');
        break;
      default:
        problems.push(
          new InputError(
            file,
            lineOf(keyNode),
            `processes: ${type}: unknown setting "${key}"`,
            `known: ${POLICY_KEYS.join(', ')}`,
          ),
        );
    }
  }
  return { type, line: context.line, afterLine, values };
}
