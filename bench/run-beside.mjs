// The cost of `run true` beside a running `start` (issue 13, docs/run.md#drift): a `run` with
// a `start` running in its root takes a number from it, compares releases and reports its start
// and exit; with none running it must cost nothing measurable. Instruction counts of the main
// process (valgrind callgrind; they do not depend on this shared machine's load), median of
// --repeats, in four situations:
//
//   - no start running, and no control socket of ours anywhere (the common case of a deploy)
//   - a start running in ANOTHER root (our control folder holds a socket, not ours)
//   - a start running in the same root, same release (the round trips, no warning)
//   - the same, after an edit of .env (the drift warning is computed and printed)
//
// plus `node -e 0` for scale, and with --compare BIN another build's bin.js with no start
// running (e.g. main's, before this work).
//
//   npm run build && node bench/run-beside.mjs [--repeats 3] [--compare BIN] [--write]
//
// --write puts the results in docs/benchmarks.md, between markers.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeMarkedSection } from './lib/sections.mjs';
import { countInstructions } from './startup.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/bin.js');
const NODE = process.execPath;

const { values: flags } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    compare: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const repeats = Number(flags.repeats);
const log = (message) => process.stderr.write(`[run-beside] ${message}\n`);

function makeApp(parent, name) {
  const dir = join(parent, name);
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'Procfile'), 'web: sleep 3600\n');
  writeFileSync(join(dir, '.env'), 'APP_NAME=bench\nDATABASE_URL=postgres://localhost/bench\n');
  return dir;
}

/** A start in `cwd`, resolved once its control socket is there; stop() ends it. */
async function startIn(cwd, env) {
  const logFile = join(cwd, 'start.log');
  const out = openSync(logFile, 'w');
  const port = String(20_000 + Math.floor(Math.random() * 20_000));
  const child = spawn(NODE, [CLI, 'start', '-p', port], { cwd, env, stdio: ['ignore', out, out] });
  closeSync(out);
  const folder = join(env.XDG_RUNTIME_DIR, `foreman-ts-${process.getuid()}`);
  for (let i = 0; i < 200; i++) {
    if (existsSync(folder) && readdirSync(folder).some((name) => name.endsWith('.sock'))) break;
    if (child.exitCode !== null) throw new Error(`start ended: ${readFileSync(logFile, 'utf8')}`);
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    /** How many runs the formation's log announced: a run that timed out is not counted. */
    announced: () => (readFileSync(logFile, 'utf8').match(/ run\.\d+ exited/g) ?? []).length,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

function count(argv, cwd, env) {
  const previous = process.env.XDG_RUNTIME_DIR;
  process.env.XDG_RUNTIME_DIR = env.XDG_RUNTIME_DIR;
  try {
    return countInstructions({ argv, cwd, repeats });
  } finally {
    if (previous === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = previous;
  }
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'fts-beside-'));
  const env = { ...process.env, XDG_RUNTIME_DIR: join(tmp, 'xdg') };
  spawnSync('mkdir', ['-m', '0700', '-p', env.XDG_RUNTIME_DIR]);
  const app = makeApp(tmp, 'app');
  const other = makeApp(tmp, 'other');
  const run = [NODE, CLI, 'run', 'true'];
  const rows = [];
  const measure = (name, argv, cwd = app) => {
    log(`${name} (${repeats}x)`);
    rows.push({ name, instructions: count(argv, cwd, env) });
  };
  try {
    measure('`node -e 0`', [NODE, '-e', '0']);
    if (flags.compare !== undefined)
      measure('`run true` of --compare, no start running', [NODE, flags.compare, 'run', 'true']);
    measure('`run true`, no start running', run);
    const elsewhere = await startIn(other, env);
    measure('`run true`, a start running in another root', run);
    await elsewhere.stop();
    const beside = await startIn(app, env);
    measure('`run true`, a start running in its root (same release)', run);
    writeFileSync(join(app, '.env'), 'APP_NAME=bench2\nDATABASE_URL=postgres://localhost/bench\n');
    measure('`run true`, a start running in its root (.env edited: a warning)', run);
    log(`the start announced ${beside.announced()} of ${2 * repeats} runs`);
    rows.push({
      note: `The start in the root announced ${beside.announced()} of ${2 * repeats} runs (a run that gets no answer within 2 s goes on unannounced).`,
    });
    await beside.stop();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const section = render(rows);
  process.stdout.write(section);
  if (flags.write)
    writeMarkedSection({
      file: join(ROOT, 'docs', 'benchmarks.md'),
      name: 'run-beside',
      script: 'bench/run-beside.mjs --write',
      section,
    });
}

function render(rows) {
  const notes = rows.filter((row) => row.note !== undefined).map((row) => row.note);
  rows = rows.filter((row) => row.note === undefined);
  const floor = rows[0].instructions;
  const mine = rows.find((row) => row.name === '`run true`, no start running')?.instructions;
  const line = ({ name, instructions }) =>
    `| ${name} | ${(instructions / 1e6).toFixed(1)} M | ${(instructions / floor).toFixed(3)}× | ${
      mine === undefined ? '' : `${(((instructions - mine) / mine) * 100).toFixed(1)} %`
    } |`;
  return [
    '## `run true` beside a running `start` (issue 13)',
    '',
    `Instruction counts of the main process (valgrind callgrind, median of ${repeats};`,
    'load-independent, repeats within about 2 %). The last column is the difference from',
    '`run true` with no start running. A start "in another root" leaves a socket in our control folder,',
    'so `run` goes on to compute its own socket path (a SHA-256, which loads node:crypto) and',
    'finds none; a start in its root costs the round trips, the release comparison and the',
    "reports to the formation's log.",
    '',
    '| situation | instructions | × node -e 0 | vs no start |',
    '| --- | --- | --- | --- |',
    ...rows.map(line),
    '',
    ...notes.flatMap((note) => [note, '']),
    '```sh',
    'npm run build && node bench/run-beside.mjs --write',
    '```',
    '',
  ].join('\n');
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});
