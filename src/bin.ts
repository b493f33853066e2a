#!/usr/bin/env node
// First, before any other import is evaluated: a signal that lands while we load must not be
// lost (as PID 1 it would be dropped), so it queues until a command takes it.
import { installSignalHandlers } from './signals.js';

const signals = installSignalHandlers();
const { main } = await import('./cli/main.js');
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signals,
  now: () => new Date(),
});
