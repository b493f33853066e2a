// The least an ESM Node CLI can do for `run true`: import child_process, spawn the command
// with inherited stdio, exit with its code. A reference row for the start-up benchmark: the gap
// between `node -e 0` and this is Node's own cost of the ESM loader and a spawn, which no
// amount of work in src/ can remove.
import { spawn } from 'node:child_process';

const [file = 'true', ...args] = process.argv.slice(2);
spawn(file, args, { stdio: 'inherit' }).once('exit', (code) => {
  process.exitCode = code ?? 1;
});
