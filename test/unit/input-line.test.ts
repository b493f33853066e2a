import t from 'tap';
import { formatInputLine, visibleWidth } from '../../src/output/input-line.js';
import { Screen } from '../../src/output/screen.js';

const RESET = '\u001b[0m';

t.test('prefix, prompt and typing on one line, the cursor after the typing', async (t) => {
  const line = formatInputLine({
    prefix: 'web.1 | ',
    prompt: '(Pdb) ',
    text: 'p x',
    cursor: 3,
    columns: 80,
  });
  t.equal(line.text, `web.1 | (Pdb) ${RESET}p x`);
  t.equal(line.column, 8 + 6 + 3);
});

t.test('colours in a prompt are kept, cursor moves and control characters dropped', async (t) => {
  const line = formatInputLine({
    prefix: '',
    prompt: '\u001b[1G\u001b[36m(rdbg)\u001b[0m \b\r',
    text: '',
    cursor: 0,
    columns: 80,
  });
  t.equal(line.text, `\u001b[36m(rdbg)\u001b[0m ${RESET}`);
  t.equal(line.column, 7);
});

t.test('a long line scrolls sideways and never wraps', async (t) => {
  const text = 'x'.repeat(200);
  for (const cursor of [0, 57, 200]) {
    const line = formatInputLine({ prefix: 'web.1 | ', prompt: '> ', text, cursor, columns: 40 });
    t.ok(visibleWidth(line.text) <= 39, `fits (cursor ${cursor})`);
    t.ok(line.column <= 39 && line.column >= 10, 'the cursor is on the line');
  }
});

t.test('a prompt longer than half the line shows its end', async (t) => {
  const line = formatInputLine({
    prefix: '',
    prompt: `${'a'.repeat(50)}? `,
    text: '',
    cursor: 0,
    columns: 41,
  });
  t.equal(line.text, `${'a'.repeat(18)}? ${RESET}`);
});

t.test('the screen erases the input line before other lines and draws it after', async (t) => {
  const written: string[] = [];
  const screen = new Screen({ write: (data) => void written.push(data.toString()) });
  screen.write('plain\n');
  screen.show({ text: 'web.1 | (Pdb) ', column: 14 });
  screen.write('tick\n');
  screen.show(undefined);
  t.same(written, [
    'plain\n',
    '\r\u001b[Kweb.1 | (Pdb) \u001b[K\r\u001b[14C',
    '\r\u001b[Ktick\nweb.1 | (Pdb) \u001b[K\r\u001b[14C',
    '\r\u001b[K',
  ]);
});
