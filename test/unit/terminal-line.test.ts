import t from 'tap';
import { movesCursor, renderTerminalLine } from '../../src/output/terminal-line.js';

const RESET = '\u001b[0m';

t.test('plain text is itself', async (t) => {
  t.same(renderTerminalLine('hello world'), ['hello world']);
});

t.test('carriage returns, backspaces and erases are carried out', async (t) => {
  t.same(renderTerminalLine('50%\r75%\r100%'), ['100%']);
  t.same(renderTerminalLine('abc\b\bX'), ['aXc']);
  t.same(renderTerminalLine('long line\r\u001b[Kshort'), ['short']);
  t.same(renderTerminalLine('abcdef\u001b[3G\u001b[K'), ['ab']);
  t.same(renderTerminalLine('a\tb'), ['a       b']);
});

t.test("reline's redraw of irb's prompt and its move down", async (t) => {
  const redraw =
    '\u001b[1Girb(main):001:0> \u001b[K\u001b[1G\u001b[18G' +
    '\u001b[1Girb(main):001:0> x + 1\u001b[K\u001b[1G\u001b[1S\u001b[1G\u001b[K\u001b[1G=> 43';
  t.same(renderTerminalLine(redraw), ['irb(main):001:0> x + 1', '=> 43']);
  t.same(renderTerminalLine('one\u001b[1Btwo'), ['one', '   two'], 'down keeps the column');
});

t.test('colours are kept, with a reset at the end; other escapes are dropped', async (t) => {
  t.same(renderTerminalLine('\u001b[31mred\u001b[0m'), [`\u001b[31mred\u001b[0m${RESET}`]);
  t.same(renderTerminalLine('\u001b]0;title\u0007text\u001b[?25l'), ['text']);
  t.same(renderTerminalLine('\u001b[6nprompt> '), ['prompt> ']);
});

t.test('which lines move the cursor: only those are redrawn for a pipe', async (t) => {
  t.notOk(movesCursor('plain text\twith a tab'));
  t.notOk(movesCursor('\u001b[1;31mred\u001b[0m'), 'colours move nothing');
  t.ok(movesCursor('\b< after 42'), "node inspect's backspace");
  t.ok(movesCursor('50%\r100%'));
  t.ok(movesCursor('\u001b[2Kcleared'));
  t.same(renderTerminalLine('\b< after 42'), ['< after 42'], 'never left of the first column');
});
