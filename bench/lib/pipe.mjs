// A real pipe(7) between a tool's stdout and our reader. Node's `stdio: 'pipe'` is a Unix socket
// pair, whose buffering differs from the pipe a tool sees under `| cat`, a log shipper or a
// container runtime; a FIFO gives the real thing (64 KiB kernel buffer, pipe backpressure).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';

let serial = 0;

/** `writeFd` goes to the child as its stdout; `stream` is our end. Close `writeFd` after spawn. */
export function openPipe(dir) {
  const path = join(dir, `pipe-${process.pid}-${serial++}`);
  execFileSync('mkfifo', [path]);
  // The read end first, non-blocking, so opening the write end does not wait for a reader.
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  rmSync(path); // both ends are open: the name is no longer needed
  const stream = new Socket({ fd: readFd, readable: true, writable: false });
  return {
    writeFd,
    stream,
    closeWriteEnd: () => closeSync(writeFd),
  };
}
