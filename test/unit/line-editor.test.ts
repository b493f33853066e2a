import t from 'tap';
import { EMPTY_EDITOR, editKey, type Key, type LineEditor } from '../../src/core/line-editor.js';

const char = (sequence: string): Key => ({ sequence, name: sequence });
const ctrl = (name: string): Key => ({ name, ctrl: true });
const named = (name: string): Key => ({ name });

/** Feed keys (a string is typed character by character) and collect the effects. */
function type(keys: readonly (string | Key)[], from: LineEditor = EMPTY_EDITOR) {
  let editor = from;
  const effects = [];
  for (const each of keys) {
    const list = typeof each === 'string' ? [...each].map(char) : [each];
    for (const key of list) {
      const [next, effect] = editKey(editor, key);
      editor = next;
      if (effect.kind !== 'none') effects.push(effect);
    }
  }
  return { editor, effects };
}

t.test('typing and Enter submit the line, once, and clear it', async (t) => {
  const { editor, effects } = type(['p x', named('return')]);
  t.same(effects, [{ kind: 'submit', line: 'p x' }]);
  t.equal(editor.text, '');
  t.same(editor.history, ['p x']);
});

t.test('the usual editing keys', async (t) => {
  t.equal(type(['abc', named('backspace')]).editor.text, 'ab');
  t.equal(type(['abc', named('left'), named('left'), 'X']).editor.text, 'aXbc');
  t.equal(type(['abc', ctrl('a'), 'X', ctrl('e'), 'Y']).editor.text, 'XabcY');
  t.equal(type(['one two', ctrl('w')]).editor.text, 'one ');
  t.equal(type(['one two', ctrl('u')]).editor.text, '');
  t.equal(type(['one two', ctrl('a'), ctrl('k')]).editor.text, '');
  t.equal(type(['abc', named('home'), named('delete')]).editor.text, 'bc');
  t.equal(type(['abc', ctrl('a'), ctrl('d')]).editor.text, 'bc', 'Ctrl-D deletes in a line');
  t.equal(type(['one two', { name: 'b', meta: true }, 'X']).editor.text, 'one Xtwo');
});

t.test('control characters never reach the line; a pasted newline submits', async (t) => {
  const { editor, effects } = type([{ sequence: 'a\tb' }, 'c', named('enter')]);
  t.same(effects, [{ kind: 'submit', line: 'abc' }]);
  t.equal(editor.text, '');
});

t.test('Ctrl-C, Ctrl-\\ and Ctrl-Z are signals; Ctrl-D on an empty line ends input', async (t) => {
  t.same(type([ctrl('c')]).effects, [{ kind: 'signal', signal: 'SIGINT' }]);
  t.same(type([{ sequence: '\u001c' }]).effects, [{ kind: 'signal', signal: 'SIGQUIT' }]);
  t.same(type([ctrl('z')]).effects, [{ kind: 'signal', signal: 'SIGTSTP' }]);
  t.same(type([ctrl('d')]).effects, [{ kind: 'end-of-input' }]);
  t.equal(type(['typed', ctrl('c')]).editor.text, 'typed', 'the line is kept');
});

t.test('history: up and down recall earlier lines and come back to the draft', async (t) => {
  const { editor } = type(['p x', named('return'), 'c', named('return'), 'dra']);
  t.equal(type([named('up')], editor).editor.text, 'c');
  t.equal(type([named('up'), named('up')], editor).editor.text, 'p x');
  t.equal(type([named('up'), named('up'), named('up')], editor).editor.text, 'p x');
  t.equal(type([named('up'), named('down')], editor).editor.text, 'dra');
  const again = type([named('up'), named('return')], editor);
  t.same(again.effects, [{ kind: 'submit', line: 'c' }]);
  t.same(again.editor.history, ['p x', 'c'], 'a repeated line is kept once');
});
