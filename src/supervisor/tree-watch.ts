import { setTimeout as sleep } from 'node:timers/promises';
import { livingDescendants } from './tree.js';

const WATCH_INTERVAL_MS = 50;
/** After SIGKILL, a process still alive this long is stuck in the kernel: stop waiting for it. */
const KILL_WAIT_MS = 3000;

export type TreeWatch = Readonly<{
  /** Start polling (once; later calls do nothing). */
  start: () => void;
  /** SIGKILL was sent: from now on, what lives past the wait is stuck. */
  startKillWait: () => void;
  stop: () => void;
}>;

/**
 * Poll /proc until no descendant of ours is alive (zombies do not count): only then is a stop
 * complete. What outlives SIGKILL by KILL_WAIT_MS is reported as stuck, for the reducer to
 * decide. Without /proc (macOS), the tree is empty when our own children are gone.
 */
export function createTreeWatch({
  now,
  hasChildren,
  onEmpty,
  onStuck,
}: {
  now: () => number;
  hasChildren: () => boolean;
  onEmpty: () => void;
  onStuck: (pids: readonly number[]) => void;
}): TreeWatch {
  let isWatching = false;
  let isStopped = false;
  let killDeadline = Number.POSITIVE_INFINITY;
  const watch = async (): Promise<void> => {
    while (!isStopped) {
      const living = await livingDescendants();
      const isEmpty = living === undefined ? !hasChildren() : living.length === 0;
      if (isEmpty) return onEmpty();
      if (now() > killDeadline) return onStuck((living ?? []).map((entry) => entry.pid));
      await sleep(WATCH_INTERVAL_MS);
    }
  };
  return {
    start: () => {
      if (isWatching) return;
      isWatching = true;
      void watch();
    },
    startKillWait: () => (killDeadline = now() + KILL_WAIT_MS),
    stop: () => (isStopped = true),
  };
}
