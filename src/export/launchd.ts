import { textXml, type Subject } from './escape.js';
import {
  allProcesses,
  ownEnv,
  type ExportFile,
  type ExportPlan,
  type ExportProcess,
} from './plan.js';
import { renderHostRun, renderRunScript } from './run-script.js';
import { renderShellEnv } from './shell-env.js';

/**
 * One property list per instance, `<app>.web.1.plist` with the same Label, for launchctl.
 * 0600: it holds the env. launchd has no dependencies between jobs, so the release job does
 * not run at load; run it first (docs/export.md). `<app>-run` reads the same values from
 * `<app>.env` (sh), rendered from the same plan.
 */
export function renderLaunchd(plan: ExportPlan): ExportFile[] {
  return [
    ...allProcesses(plan).map((process) => ({
      path: `${labelOf(plan, process)}.plist`,
      content: renderPlist(plan, process),
      mode: 0o600,
    })),
    renderShellEnv(plan, 'launchd'),
    renderRunScript(plan, 'launchd', renderHostRun(plan, { becomeUser: sudo })),
  ];
}

/** macOS has no setpriv: sudo, keeping the env just read (root's sudo may keep it all). */
function sudo(user: string): string {
  return `set -- sudo -E -u ${user} -- "$@"`;
}

export function labelOf(plan: ExportPlan, process: ExportProcess): string {
  return `${plan.app}.${process === plan.release ? process.type : process.name}`;
}

type Node =
  | { readonly kind: 'string'; readonly text: string; readonly subject: Subject }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'array'; readonly items: readonly Node[] }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [string, Node])[] };

const str = (text: string, subject: Subject): Node => ({ kind: 'string', text, subject });
const bool = (value: boolean): Node => ({ kind: 'boolean', value });
const dict = (entries: readonly (readonly [string, Node])[]): Node => ({ kind: 'dict', entries });

function renderPlist(plan: ExportPlan, process: ExportProcess): string {
  const isRelease = process === plan.release;
  const of = (what: string): Subject => ({ what: `${what} of ${process.name}` });
  const env = [...ownEnv(process), ...plan.env].map(
    ({ key, value, origin }) => [key, str(value, { what: `the value of ${key}`, origin })] as const,
  );
  const path = `${plan.logDir ?? ''}/${labelOf(plan, process)}.log`;
  const log = str(path, { what: 'the log folder (-l)' });
  const entries: (readonly [string, Node])[] = [
    ['Label', str(labelOf(plan, process), of('the label'))],
    [
      'ProgramArguments',
      {
        kind: 'array',
        items: ['/bin/sh', '-c', process.script].map((word) => str(word, of('the command'))),
      },
    ],
    ['WorkingDirectory', str(plan.root, { what: 'the root folder' })],
    ...(plan.user === undefined ? [] : [['UserName', str(plan.user, { what: '-u' })] as const]),
    ['EnvironmentVariables', dict(env)],
    ['RunAtLoad', bool(!isRelease)],
    ...(isRelease ? [] : [['KeepAlive', dict([['SuccessfulExit', bool(false)]])] as const]),
    ['ExitTimeOut', { kind: 'integer', value: plan.graceSeconds }],
    ...(plan.logDir === undefined
      ? []
      : [['StandardOutPath', log] as const, ['StandardErrorPath', log] as const]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    renderNode(dict(entries), ''),
    '</plist>',
    '',
  ].join('\n');
}

function renderNode(node: Node, indent: string): string {
  const inner = `${indent}  `;
  switch (node.kind) {
    case 'string':
      return `${indent}<string>${textXml(node.text, node.subject)}</string>`;
    case 'boolean':
      return `${indent}<${node.value ? 'true' : 'false'}/>`;
    case 'integer':
      return `${indent}<integer>${node.value}</integer>`;
    case 'array':
      return wrap(
        indent,
        'array',
        node.items.map((item) => renderNode(item, inner)),
      );
    case 'dict':
      return wrap(
        indent,
        'dict',
        node.entries.map(
          ([key, value]) =>
            `${inner}<key>${textXml(key, { what: 'a key' })}</key>\n${renderNode(value, inner)}`,
        ),
      );
  }
}

function wrap(indent: string, tag: string, lines: readonly string[]): string {
  if (lines.length === 0) return `${indent}<${tag}/>`;
  return `${indent}<${tag}>\n${lines.join('\n')}\n${indent}</${tag}>`;
}
