import { readFileSync } from 'node:fs';
import { parse as parsePlist } from 'plist';
import t from 'tap';
import { parse } from 'yaml';
import { secretRule } from '../../src/core/secrets.js';
import { renderCompose } from '../../src/export/compose.js';
import {
  commandSupervisord,
  envLineShell,
  plainSystemd,
  quoteSystemd,
  textXml,
} from '../../src/export/escape.js';
import { renderKubernetes } from '../../src/export/kubernetes.js';
import { renderLaunchd } from '../../src/export/launchd.js';
import type { ExportFile, ExportPlan } from '../../src/export/plan.js';
import { renderRunit } from '../../src/export/runit.js';
import { renderSupervisord } from '../../src/export/supervisord.js';
import { renderSystemd } from '../../src/export/systemd.js';
import { renderYaml } from '../../src/export/yaml.js';

/**
 * Values with quotes, `$`, `%`, newlines, `=`, backslashes and unicode go through every
 * format and are read back by that format's consumer: a plist or YAML parser, or a faithful
 * model of the consumer's own parser (cited). test/integration/export.test.ts runs the real
 * tools (supervisord's parser, chpst, systemd-analyze) on the same values.
 */
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../fixtures/export/tricky.json', import.meta.url), 'utf8'),
) as {
  env: Record<string, string>;
  refused: Record<string, string[]>;
  extra: Record<string, string>;
  command: string;
};
const TRICKY = FIXTURE.env;
const TRICKY_COMMAND = FIXTURE.command;

function trickyPlan(
  env: Readonly<Record<string, string>>,
  overrides: Partial<ExportPlan> = {},
): ExportPlan {
  return {
    app: 'tricky',
    user: undefined,
    root: '/srv/tricky app%1',
    logDir: undefined,
    image: 'registry.example.com/tricky:1',
    graceSeconds: 5,
    env: Object.entries(env).map(([key, value], index) => ({
      key,
      value,
      origin: { file: '.env', line: index + 1 },
      isSecret: secretRule().isSecret(key, value),
    })),
    processes: [
      {
        name: 'web.1',
        type: 'web',
        instance: 1,
        script: TRICKY_COMMAND,
        port: 5000,
        origin: { file: 'Procfile', line: 1 },
      },
    ],
    types: [{ type: 'web', script: TRICKY_COMMAND, count: 1, port: 5000 }],
    release: undefined,
    oneOff: undefined,
    commands: [
      { type: 'web', script: `${TRICKY_COMMAND} "$@"`, origin: { file: 'Procfile', line: 1 } },
    ],
    adminPort: undefined,
    ...overrides,
  };
}

function file(files: readonly ExportFile[], path: string): string {
  const found = files.find((candidate) => candidate.path === path);
  if (found === undefined) throw new Error(`no ${path} in ${files.map((f) => f.path).join(', ')}`);
  return found.content;
}

/** systemd's env-file parser (src/basic/env-file.c, parse_env_file_internal), transcribed. */
function parseSystemdEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  type State =
    'preKey' | 'key' | 'preValue' | 'value' | 'valueEsc' | 'sq' | 'dq' | 'dqEsc' | 'comment';
  let state: State = 'preKey';
  let key = '';
  let value = '';
  let trailing = -1;
  const push = (): void => {
    env[key.trimEnd()] = trailing === -1 ? value : value.slice(0, trailing);
    key = '';
    value = '';
    trailing = -1;
  };
  for (const c of text) {
    const isNewline = c === '\n' || c === '\r';
    const isSpace = ' \t\n\r'.includes(c);
    if (state === 'preKey') {
      if (c === '#' || c === ';') state = 'comment';
      else if (!isSpace) [state, key] = ['key', c];
    } else if (state === 'key') {
      if (isNewline) [state, key] = ['preKey', ''];
      else if (c === '=') state = 'preValue';
      else key += c;
    } else if (state === 'preValue') {
      if (isNewline) [state, trailing] = ['preKey', -1];
      if (isNewline) push();
      else if (c === "'") state = 'sq';
      else if (c === '"') state = 'dq';
      else if (c === '\\') state = 'valueEsc';
      else if (!isSpace) [state, value] = ['value', value + c];
    } else if (state === 'value') {
      if (isNewline) {
        state = 'preKey';
        push();
      } else if (c === '\\') [state, trailing] = ['valueEsc', -1];
      else {
        if (!isSpace) trailing = -1;
        else if (trailing === -1) trailing = value.length;
        value += c;
      }
    } else if (state === 'valueEsc') {
      state = 'value';
      if (!isNewline) value += c;
    } else if (state === 'sq') {
      if (c === "'") state = 'preValue';
      else value += c;
    } else if (state === 'dq') {
      if (c === '"') state = 'preValue';
      else if (c === '\\') state = 'dqEsc';
      else value += c;
    } else if (state === 'dqEsc') {
      state = 'dq';
      if ('"\\`$'.includes(c)) value += c;
      else if (c !== '\n') value += `\\${c}`;
    } else if (state === 'comment') {
      if (isNewline) state = 'preKey';
    }
  }
  if (state !== 'preKey' && state !== 'key' && state !== 'comment') push();
  return env;
}

/**
 * One double-quoted word of a unit file as systemd reads it: extract_first_word with
 * EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, then `%%` -> `%` and, in Exec lines, `$$` -> `$`.
 */
function unquoteSystemd(word: string, isCommand: boolean): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };
  const inner = word.slice(1, -1);
  let text = inner.replace(/\\(x[0-9a-f]{2}|.)/g, (_, esc: string) =>
    esc.startsWith('x') && esc.length === 3
      ? String.fromCharCode(parseInt(esc.slice(1), 16))
      : (escapes[esc] ?? esc),
  );
  text = text.replace(/%%/g, '%');
  return isCommand ? text.replace(/\$\$/g, '$') : text;
}

t.test('the systemd model follows the rules of env-file.c', async (t) => {
  t.same(parseSystemdEnvFile('A=1\n# c\nB = two words  \nC="x\\"y"\nD=\'a\\b\'\n'), {
    A: '1',
    B: 'two words',
    C: 'x"y',
    D: 'a\\b',
  });
});

t.test('systemd: EnvironmentFile values and ExecStart come back unchanged', async (t) => {
  const files = renderSystemd(trickyPlan(TRICKY));
  t.same(parseSystemdEnvFile(file(files, 'tricky.env')), TRICKY);
  const unit = file(files, 'tricky-web.1.service');
  const exec = /^ExecStart=\/bin\/sh -c (".*")$/m.exec(unit)?.[1] ?? '';
  t.equal(unquoteSystemd(exec, true), TRICKY_COMMAND);
  t.match(unit, /^WorkingDirectory=\/srv\/tricky app%%1$/m);
  t.equal(unquoteSystemd(quoteSystemd('A=%\n$"\\\x01', { what: 'x' }), false), 'A=%\n$"\\\x01');
});

t.test('launchd: the plist parser reads every value back', async (t) => {
  const files = renderLaunchd(trickyPlan(TRICKY));
  const parsed = parsePlist(file(files, 'tricky.web.1.plist')) as Record<string, unknown>;
  t.same(parsed.EnvironmentVariables, { PORT: '5000', PS: 'web.1', ...TRICKY });
  t.same(parsed.ProgramArguments, ['/bin/sh', '-c', TRICKY_COMMAND]);
  t.equal(parsed.WorkingDirectory, '/srv/tricky app%1');
});

t.test('compose: environment values read back from YAML, `$$` as `$`', async (t) => {
  const files = renderCompose(trickyPlan(TRICKY));
  const compose = parse(file(files, 'compose.yaml')) as {
    services: Record<string, { command?: string[]; environment: Record<string, string> }>;
  };
  const unescape = (text: string) => text.replace(/\$\$/g, '$');
  for (const service of ['web', 'run.1']) {
    const env = compose.services[service]?.environment ?? {};
    const back = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, unescape(v)]));
    t.same(back, {
      ...TRICKY,
      PS: service === 'web' ? 'web' : 'run.1',
      ...(service === 'web' ? { PORT: '5000' } : {}),
    });
  }
  t.equal(unescape(compose.services.web?.command?.[2] ?? ''), TRICKY_COMMAND);
});

t.test('kubernetes: ConfigMap and Secret values read back from YAML', async (t) => {
  const secret = { ...TRICKY, API_TOKEN: TRICKY.NEWLINE ?? '' };
  const files = renderKubernetes(trickyPlan(secret));
  const configMap = parse(file(files, 'configmap.yaml')) as { data: Record<string, string> };
  const secrets = parse(file(files, 'secret.yaml')) as { stringData: Record<string, string> };
  t.same({ ...configMap.data, ...secrets.stringData }, secret);
  t.same(Object.keys(secrets.stringData), ['API_TOKEN']);
  const deployment = parse(file(files, 'web-deployment.yaml')) as {
    spec: { template: { spec: { containers: { command: string[] }[] } } };
  };
  const command = deployment.spec.template.spec.containers[0]?.command[2] ?? '';
  t.equal(command.replace(/\$\$/g, '$'), TRICKY_COMMAND);
});

t.test('YAML: every string stays a string under YAML 1.1 and 1.2', async (t) => {
  const values = ['no', 'y', 'ON', '0755', '0o17', '1e3', '~', '', '12:30', '\u2028\x85\x7f\ufeff'];
  const text = renderYaml(Object.fromEntries(values.map((value) => [`K${value.length}`, value])));
  for (const version of ['1.1', '1.2'] as const) {
    const back = parse(text, { version }) as Record<string, unknown>;
    t.ok(
      Object.values(back).every((value) => typeof value === 'string'),
      `strings in YAML ${version}`,
    );
  }
  t.notMatch(text, /[\x7f\x85\u2028\ufeff]/, 'no raw DEL, NEL, LS or BOM');
  t.equal(
    (parse(renderYaml({ A: '\u2028\x85\x7f\ufeff' })) as { A: string }).A,
    '\u2028\x85\x7f\ufeff',
  );
});

t.test('host engines: the sh env file reads every value back', async (t) => {
  const all = { ...TRICKY, ...FIXTURE.extra };
  for (const render of [renderRunit, renderSupervisord, renderLaunchd]) {
    t.same(readShellEnv(file(render(trickyPlan(all)), 'tricky.env')), all, render.name);
  }
  t.equal(envLineShell('A', "it's", { what: 'x' }), `export A='it'\\''s'`);
  t.throws(() => envLineShell('A', 'a\0b', { what: 'x' }), /NUL/);
});

/** sh's reading of `export KEY='...'` lines: single quotes keep everything, `'\''` is a quote. */
function readShellEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const line = /^export ([A-Za-z_][A-Za-z0-9_]*)=((?:'[^']*'|\\'|[A-Za-z0-9_@%+=:,./-])*)$/gm;
  for (const [, key = '', word = ''] of text.matchAll(line)) {
    env[key] = word.replace(
      /'([^']*)'|\\(')/g,
      (_, quoted: string | undefined, q: string) => quoted ?? q,
    );
  }
  return env;
}

t.test('supervisord: command= never has a comment marker after whitespace', async (t) => {
  const line = commandSupervisord(['/bin/sh', '-c', 'a ; b # c %'], { what: 'x' });
  t.equal(line, `/bin/sh -c 'a '\\;' b '\\#' c %%'`);
  t.notMatch(line, /\s[;#]/);
});

t.test('plain one-line settings refuse what their line cannot hold', async (t) => {
  t.throws(() => plainSystemd('/srv/a\nb', { what: 'the root folder' }), {
    message: 'systemd cannot carry the root folder: it contains a newline or control character',
  });
  t.throws(() => plainSystemd('C:\\', { what: 'x' }), /continues the line/);
  t.throws(() => textXml('a\x01', { what: 'x' }), /control character XML cannot hold/);
  t.throws(() => quoteSystemd('\ud800', { what: 'x' }), /not valid UTF-8/);
});
