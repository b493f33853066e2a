// A starting gun for generators: each Procfile line begins with `cat <gun> >/dev/null`, which
// blocks on a FIFO until we open and close its write end. Then every generator starts at the
// same moment, after the tool has finished starting up, so the clock measures relaying alone.
// It also avoids a Ruby foreman 0.87.2 deadlock: its spawn loop writes "started with pid" into
// each child's pipe before any thread reads them (engine.rb 362-378), so a child that fills its
// 64 KiB pipe that early hangs foreman for ever (seen here with `seq` starting at once).
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcTable } from './procfs.mjs';

export function makeGun(dir) {
  const path = join(dir, 'start-gun');
  execFileSync('mkfifo', [path]);
  const waiting = () =>
    readProcTable().filter((p) => p.state !== 'Z' && p.argv[0] === 'cat' && p.argv[1] === path)
      .length;
  return {
    path,
    waiting,
    /** Wait until `count` generators are blocked on the gun (or `timeoutMs` passes). */
    async ready(count, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (waiting() < count) {
        if (performance.now() > deadline) return false;
        await sleep(50);
      }
      return true;
    },
    /** Release every waiting generator; again if one opened the FIFO just after we closed it. */
    async fire() {
      for (let attempt = 0; attempt < 100 && waiting() > 0; attempt++) {
        try {
          closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // ENXIO: no reader has the FIFO open at this instant; look again
        }
        await sleep(20);
      }
    },
  };
}
