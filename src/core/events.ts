import { formatArgv } from './admin.js';
import { describe, type Outcome } from './outcome.js';
import { describeProbe, type ReadyProbe } from './policy.js';
import { formatRelease } from './release-id.js';
import { maskText } from './secrets.js';
import { describeSpawnFailure } from './spawn-failure.js';

/**
 * What the supervisor has to say, as values: text mode words them (`describeEvent`), JSON mode
 * prints their fields. The core decides *that* something is said, never how it is written.
 */
export type StopCause =
  | { readonly kind: 'exit'; readonly process: string }
  | { readonly kind: 'signal'; readonly signal: string }
  | { readonly kind: 'output-lost'; readonly error: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'not-ready'; readonly process: string }
  | { readonly kind: 'spawn-failed'; readonly process: string };

/**
 * How long the rest of a process's group lived on after it: still running (it ended on its
 * own), until they ended after it, or until our SIGKILL (a shell died, its app ignored SIGTERM).
 */
export type LingeredUntil = 'running' | 'ended' | 'sigkill';
export type Lingered = Readonly<{ count: number; until: LingeredUntil }>;

export type SystemEvent =
  | {
      readonly event: 'started';
      readonly process: string;
      readonly pid: number;
      readonly port?: number;
    }
  | {
      readonly event: 'exited';
      readonly process: string;
      readonly outcome: Outcome;
      /** Other processes of its group, alive when its own process ended. */
      readonly lingered?: number;
      readonly lingeredUntil?: LingeredUntil;
    }
  | { readonly event: 'stopping'; readonly cause: StopCause; readonly signal: string }
  | {
      readonly event: 'killing';
      readonly count: number;
      readonly graceMs: number;
      readonly isEarly: boolean;
    }
  | { readonly event: 'stuck'; readonly pids: readonly number[] }
  | { readonly event: 'release'; readonly code: number }
  | { readonly event: 'ready'; readonly process: string }
  | {
      readonly event: 'not-ready';
      readonly process: string;
      readonly timeoutMs: number;
      readonly probe: ReadyProbe;
    }
  | {
      readonly event: 'restarting';
      readonly process: string;
      readonly delayMs: number;
      readonly attempt: number;
    }
  | {
      readonly event: 'gave-up';
      readonly process: string;
      /** Crashes within the window, this last one included: one more than the restarts. */
      readonly crashes: number;
      readonly restarts: number;
      readonly windowMs: number;
    }
  | {
      readonly event: 'could-not-start';
      readonly process: string;
      readonly errno: string;
      /** What the system said, when `errno` is one we do not know. */
      readonly message?: string;
      /** A shortage: it is tried again after this long. */
      readonly delayMs?: number;
      /** Given up: this many failures within `windowMs`. */
      readonly failures?: number;
      readonly windowMs?: number;
    }
  | { readonly event: 'control'; readonly action: string; readonly targets: readonly string[] }
  | { readonly event: 'forwarded'; readonly signal: string; readonly targets: readonly string[] }
  | { readonly event: 'warning'; readonly message: string }
  /** Where typed input goes, in `start`'s terminal (docs/interactive.md). */
  | { readonly event: 'notice'; readonly message: string }
  /** The release `start` runs, once at the top (docs/run.md#releases). */
  | {
      readonly event: 'release-identity';
      readonly release: string;
      readonly commit: string | null;
      readonly dirty: boolean | null;
    }
  | (AdminFacts & {
      readonly event: 'run-started';
      readonly pid: number;
      readonly detached: boolean;
    })
  | (AdminFacts & {
      readonly event: 'run-exited';
      readonly pid: number;
      readonly outcome: Outcome;
      readonly durationMs: number;
      readonly detached: boolean;
    })
  | (AdminFacts & { readonly event: 'run-refused' });

/**
 * An admin process in the log stream (docs/run.md#the-audit-trail): who ran what, against
 * which release, and what differed from the formation's ('' when nothing did).
 */
export type AdminFacts = Readonly<{
  process: string;
  argv: readonly string[];
  user: string;
  release: string;
  drift: string;
}>;

export function describeEvent(event: SystemEvent): string {
  switch (event.event) {
    case 'started':
      return `${event.process} started with pid ${event.pid}${event.port ? ` (PORT=${event.port})` : ''}`;
    case 'exited':
      return `${event.process} ${describe(event.outcome)}${describeLingered(event)}`;
    case 'stopping':
      return `${describeCause(event.cause)}: sending ${event.signal} to all processes`;
    case 'killing':
      return describeKilling(event);
    case 'stuck':
      return `processes ${event.pids.join(', ')} survived SIGKILL (uninterruptible?); giving up on them`;
    case 'release':
      return event.code === 0
        ? 'release phase succeeded: starting the formation'
        : `release phase failed with code ${event.code}: not starting the formation`;
    case 'ready':
      return `${event.process} ready`;
    case 'not-ready':
      return `${event.process} not ready after ${formatSeconds(event.timeoutMs)} (waited until ${describeProbe(event.probe)})`;
    case 'restarting':
      return `${event.process} restarting in ${formatSeconds(event.delayMs)} (restart ${event.attempt})`;
    case 'gave-up':
      return `${event.process} crashed ${event.crashes} times within ${formatSeconds(event.windowMs)} (restarted ${event.restarts} times): giving up on restarts`;
    case 'could-not-start':
      return describeCouldNotStart(event);
    case 'control':
      return `${event.action} ${event.targets.join(', ')} (requested)`;
    case 'forwarded':
      return `${event.signal} received: forwarding it to ${event.targets.join(', ')}`;
    case 'warning':
    case 'notice':
      // Warnings carry system messages, which may quote a command or a URL.
      return maskText(event.message);
    case 'release-identity':
      return `release ${formatRelease({ id: event.release, commit: event.commit, dirty: event.dirty })}`;
    case 'run-started':
      return describeRunStarted(event);
    case 'run-exited':
      return `${event.process} ${describe(event.outcome)}`;
    case 'run-refused':
      return `${event.process} refused (strict release): ${formatArgv(event.argv)}${driftOf(event)}`;
  }
}

function describeKilling(event: Extract<SystemEvent, { event: 'killing' }>): string {
  const why = event.isEarly
    ? 'second signal'
    : `still running after ${formatSeconds(event.graceMs)}`;
  return `${why}: sending SIGKILL to ${event.count} process${event.count === 1 ? '' : 'es'}`;
}

function describeRunStarted(event: Extract<SystemEvent, { event: 'run-started' }>): string {
  const how = `pid ${event.pid}${event.detached ? ', detached' : ''}`;
  return `${event.process} started: ${formatArgv(event.argv)} (${how})${driftOf(event)}`;
}

function driftOf({ release, drift }: AdminFacts): string {
  return drift === '' ? '' : `; its release ${release} is not the formation's: ${drift}`;
}

const LINGERED_UNTIL: Readonly<Record<LingeredUntil, string>> = {
  running: 'still running',
  ended: 'ended after it',
  sigkill: 'ran on until SIGKILL',
};

function describeLingered({
  lingered,
  lingeredUntil,
}: Extract<SystemEvent, { event: 'exited' }>): string {
  if (lingered === undefined || lingeredUntil === undefined) return '';
  const processes = lingered === 1 ? '1 more process' : `${lingered} more processes`;
  return `; ${processes} of its group ${LINGERED_UNTIL[lingeredUntil]}`;
}

function describeCouldNotStart(event: Extract<SystemEvent, { event: 'could-not-start' }>): string {
  const { errno, message } = event;
  // The system's words may quote the command, which may hold a secret.
  const reason = maskText(
    describeSpawnFailure(message === undefined ? { errno } : { errno, message }),
  );
  if (event.delayMs !== undefined)
    return `${event.process} could not start: ${reason}; trying again in ${formatSeconds(event.delayMs)}`;
  if (event.failures !== undefined && event.windowMs !== undefined)
    return `${event.process} could not start ${event.failures} times within ${formatSeconds(event.windowMs)}: ${reason}; giving up`;
  return `${event.process} could not start: ${reason}`;
}

function describeCause(cause: StopCause): string {
  switch (cause.kind) {
    case 'exit':
      return `${cause.process} ended`;
    case 'signal':
      return `${cause.signal} received`;
    case 'output-lost':
      return isOutputClosed(cause.error) ? 'output closed' : `output failed (${cause.error})`;
    case 'quit':
      return 'quit requested';
    case 'not-ready':
      return `${cause.process} never became ready`;
    case 'spawn-failed':
      return `${cause.process} could not start`;
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * Our stdout was closed by its reader (`start | head`): a normal end for a pipeline member,
 * which SIGPIPE would have ended quietly. Any other write error (a full disk) lost output the
 * user wanted.
 */
export function isOutputClosed(error: string): boolean {
  return error === 'EPIPE' || error === 'ECONNRESET';
}

const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

/** The line `start` ends with when its stdout failed for a reason other than a closed pipe. */
export function describeOutputFailure(error: string): string {
  const meaning = WRITE_ERRORS[error];
  const what = meaning === undefined ? error : `${error}: ${meaning}`;
  return `could not write to stdout (${what}): stopped every process; the output from then on is lost`;
}
