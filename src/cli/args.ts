import { UsageError } from '../errors.js';
import {
  COMMANDS,
  findOption,
  setOption,
  type CommandName,
  type Flags,
  type MutableFlags,
  type Option,
} from '../core/options.js';

/** What the user asked for, typed. Pure: argv in, Invocation out (throws UsageError). */
export type Invocation =
  | { readonly command: 'start'; readonly flags: Flags; readonly names: readonly string[] }
  | { readonly command: 'run'; readonly flags: Flags; readonly argv: readonly string[] }
  | { readonly command: 'check'; readonly flags: Flags }
  | { readonly command: 'env'; readonly flags: Flags; readonly process: string | undefined }
  | {
      readonly command: 'export';
      readonly flags: Flags;
      readonly format: string;
      readonly dir: string | undefined;
    }
  | { readonly command: 'status' | 'quit'; readonly flags: Flags }
  | {
      readonly command: 'restart' | 'stop';
      readonly flags: Flags;
      readonly targets: readonly string[];
    }
  | { readonly command: 'scale'; readonly flags: Flags; readonly formation: string }
  | { readonly command: 'attach'; readonly flags: Flags; readonly target: string }
  | { readonly command: 'help'; readonly topic: CommandName | undefined }
  | { readonly command: 'version' };

type Parsed = { flags: MutableFlags; positionals: string[]; wantsHelp: boolean };

export function parseInvocation(argv: readonly string[]): Invocation {
  const commandAt = findCommand(argv);
  const before = argv.slice(0, commandAt === -1 ? argv.length : commandAt);
  if (before.includes('-v') || before.includes('--version') || before.includes('-V'))
    return { command: 'version' };
  if (commandAt === -1) {
    if (before.includes('-h') || before.includes('--help') || argv.length === 0)
      return { command: 'help', topic: undefined };
    const stray = before.find((arg) => !arg.startsWith('-'));
    throw unknownCommand(stray ?? before[0] ?? '');
  }
  const name = argv[commandAt] ?? '';
  if (name === 'help') return { command: 'help', topic: helpTopic(argv[commandAt + 1]) };
  if (name === 'version') return { command: 'version' };
  const command = asCommand(name);
  if (command === undefined) throw unknownCommand(name);
  const parsed = parseOptions(command, [...before, ...argv.slice(commandAt + 1)]);
  if (parsed.wantsHelp) return { command: 'help', topic: command };
  return build(command, parsed);
}

/** The first word that is not an option or an option's value. */
function findCommand(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') return index;
    if (arg === '--') return index + 1 < argv.length ? index + 1 : -1;
    if (takesValue(arg)) index += 1;
  }
  return -1;
}

function takesValue(arg: string): boolean {
  if (arg.includes('=')) return false;
  const option = arg.startsWith('--')
    ? findOption(arg.slice(2))
    : arg.length === 2
      ? findOption(arg.slice(1))
      : undefined;
  return option?.spec.arg !== undefined;
}

/** `help COMMAND`; `help`, `help help` and `help version` show the overview. */
function helpTopic(name: string | undefined): CommandName | undefined {
  if (name === undefined || name === 'help' || name === 'version') return undefined;
  const topic = asCommand(name);
  if (topic === undefined) throw unknownCommand(name);
  return topic;
}

function asCommand(name: string | undefined): CommandName | undefined {
  return COMMANDS.find((command) => command === name);
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command "${name}"`,
    `commands: ${COMMANDS.join(', ')}, help, version`,
  );
}

function parseOptions(command: CommandName, args: readonly string[]): Parsed {
  const parsed: Parsed = { flags: {}, positionals: [], wantsHelp: false };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      parsed.positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      // Options end at run's COMMAND: everything after it belongs to the command.
      if (command === 'run') {
        parsed.positionals.push(...args.slice(index + 1));
        break;
      }
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      parsed.wantsHelp = true;
      continue;
    }
    index += readOption(command, arg, args[index + 1], parsed.flags);
  }
  return parsed;
}

/** Read one option (and maybe its value); returns how many extra arguments it used. */
function readOption(
  command: CommandName,
  arg: string,
  following: string | undefined,
  flags: MutableFlags,
): number {
  const isLong = arg.startsWith('--');
  const eq = arg.indexOf('=');
  const rawName = isLong ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1, 2);
  const negated = isLong && rawName.startsWith('no-') && findOption(rawName) === undefined;
  const name = negated ? rawName.slice(3) : rawName;
  const option = findOption(name);
  if (option === undefined || (isLong ? option.long : option.spec.short) !== name) {
    throw new UsageError(
      `unknown option "${isLong ? `--${rawName}` : arg}"`,
      `see "foreman-ts ${command} --help"`,
    );
  }
  const { long, spec } = option;
  if (!spec.commands.includes(command)) {
    throw new UsageError(
      `--${long} does not apply to "${command}"`,
      `see "foreman-ts ${command} --help"`,
    );
  }
  if (spec.arg === undefined) {
    if (!isLong && arg.length > 2) throw new UsageError(`"-${name}" takes no value, got "${arg}"`);
    if (eq !== -1) return store(option, flags, arg.slice(eq + 1), `--${long}`, 0);
    return store(option, flags, !negated, arg, 0);
  }
  if (negated) throw new UsageError(`--no-${long} is not an option`, `--${long} takes a value`);
  const inline = isLong
    ? eq === -1
      ? undefined
      : arg.slice(eq + 1)
    : arg.length > 2
      ? arg.slice(2)
      : undefined;
  if (inline !== undefined) return store(option, flags, inline, arg, 0);
  if (following === undefined) throw new UsageError(`${arg} needs a value (${spec.arg})`);
  return store(option, flags, following, arg, 1);
}

function store(
  option: Option,
  flags: MutableFlags,
  raw: string | boolean,
  label: string,
  used: number,
): number {
  const coerced = setOption(flags, option.key, raw);
  if (!coerced.ok) throw new UsageError(`${label} must be ${coerced.expected}, got "${raw}"`);
  return used;
}

function build(command: CommandName, { flags, positionals }: Parsed): Invocation {
  const typed: Flags = flags;
  switch (command) {
    case 'start':
      return { command, flags: typed, names: positionals };
    case 'run':
      return { command, flags: typed, argv: need(command, positionals, Infinity) };
    case 'check':
    case 'status':
    case 'quit':
      noMore(command, positionals, 0);
      return { command, flags: typed };
    case 'env':
      noMore(command, positionals, 1);
      return { command, flags: typed, process: positionals[0] };
    case 'export': {
      const [format, dir] = need(command, positionals, 2);
      return { command, flags: typed, format, dir };
    }
    case 'restart':
    case 'stop':
      return { command, flags: typed, targets: need(command, positionals, Infinity) };
    case 'scale':
      return { command, flags: typed, formation: need(command, positionals, 1)[0] };
    case 'attach':
      return { command, flags: typed, target: need(command, positionals, 1)[0] };
  }
}

/** What each command cannot do without, and an example of it. */
const NEEDS = {
  run: ['a command', '"foreman-ts run node migrate.js" or "foreman-ts run web"'],
  export: ['a FORMAT', '"foreman-ts export systemd ./out"'],
  restart: ['a process', '"foreman-ts restart web" or "restart web.2"'],
  stop: ['a process', '"foreman-ts stop web" or "stop web.2"'],
  scale: ['a formation', '"foreman-ts scale web=3,worker=0"'],
  attach: ['a process', '"foreman-ts attach web"'],
} as const;

/** At least one positional and at most `max`, or a usage error with an example. */
function need(
  command: keyof typeof NEEDS,
  positionals: readonly string[],
  max: number,
): [string, ...string[]] {
  noMore(command, positionals, max);
  const [first, ...rest] = positionals;
  const [what, example] = NEEDS[command];
  if (first === undefined) throw new UsageError(`${command} needs ${what}`, `e.g. ${example}`);
  return [first, ...rest];
}

function noMore(command: CommandName, positionals: readonly string[], max: number): void {
  if (positionals.length > max) {
    throw new UsageError(
      `unexpected argument "${positionals[max] ?? ''}" for ${command}`,
      `see "foreman-ts ${command} --help"`,
    );
  }
}
