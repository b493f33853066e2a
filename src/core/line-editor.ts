/**
 * The line being typed in `start`'s terminal (docs/interactive.md): the usual editing keys of
 * a shell's line editor, and a history. Pure: a key in, the new state and what to do out.
 * The terminal is in raw mode so that other processes' lines can be printed above the line
 * being typed and the line redrawn after them; the kernel's own line editing cannot be
 * redrawn, since we cannot see what it holds. So keys the kernel would turn into signals
 * (Ctrl-C, Ctrl-\, Ctrl-Z) come here as bytes, and become effects.
 */
export type LineEditor = Readonly<{
  text: string;
  /** In UTF-16 units, between 0 and text.length. */
  cursor: number;
  history: readonly string[];
  /** Which history entry is shown: history.length means the line being typed. */
  recall: number;
  /** The line being typed while history is recalled. */
  draft: string;
}>;

/** A key as node:readline's keypress events describe it. */
export type Key = Readonly<{
  sequence?: string;
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
}>;

export type EditEffect =
  | { readonly kind: 'none' }
  | { readonly kind: 'submit'; readonly line: string }
  | { readonly kind: 'signal'; readonly signal: 'SIGINT' | 'SIGQUIT' | 'SIGTSTP' }
  /** Ctrl-D on an empty line. */
  | { readonly kind: 'end-of-input' }
  /** Ctrl-L: redraw the line. */
  | { readonly kind: 'redraw' };

const HISTORY_SIZE = 500;
const NONE: EditEffect = { kind: 'none' };

export const EMPTY_EDITOR: LineEditor = {
  text: '',
  cursor: 0,
  history: [],
  recall: 0,
  draft: '',
};

export function editKey(editor: LineEditor, key: Key): [LineEditor, EditEffect] {
  const sequence = key.sequence ?? '';
  if (sequence === '\u001c') return [editor, { kind: 'signal', signal: 'SIGQUIT' }];
  if (key.ctrl === true) return editControl(editor, key.name ?? '');
  if (key.meta === true) return [editMeta(editor, key.name ?? ''), NONE];
  switch (key.name ?? '') {
    case 'return':
    case 'enter':
      return submit(editor);
    case 'backspace':
      return [deleteBack(editor, 1), NONE];
    case 'delete':
      return [deleteForward(editor), NONE];
    case 'left':
      return [moveTo(editor, editor.cursor - 1), NONE];
    case 'right':
      return [moveTo(editor, editor.cursor + 1), NONE];
    case 'home':
      return [moveTo(editor, 0), NONE];
    case 'end':
      return [moveTo(editor, editor.text.length), NONE];
    case 'up':
      return [recallAt(editor, editor.recall - 1), NONE];
    case 'down':
      return [recallAt(editor, editor.recall + 1), NONE];
    default:
      return [insertText(editor, printable(sequence)), NONE];
  }
}

function editControl(editor: LineEditor, name: string): [LineEditor, EditEffect] {
  switch (name) {
    case 'c':
      return [editor, { kind: 'signal', signal: 'SIGINT' }];
    case 'z':
      return [editor, { kind: 'signal', signal: 'SIGTSTP' }];
    case 'd':
      return editor.text === ''
        ? [editor, { kind: 'end-of-input' }]
        : [deleteForward(editor), NONE];
    case 'l':
      return [editor, { kind: 'redraw' }];
    case 'a':
      return [moveTo(editor, 0), NONE];
    case 'e':
      return [moveTo(editor, editor.text.length), NONE];
    case 'b':
      return [moveTo(editor, editor.cursor - 1), NONE];
    case 'f':
      return [moveTo(editor, editor.cursor + 1), NONE];
    case 'h':
      return [deleteBack(editor, 1), NONE];
    case 'u':
      return [deleteBack(editor, editor.cursor), NONE];
    case 'k':
      return [{ ...editor, text: editor.text.slice(0, editor.cursor) }, NONE];
    case 'w':
      return [deleteBack(editor, editor.cursor - wordStart(editor)), NONE];
    case 'p':
      return [recallAt(editor, editor.recall - 1), NONE];
    case 'n':
      return [recallAt(editor, editor.recall + 1), NONE];
    case 'j':
    case 'm':
      return submit(editor);
    default:
      return [editor, NONE];
  }
}

function editMeta(editor: LineEditor, name: string): LineEditor {
  switch (name) {
    case 'backspace':
      return deleteBack(editor, editor.cursor - wordStart(editor));
    case 'b':
      return moveTo(editor, wordStart(editor));
    case 'f':
      return moveTo(editor, wordEnd(editor));
    default:
      return editor;
  }
}

function submit(editor: LineEditor): [LineEditor, EditEffect] {
  const line = editor.text;
  const isNew = line.trim() !== '' && editor.history.at(-1) !== line;
  const history = isNew ? [...editor.history, line].slice(-HISTORY_SIZE) : editor.history;
  const next = { text: '', cursor: 0, history, recall: history.length, draft: '' };
  return [next, { kind: 'submit', line }];
}

/** Text without control characters: a tab or a pasted newline must not reach the line. */
function printable(sequence: string): string {
  let text = '';
  for (const char of sequence) if (char >= ' ' && char !== '\u007f') text += char;
  return text;
}

function insertText(editor: LineEditor, text: string): LineEditor {
  if (text === '') return editor;
  const { cursor } = editor;
  return {
    ...editor,
    text: editor.text.slice(0, cursor) + text + editor.text.slice(cursor),
    cursor: cursor + text.length,
  };
}

function deleteBack(editor: LineEditor, count: number): LineEditor {
  const from = Math.max(0, editor.cursor - Math.max(0, count));
  return {
    ...editor,
    text: editor.text.slice(0, from) + editor.text.slice(editor.cursor),
    cursor: from,
  };
}

function deleteForward(editor: LineEditor): LineEditor {
  const { text, cursor } = editor;
  return { ...editor, text: text.slice(0, cursor) + text.slice(cursor + 1) };
}

function moveTo(editor: LineEditor, cursor: number): LineEditor {
  return { ...editor, cursor: Math.min(editor.text.length, Math.max(0, cursor)) };
}

function wordStart({ text, cursor }: LineEditor): number {
  let at = cursor;
  while (at > 0 && text[at - 1] === ' ') at--;
  while (at > 0 && text[at - 1] !== ' ') at--;
  return at;
}

function wordEnd({ text, cursor }: LineEditor): number {
  let at = cursor;
  while (at < text.length && text[at] === ' ') at++;
  while (at < text.length && text[at] !== ' ') at++;
  return at;
}

/** Show history entry `recall` (history.length: the draft) in place of the line. */
function recallAt(editor: LineEditor, recall: number): LineEditor {
  if (recall < 0 || recall > editor.history.length || recall === editor.recall) return editor;
  const draft = editor.recall === editor.history.length ? editor.text : editor.draft;
  const text = recall === editor.history.length ? draft : (editor.history[recall] ?? '');
  return { ...editor, text, cursor: text.length, recall, draft };
}
