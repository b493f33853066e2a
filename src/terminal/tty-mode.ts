import { readFileSync } from 'node:fs';
import { emitKeypressEvents } from 'node:readline';
import type { Key } from '../core/line-editor.js';

/** Our terminal's input side, as node's tty.ReadStream has it. */
export type TerminalInput = NodeJS.ReadableStream &
  Readonly<{ setRawMode: (mode: boolean) => unknown; isTTY?: boolean }>;

export type KeyReader = Readonly<{
  /** Suspend us as the terminal's Ctrl-Z would (keys come as bytes in raw mode). */
  suspend: () => void;
  close: () => void;
}>;

/**
 * Read keys from our terminal in raw mode, so the line being typed is ours to draw: keys come
 * one by one, and Ctrl-C, Ctrl-\\ and Ctrl-Z as bytes (the line editor turns them back into
 * signals). See holdRawMode for when the terminal is ours.
 */
export function readKeys({
  stdin,
  onKey,
  onResume,
}: {
  stdin: TerminalInput;
  onKey: (key: Key) => void;
  onResume: () => void;
}): KeyReader {
  const keypress = (_text: string | undefined, key: Key | undefined): void => {
    if (key !== undefined) onKey(key);
  };
  emitKeypressEvents(stdin);
  stdin.on('keypress', keypress);
  const raw = holdRawMode({ stdin, onResume });
  return {
    suspend: raw.suspend,
    close: () => {
      stdin.off('keypress', keypress);
      raw.close();
    },
  };
}

/**
 * Our terminal in raw mode while we are its foreground job: a background `start &` that read
 * or changed the terminal would be stopped by SIGTTIN/SIGTTOU. The terminal is restored when
 * we stop reading, when we are suspended (and raw again when continued), and at exit whatever
 * the cause.
 */
export function holdRawMode({
  stdin,
  onResume,
}: {
  stdin: TerminalInput;
  onResume: () => void;
}): KeyReader {
  let isRaw = false;
  const enter = (): void => {
    if (isRaw || !isForeground()) return;
    stdin.setRawMode(true);
    stdin.resume();
    isRaw = true;
  };
  // A job started in the background (`start &`) and brought back with `fg` is not always
  // sent SIGCONT (bash sends it only to stopped jobs): look again now and then.
  const poll = setInterval(() => {
    if (!isRaw && isForeground()) resumed();
  }, FOREGROUND_POLL_MS);
  poll.unref();
  const leave = (): void => {
    if (!isRaw) return;
    stdin.setRawMode(false);
    stdin.pause();
    isRaw = false;
  };
  const resumed = (): void => {
    enter();
    onResume();
  };
  process.on('SIGCONT', resumed);
  process.on('exit', leave);
  enter();
  return {
    suspend: () => {
      leave();
      // To our whole process group, as the terminal's own Ctrl-Z: under `npm run dev` or a
      // script that did not exec us, the shell waits on our parent, which must stop too to
      // give the shell its terminal back. Our processes have groups of their own.
      process.kill(0, 'SIGTSTP');
    },
    close: () => {
      clearInterval(poll);
      process.off('SIGCONT', resumed);
      process.off('exit', leave);
      leave();
    },
  };
}

const FOREGROUND_POLL_MS = 1000;

/** Whether our process group owns the terminal (/proc/self/stat: pgrp and tpgid). */
function isForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[2] === fields[5];
  } catch {
    return true; // no /proc: assume a plain foreground run
  }
}
