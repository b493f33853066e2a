import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWords, eventually, testEnv, testPort, type TapTest } from './cli.js';

/**
 * A real terminal: tmux, driven with send-keys and read with capture-pane. Each terminal is
 * its own tmux server (its own socket), killed in the test's teardown with everything in it.
 */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export const skipWithoutTmux = hasTmux ? false : 'tmux is not installed';

/** A tap `skip` reason when a command the test drives (python3, ruby) is missing, else false. */
export function skipUnlessInstalled(...commands: string[]): string | false {
  const missing = commands.filter((name) => !isInstalled(name));
  return missing.length === 0 ? false : `not installed: ${missing.join(', ')}`;
}

function isInstalled(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export type Terminal = Readonly<{
  /** tmux key names (`Enter`, `C-c`) or words, as send-keys takes them, to the first window. */
  keys: (...keys: string[]) => void;
  keysTo: (window: string, ...keys: string[]) => void;
  /** Literal text, typed as is. */
  type: (text: string, window?: string) => void;
  /** The screen of a window (default: the first), with its scrollback. */
  screen: (window?: string) => string;
  /** The last line that is not empty: the input line, when one is shown. */
  bottom: (window?: string) => string;
  /** Wait until the screen matches; fails with the screen in the message. */
  waitFor: (pattern: RegExp, timeoutMs?: number, window?: string) => Promise<void>;
  resize: (columns: number, rows: number, window?: string) => void;
  /** Open another window running `foreman-ts ARGS`; its exit status lands in `dir/status-NAME`. */
  window: (name: string, args: string) => void;
  /** `EXIT=n` once the command of the first window (or of window `name`) has ended. */
  status: (window?: string) => string | undefined;
}>;

/**
 * Run `foreman-ts ARGS` (a shell fragment) in a fresh tmux terminal of `columns` x `rows`, in
 * `dir`, with the test's own XDG_RUNTIME_DIR and base port, and `env` added. Its exit status
 * lands in `dir/status` as `EXIT=n`.
 */
export function openTerminal(
  t: TapTest,
  {
    args,
    dir,
    env = {},
    columns = 150,
    rows = 40,
    jobControl = false,
  }: {
    args: string;
    dir: string;
    env?: Record<string, string>;
    columns?: number;
    rows?: number;
    /** Typed at an interactive bash (job control: Ctrl-Z, `fg`) instead of run by `bash -c`. */
    jobControl?: boolean;
  },
): Terminal {
  const socket = `fts-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const tmux = (...rest: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...rest], { encoding: 'utf8' });
  const own = { XDG_RUNTIME_DIR: testEnv(t).XDG_RUNTIME_DIR ?? '', ...env };
  const exports = Object.entries(own)
    .map(([key, value]) => `export ${key}='${value}'; `)
    .join('');
  const shell = (line: string): string =>
    `env -u TMUX bash --norc --noprofile -c '${exports}cd ${dir} && ${line}'`;
  const statusFile = (window?: string): string =>
    join(dir, window === undefined ? 'status' : `status-${window}`);
  const run = (cli: string, window?: string): string => {
    const port = cli.startsWith('start') ? ` -p ${testPort(t)}` : '';
    return `${cliWords()} ${cli}${port}; echo "EXIT=$?" > ${statusFile(window)}`;
  };
  const command = (cli: string, window?: string): string => `${run(cli, window)}; sleep 60`;
  const size = ['-x', String(columns), '-y', String(rows)];
  if (jobControl) {
    tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      ...size,
      "env -u TMUX PS1='$ ' bash --norc --noprofile -i",
    );
    // In a subshell, so that the status is written when it ends, not when it is suspended.
    tmux('send-keys', '-t', 'main:0', '-l', `${exports}cd ${dir} && (${run(args)})`);
    tmux('send-keys', '-t', 'main:0', 'Enter');
  } else tmux('new-session', '-d', '-s', 'main', ...size, shell(command(args)));
  // The window keeps the size we gave it, whatever clients come and go.
  tmux('set-option', '-t', 'main', 'window-size', 'manual');
  t.teardown(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });
  const target = (window = '0'): string => `main:${window}`;
  const screen = (window?: string): string =>
    tmux('capture-pane', '-p', '-S', '-2000', '-t', target(window));
  const bottom = (window?: string): string =>
    screen(window)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .at(-1) ?? '';
  return {
    keys: (...keys) => void tmux('send-keys', '-t', target(), ...keys),
    keysTo: (window, ...keys) => void tmux('send-keys', '-t', target(window), ...keys),
    type: (text, window) => void tmux('send-keys', '-t', target(window), '-l', text),
    screen,
    bottom,
    waitFor: async (pattern, timeoutMs = 20_000, window) => {
      if (await eventually(() => pattern.test(screen(window)), timeoutMs)) return;
      const last = screen(window).trimEnd().split('\n').slice(-30).join('\n');
      throw new Error(`timed out waiting for ${String(pattern)}; screen ends:\n${last}`);
    },
    resize: (columns, rows, window) =>
      void tmux('resize-window', '-t', target(window), '-x', String(columns), '-y', String(rows)),
    window: (name, cli) =>
      void tmux('new-window', '-t', 'main', '-n', name, shell(command(cli, name))),
    status: (window) => {
      const file = statusFile(window);
      return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
    },
  };
}
