/**
 * Which process gets what is typed in `start`'s terminal (docs/interactive.md). Pure: the
 * routing state, how prompts, exits and `~` commands change it, and the words for the changes.
 *
 * - Pinned (`--attach NAME`, `attach:` in `.foreman`, or typing `~NAME`): that process, always.
 * - Otherwise the input follows prompts: the process that has been waiting longest at a prompt
 *   (a partial line that stayed quiet), else the last process that had the input.
 */
export type Routing = Readonly<{
  pinned: string | undefined;
  /** Processes showing a prompt, in the order they began waiting. */
  waiting: readonly string[];
  /** The last process that had the input, for typing when nobody is at a prompt (irb on a pipe). */
  recent: string | undefined;
  alive: readonly string[];
}>;

export const NO_ROUTING: Routing = { pinned: undefined, waiting: [], recent: undefined, alive: [] };

/** Where a typed line goes now. */
export function targetOf(routing: Routing): string | undefined {
  return routing.pinned ?? routing.waiting[0] ?? routing.recent;
}

export function isWaiting(routing: Routing, name: string): boolean {
  return routing.waiting.includes(name);
}

export function started(routing: Routing, name: string): Routing {
  return routing.alive.includes(name) ? routing : { ...routing, alive: [...routing.alive, name] };
}

export function ended(routing: Routing, name: string): Routing {
  return {
    ...routing,
    waiting: routing.waiting.filter((each) => each !== name),
    recent: routing.recent === name ? undefined : routing.recent,
    alive: routing.alive.filter((each) => each !== name),
  };
}

/** `name` shows a prompt and waits. */
export function prompted(routing: Routing, name: string): Routing {
  if (routing.waiting.includes(name)) return routing;
  return { ...routing, waiting: [...routing.waiting, name] };
}

/** `name` printed a whole line: it is no longer at its prompt. */
export function resumed(routing: Routing, name: string): Routing {
  if (!routing.waiting.includes(name)) return routing;
  return { ...routing, waiting: routing.waiting.filter((each) => each !== name) };
}

/** A line was sent to `name`: it keeps the input while nobody else waits at a prompt. */
export function answered(routing: Routing, name: string): Routing {
  return { ...resumed(routing, name), recent: name };
}

export function pin(routing: Routing, name: string | undefined): Routing {
  return { ...routing, pinned: name, recent: name ?? routing.recent };
}

/** What a submitted line means: text for a process, or one of our `~` commands. */
export type TypedLine =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'pin'; readonly name: string }
  | { readonly kind: 'follow' }
  | { readonly kind: 'help' };

/**
 * A line starting with `~` is ours, as in ssh: `~NAME` sends input to NAME, `~-` follows
 * prompts again, `~?` (or `~` alone) explains. `~~` sends a line that starts with one `~`.
 */
export function parseTypedLine(line: string): TypedLine {
  if (!line.startsWith('~')) return { kind: 'text', text: line };
  if (line.startsWith('~~')) return { kind: 'text', text: line.slice(1) };
  const word = line.slice(1).trim();
  if (word === '' || word === '?') return { kind: 'help' };
  if (word === '-') return { kind: 'follow' };
  return { kind: 'pin', name: word };
}

/** `web.2` is itself; `web` is its first instance that runs (web.1 usually). */
export function resolveInputName(name: string, names: readonly string[]): string | undefined {
  if (names.includes(name)) return name;
  return names
    .filter((each) => each.slice(0, each.lastIndexOf('.')) === name)
    .sort((a, b) => instanceOf(a) - instanceOf(b))[0];
}

function instanceOf(name: string): number {
  return Number(name.slice(name.lastIndexOf('.') + 1));
}

export function describeTarget(routing: Routing): string {
  const target = targetOf(routing);
  if (routing.pinned !== undefined)
    return `typing goes to ${routing.pinned} (~- to follow prompts)`;
  if (target === undefined) return 'typing goes to the process that shows a prompt';
  return `typing goes to ${target}, which ${isWaiting(routing, target) ? 'shows a prompt' : 'had it last'}`;
}

export function describeHelp(routing: Routing): string {
  const names = routing.alive.join(', ');
  return (
    `${describeTarget(routing)}. ~NAME sends it to NAME (${names}); ~- follows prompts; ` +
    '~~ starts a line with ~; Ctrl-C stops everything'
  );
}

export function describeWaiting(name: string, routing: Routing): string {
  return `${name} is waiting for input; ${describeTarget(routing)}; type ~${name} to answer it`;
}
