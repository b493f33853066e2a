import { OPTION_LIST, envTwinOf, type CommandName } from '../core/options.js';

const USAGE: Readonly<Record<CommandName, readonly [string, string]>> = {
  start: [
    'start [options] [TYPE...]',
    'Run the formation: every process type in the Procfile (or the TYPEs named).',
  ],
  run: [
    'run [options] COMMAND [ARGS...]',
    'Run a one-off admin process in the same release as start. COMMAND may name a process type.',
  ],
  check: ['check [options]', 'Validate the Procfile, env files and .foreman; list every problem.'],
  env: [
    'env [options] [PROCESS]',
    'Print the release environment, as run gets it or as PROCESS (web.1) would.',
  ],
  export: ['export [options] FORMAT [DIR]', 'Write files for another process manager.'],
  status: ['status [--json]', 'Show the processes of the start running in this root.'],
  restart: [
    'restart NAME|NAME.N...',
    'Restart processes of the running start (also starts stopped ones).',
  ],
  stop: ['stop NAME|NAME.N...', 'Stop processes of the running start; they stay stopped.'],
  scale: ['scale TYPE=N[,TYPE=N]', 'Change the formation of the running start.'],
  quit: ['quit', 'Stop everything gracefully and end the running start.'],
  attach: [
    'attach NAME|NAME.N',
    'Show a process of the running start and type to it, from another terminal; Ctrl-] detaches.',
  ],
};

export function formatHelp(topic: CommandName | undefined): string {
  if (topic === undefined) return overview();
  const [usage, summary] = USAGE[topic];
  const options = OPTION_LIST.filter(({ spec }) => spec.commands.includes(topic));
  const lines = options.map(({ long, spec }) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.arg === undefined ? '' : ` ${spec.arg}`;
    const left = `  ${short}--${long}${value}`;
    return `${left.padEnd(30)} ${spec.helpIn?.[topic] ?? spec.help}`;
  });
  const layered = options.filter(({ spec }) => spec.layered).map(envTwinOf);
  return [
    `Usage: foreman-ts ${usage}`,
    '',
    summary,
    '',
    'Options:',
    ...lines,
    `  ${'-h, --help'.padEnd(28)} show this help`,
    '',
    layered.length > 0
      ? `Defaults come from .foreman (YAML, same names with "_") and ${layered.length > 1 ? 'variables' : 'the variable'} ${layered.join(', ')}; flags win.`
      : '',
  ].join('\n');
}

function overview(): string {
  return [
    'Usage: foreman-ts COMMAND [options]',
    '',
    'A Procfile-driven process manager with first-class admin processes.',
    '',
    'Commands:',
    ...Object.entries(USAGE).map(([, [usage, summary]]) => `  ${usage.padEnd(34)} ${summary}`),
    `  ${'help [COMMAND]'.padEnd(34)} Show help for a command.`,
    `  ${'version'.padEnd(34)} Print the version.`,
    '',
    'Docs: docs/ in the package (procfile.md, env.md, start.md, run.md, export.md).',
  ].join('\n');
}
