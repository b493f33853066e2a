/**
 * Mark a file descriptor close-on-exec, through libc's fcntl (koffi, an optional dependency):
 * Node cannot. node-pty 1.1.0 leaves a terminal's master without FD_CLOEXEC, so every process
 * spawned after it would inherit it, and a terminal whose master is open elsewhere never hangs
 * up on its session when we are gone (docs/interactive.md). Undefined where koffi cannot load.
 */
export type CloseOnExec = (fd: number) => void;

const F_SETFD = 2;
const FD_CLOEXEC = 1;
const LIBC: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libc.so.6',
  darwin: '/usr/lib/libSystem.B.dylib',
};

type Fcntl = (fd: number, command: number, type: 'int', value: number) => number;

export async function loadCloseOnExec(): Promise<CloseOnExec | undefined> {
  const path = LIBC[process.platform];
  if (path === undefined) return undefined;
  try {
    const koffi = (await import('koffi')).default;
    const fcntl = koffi.load(path).func('int fcntl(int fd, int cmd, ...)') as Fcntl;
    return (fd) => void fcntl(fd, F_SETFD, 'int', FD_CLOEXEC);
  } catch {
    return undefined; // not installed, no prebuilt binary, or musl without libc.so.6
  }
}
