// The tools under comparison and how each is spelled. All run in the app folder, so every one
// reads the same `./Procfile` and `.env` by default and no tool needs its -f/-j flag.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function whichOf(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function versionOf(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 30_000 }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/**
 * Each tool: how to start a formation and how to run a one-off command. `formation` is a
 * `name=count` string or undefined (one of each). Peers that are missing come back with a reason.
 */
export function detectTools(repoRoot) {
  const ours = join(repoRoot, 'dist', 'bin.js');
  const ruby = process.env.BENCH_RUBY_FOREMAN ?? whichOf('foreman');
  const nf =
    process.env.BENCH_NF ??
    [whichOf('nf'), '/tmp/peers/node_modules/.bin/nf'].find((f) => f && existsSync(f));
  return [
    {
      id: 'foreman-ts',
      file: process.execPath,
      display: 'node dist/bin.js',
      version: versionOf(process.execPath, [ours, '--version']),
      missing: existsSync(ours) ? undefined : `${ours} not built (run npm run build)`,
      startArgs: (formation) => [ours, 'start', ...(formation ? ['-m', formation] : [])],
      runArgs: (cmd) => [ours, 'run', ...cmd],
    },
    {
      id: 'ruby foreman',
      file: ruby,
      display: 'foreman',
      version: ruby && versionOf(ruby, ['version']),
      missing: ruby ? undefined : 'foreman not on PATH (Debian: apt-get install ruby-foreman)',
      // Ruby foreman takes its options after the subcommand.
      startArgs: (formation) => ['start', ...(formation ? ['-m', formation] : [])],
      runArgs: (cmd) => ['run', ...cmd],
    },
    {
      id: 'nf',
      file: nf,
      display: 'nf',
      version: nf && versionOf(nf, ['--version']),
      missing: nf ? undefined : 'nf not found (npm install foreman; or set BENCH_NF)',
      // node-foreman takes the formation as a positional `name=count` list.
      startArgs: (formation) => ['start', ...(formation ? [formation] : [])],
      // `--` so that flags of the command are not taken as nf's own (no-op for `true`).
      runArgs: (cmd) => ['run', '--', ...cmd],
    },
  ];
}

/** The command line as a reader would type it, for the report. */
export function displayCommand(tool, args) {
  const shown = tool.id === 'foreman-ts' ? args.slice(1) : args;
  return [tool.display, ...shown.map(quote)].join(' ');
}

function quote(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
