import { readProcTable } from './tree.js';

/**
 * Adopt and reap what our processes leave behind, through libc (koffi, an optional dependency):
 * - as a child subreaper (prctl PR_SET_CHILD_SUBREAPER), double-forked daemons re-parent to
 *   us instead of init, so a stop still finds and ends them;
 * - orphans that exit become our zombies (or PID 1's, in a container): we reap exactly those
 *   with a targeted waitpid(pid). Never waitpid(-1): it steals Node's own children, whose
 *   'exit' then never fires (docs/signals.md, "Why it is built this way").
 * Where koffi cannot load, this is a no-op and docs/signals.md says what is lost.
 */
export type Reaper = Readonly<{
  /** Node's own children: libuv reaps them, so we must not (between spawn and 'exit'). */
  track: (pid: number) => void;
  untrack: (pid: number) => void;
  stop: () => void;
}>;

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

type Libc = Readonly<{
  prctl: (option: number, arg2: number, arg3: number, arg4: number, arg5: number) => number;
  waitpid: (pid: number, status: null, options: number) => number;
}>;

async function loadLibc(): Promise<Libc | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const koffi = (await import('koffi')).default;
    const libc = koffi.load('libc.so.6');
    return {
      prctl: libc.func(
        'int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)',
      ) as Libc['prctl'],
      waitpid: libc.func('int waitpid(int, void *, int)') as Libc['waitpid'],
    };
  } catch {
    return undefined; // not installed, no prebuilt binary, or musl without libc.so.6
  }
}

export async function startReaper(): Promise<Reaper | undefined> {
  const libc = await loadLibc();
  if (libc === undefined) return undefined;
  const nodeChildren = new Set<number>();
  // PID 1 adopts every orphan already; anyone else asks to adopt its own descendants' orphans.
  if (process.pid !== 1) libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  let isScanning = false;
  let again = false;
  const reap = async (): Promise<void> => {
    if (isScanning) {
      again = true;
      return;
    }
    isScanning = true;
    do {
      again = false;
      const table = (await readProcTable()) ?? [];
      for (const entry of table) {
        if (entry.ppid === process.pid && entry.state === 'Z' && !nodeChildren.has(entry.pid)) {
          libc.waitpid(entry.pid, null, WNOHANG);
        }
      }
    } while (again);
    isScanning = false;
  };
  const onChild = (): void => void reap();
  process.on('SIGCHLD', onChild);
  return {
    track: (pid) => nodeChildren.add(pid),
    untrack: (pid) => nodeChildren.delete(pid),
    stop: () => process.off('SIGCHLD', onChild),
  };
}
