import { RESET } from './palette.js';

/**
 * The bottom line of `start`'s terminal: a process's prefix, its prompt, and what is being
 * typed (docs/interactive.md). Pure. It always fits one row (long input scrolls sideways, as
 * in ksh or zsh), so erasing it before other lines are printed is one `\r` + erase-line, with
 * no guess about how the terminal wrapped it.
 */
export type InputLine = Readonly<{ text: string; column: number }>;

/** CSI sequences: colours (`\e[1m`) are kept in a prompt, cursor moves are not. */
// eslint-disable-next-line no-control-regex
const CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const MIN_TEXT = 10;

export function formatInputLine({
  prefix,
  prompt,
  text,
  cursor,
  columns,
}: {
  prefix: string;
  prompt: string;
  text: string;
  cursor: number;
  columns: number;
}): InputLine {
  const width = Math.max(MIN_TEXT + 1, columns - 1);
  const prefixWidth = visibleWidth(prefix);
  const isPrefixShown = prefixWidth + MIN_TEXT <= width;
  const room = width - (isPrefixShown ? prefixWidth : 0);
  const shownPrompt = fitPrompt(cleanPrompt(prompt), Math.floor(room / 2));
  const promptWidth = visibleWidth(shownPrompt);
  const window = scrollWindow(text, cursor, room - promptWidth);
  const reset = shownPrompt === '' ? '' : RESET;
  return {
    text: `${isPrefixShown ? prefix : ''}${shownPrompt}${reset}${window.text}`,
    column: (isPrefixShown ? prefixWidth : 0) + promptWidth + (cursor - window.start),
  };
}

/** Columns a string takes: escape sequences take none. Wide characters count as one. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(CSI, '')) if (char >= ' ') width++;
  return width;
}

/** A prompt as a bottom line can show it: colours kept, other controls (`\r`, `\b`) dropped. */
function cleanPrompt(prompt: string): string {
  return prompt
    .replace(CSI, (sequence) => (sequence.endsWith('m') ? sequence : ''))
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001a\u001c-\u001f\u007f]|\u001b(?!\[)/g,
      '',
    );
}

/** The end of a prompt too long for half the room (plain: its colours would be cut). */
function fitPrompt(prompt: string, room: number): string {
  if (visibleWidth(prompt) <= room) return prompt;
  const plain = [...prompt.replace(CSI, '')];
  return plain.slice(plain.length - room).join('');
}

/** The part of the typed text to show so that the cursor is visible. */
function scrollWindow(text: string, cursor: number, room: number): { text: string; start: number } {
  if (text.length < room) return { text, start: 0 };
  const start = Math.max(0, cursor - room + 1);
  return { text: text.slice(start, start + room), start };
}
