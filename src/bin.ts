#!/usr/bin/env node
// First, before any other module is evaluated: a signal that lands while we load must not be
// lost (as PID 1 it would be dropped), so it queues until a command takes it. The build keeps
// this file small and cli/main.js in a file of its own (scripts/build.mjs): V8 parses a whole
// file before its first line runs, and the handlers must come as early as they can.
import { installSignalHandlers } from './signals.js';

const signals = installSignalHandlers();
void import('./cli/main.js')
  .then(({ main }) =>
    main(process.argv.slice(2), {
      cwd: process.cwd(),
      env: process.env,
      // Getters: creating the stdio streams costs ~3% of a start-up; `run` never writes stdout.
      get stdin() {
        return process.stdin;
      },
      get stdout() {
        return process.stdout;
      },
      get stderr() {
        return process.stderr;
      },
      signals,
      now: () => new Date(),
    }),
  )
  .then((code) => {
    process.exitCode = code;
  });
