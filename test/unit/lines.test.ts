import fc from 'fast-check';
import t from 'tap';
import { LineSplitter } from '../../src/output/lines.js';

const text = (lines: readonly Buffer[]) => lines.map((line) => line.toString('latin1'));

t.test('splits on \\n across chunks and keeps blank lines', async (t) => {
  const splitter = new LineSplitter(100);
  t.same(text(splitter.push(Buffer.from('ab'))), []);
  t.same(text(splitter.push(Buffer.from('c\n\nde\nf'))), ['abc', '', 'de']);
  t.equal(splitter.hasPartial, true);
  t.same(splitter.flush()?.toString(), 'f');
  t.equal(splitter.flush(), undefined);
});

t.test('\\r and invalid UTF-8 pass through untouched', async (t) => {
  const splitter = new LineSplitter(100);
  const [line] = splitter.push(Buffer.from([0x41, 0xff, 0xfe, 0x0d, 0x42, 0x00, 0x0a]));
  t.same([...(line ?? [])], [0x41, 0xff, 0xfe, 0x0d, 0x42, 0x00]);
});

t.test('lines longer than the cap come out in pieces', async (t) => {
  const splitter = new LineSplitter(4);
  t.same(text(splitter.push(Buffer.from('abcdefghij\nxy'))), ['abcd', 'efgh', 'ij']);
  t.same(text(splitter.push(Buffer.from('zw1'))), ['xyzw']);
  t.same(splitter.flush()?.toString(), '1');
});

t.test('property: every byte arrives, in order, whatever the chunking', async (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.nat(300), { maxLength: 10 }),
      fc.integer({ min: 1, max: 50 }),
      (bytes, cuts, cap) => {
        const data = Buffer.from(bytes);
        const splitter = new LineSplitter(cap);
        const out: Buffer[] = [];
        let last = 0;
        for (const cut of [...cuts].sort((a, b) => a - b).filter((c) => c <= data.length)) {
          for (const line of splitter.push(data.subarray(last, cut)))
            out.push(line, Buffer.from('\n'));
          last = cut;
        }
        for (const line of splitter.push(data.subarray(last))) out.push(line, Buffer.from('\n'));
        const rest = splitter.flush();
        const joined = Buffer.concat(rest ? [...out, rest] : out);
        // Pieces of an over-long line gain a newline; without those, the bytes are identical.
        const strip = (b: Buffer) => b.toString('latin1').replace(/\n/g, '');
        return (
          strip(joined) === strip(data) &&
          out.every((b) => b.length <= cap || b.toString() === '\n')
        );
      },
    ),
  );
  t.pass('lossless');
});
