// Start one tool with its stdout on a real pipe to us, and stop it without leaving anything
// behind. Peers may hang on SIGTERM or orphan their children (benchmark 3 counts them), so every stop is
// bounded, and whatever survives is killed by pid: only processes this harness started (the tool,
// its descendants as last seen, or processes carrying this run's unique marker).
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPipe } from './pipe.mjs';
import { descendantsOf, findByMarker, killAll, stillRunning } from './procfs.mjs';

/** Everything started and not yet cleaned up, so Ctrl-C or a crash of the harness cleans too. */
const live = new Set();

export function cleanupEverything() {
  for (const session of live) session.forceCleanup();
}
process.once('exit', cleanupEverything);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    cleanupEverything();
    process.kill(process.pid, signal);
  });
}

const STDERR_KEEP = 4096;

/**
 * Spawn `tool` with `args` in `cwd`. `marker` is a word that appears only in the argv of the
 * processes this run's Procfile starts (e.g. the `sleep 8123456` every line ends in).
 */
export function launch({ tool, args, cwd, marker, tmpDir }) {
  const pipe = openPipe(tmpDir);
  const env = { ...process.env };
  delete env.FORCE_COLOR; // all tools see a pipe and should print plain lines
  const child = spawn(tool.file, args, { cwd, env, stdio: ['ignore', pipe.writeFd, 'pipe'] });
  pipe.closeWriteEnd(); // else our own copy keeps the pipe open after the tool exits
  const startedAt = performance.now();
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => (stderr = (stderr + text).slice(-STDERR_KEEP)));
  let exit;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: performance.now() };
      resolve(exit);
    });
    child.once('error', (error) => {
      exit = { code: null, signal: null, error, at: performance.now() };
      resolve(exit);
    });
  });
  let known = [];
  const session = {
    pid: child.pid,
    startedAt,
    stream: pipe.stream,
    exited,
    get exit() {
      return exit;
    },
    stderrTail: () => stderr.trim(),
    /** Remember the current process tree: its members are ours to kill if they outlive us. */
    snapshot() {
      if (child.pid !== undefined && exit === undefined) {
        const seen = new Set(known.map((p) => p.pid));
        known = [...known, ...descendantsOf(child.pid).filter((p) => !seen.has(p.pid))];
      }
      return known;
    },
    /** Processes of this run that are still alive: remembered descendants and marked ones. */
    leftovers() {
      const marked = marker === undefined ? [] : findByMarker(marker);
      const seen = new Set(marked.map((p) => p.pid));
      return [...marked, ...stillRunning(known).filter((p) => !seen.has(p.pid))];
    },
    forceCleanup() {
      if (exit === undefined && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      const killed = killAll(session.leftovers());
      pipe.stream.destroy();
      live.delete(session);
      return killed;
    },
  };
  live.add(session);
  return session;
}

/**
 * SIGTERM the tool, wait up to `timeoutMs` for it to exit, then SIGKILL it; finally kill
 * whatever it left behind. Returns how the stop went.
 */
export async function stopTool(session, { timeoutMs = 10_000 } = {}) {
  session.snapshot();
  const sentAt = performance.now();
  if (session.exit === undefined) process.kill(session.pid, 'SIGTERM');
  // An unref'd timer: a stop that finished early must not keep the harness alive.
  const timeout = sleep(timeoutMs, undefined, { ref: false });
  const exit = await Promise.race([session.exited, timeout]);
  const hung = exit === undefined;
  await sleep(200); // let children that are merely slow to die go before counting them
  const leftovers = session.leftovers().length;
  const killed = session.forceCleanup();
  return { hung, exit: session.exit, leftovers, killed, stopMs: (exit?.at ?? sentAt) - sentAt };
}
