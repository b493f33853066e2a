import { RESET } from './palette.js';

/**
 * What a line written to a terminal shows once its cursor moves are carried out: readline
 * REPLs on a pseudo-terminal (irb's reline) redraw their line with `\r`, `\e[1G`, `\e[K` and
 * move down with `\e[1B` instead of a newline. Behind our prefix those moves would land on
 * the prefix, so `start`'s terminal shows the result instead (docs/interactive.md). Pure; for
 * the display only: logs keep the bytes as they were written.
 */
export function renderTerminalLine(line: string): string[] {
  const state: LineState = { lines: [], cells: [], column: 0, style: '', hasStyle: false };
  let at = 0;
  while (at < line.length) at = step(state, line, at);
  state.lines.push(finish(state));
  return state.lines;
}

/**
 * Whether a line moves the cursor (`\r`, `\b`, an escape other than a colour): only such a
 * line can reach back over our prefix. Plain and coloured lines, most of them, pass as they are.
 */
export function movesCursor(line: string): boolean {
  return CURSOR_MOVE.test(line);
}

// eslint-disable-next-line no-control-regex
const CURSOR_MOVE = /[\r\b]|\u001b(?!\[[0-9;]*m)/;

type LineState = {
  lines: string[];
  /** One per column: the character, with the colour codes written just before it. */
  cells: string[];
  column: number;
  /** Colour codes waiting for the next character. */
  style: string;
  hasStyle: boolean;
};

// eslint-disable-next-line no-control-regex
const CSI = /^\u001b\[([0-?]*)[ -/]*([@-~])/;
// eslint-disable-next-line no-control-regex
const OTHER_ESCAPE = /^\u001b(\][^\u0007\u001b]*(\u0007|\u001b\\)?|[ -/]*[0-~]?)/;

function step(state: LineState, line: string, at: number): number {
  const char = line[at] ?? '';
  if (char === '\u001b') {
    const rest = line.slice(at);
    const csi = CSI.exec(rest);
    if (csi !== null) {
      applyCsi(state, csi[1] ?? '', csi[2] ?? '', csi[0]);
      return at + csi[0].length;
    }
    return at + Math.max(1, OTHER_ESCAPE.exec(rest)?.[0].length ?? 1);
  }
  if (char === '\r') state.column = 0;
  else if (char === '\b') state.column = Math.max(0, state.column - 1);
  else if (char === '\t') state.column = (Math.floor(state.column / 8) + 1) * 8;
  else if (char >= ' ' && char !== '\u007f') put(state, char);
  return at + char.length;
}

function put(state: LineState, char: string): void {
  while (state.cells.length < state.column) state.cells.push(' ');
  state.cells[state.column] = `${state.style}${char}`;
  state.style = '';
  state.column++;
}

function applyCsi(state: LineState, params: string, final: string, sequence: string): void {
  const n = Number(params.split(';')[0] || '0');
  switch (final) {
    case 'm':
      state.style += sequence;
      state.hasStyle = true;
      return;
    case 'G':
    case '`':
      state.column = Math.max(0, n - 1);
      return;
    case 'C':
      state.column += Math.max(1, n);
      return;
    case 'D':
      state.column = Math.max(0, state.column - Math.max(1, n));
      return;
    case 'K':
      return eraseInLine(state, n);
    case 'J':
      if (n === 0) state.cells.length = Math.min(state.cells.length, state.column);
      return;
    case 'B':
    case 'E':
    case 'S': // scroll up: at the bottom row, reline's way down
      state.lines.push(finish(state));
      state.cells = [];
      if (final === 'E') state.column = 0;
      return;
    default: // other sequences move nothing we draw
      return;
  }
}

function eraseInLine(state: LineState, mode: number): void {
  if (mode === 0) state.cells.length = Math.min(state.cells.length, state.column);
  else if (mode === 1)
    for (let i = 0; i <= state.column && i < state.cells.length; i++) state.cells[i] = ' ';
  else state.cells = [];
}

function finish(state: LineState): string {
  const text = `${state.cells.join('')}${state.style}`;
  return state.hasStyle ? `${text}${RESET}` : text;
}
