import fc from 'fast-check';
import t from 'tap';
import { findInvalidUtf8 } from '../../src/core/utf8.js';

t.test('the first byte that is not UTF-8, at its line and column', async (t) => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(
      parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
    );
  t.equal(findInvalidUtf8(bytes('web: é ✓ 🚀\n')), undefined, 'UTF-8 of every length');
  t.same(findInvalidUtf8(bytes('a\nweb: caf', [0xe9], '\n')), { line: 2, column: 9, byte: 0xe9 });
  t.same(findInvalidUtf8(bytes('🚀x', [0xff])), { line: 1, column: 4, byte: 0xff }, 'as JS counts');
  t.same(findInvalidUtf8(bytes([0xc0, 0xaf])), { line: 1, column: 1, byte: 0xc0 }, 'overlong');
  t.same(
    findInvalidUtf8(bytes([0xed, 0xa0, 0x80])),
    { line: 1, column: 1, byte: 0xed },
    'surrogate',
  );
  t.same(
    findInvalidUtf8(bytes('x', [0xe2, 0x9c])),
    { line: 1, column: 2, byte: 0xe2 },
    'cut short',
  );
});

t.test('property: it agrees with the decoder that refuses bad bytes', async () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      let isUtf8 = true;
      try {
        fatal.decode(bytes);
      } catch {
        isUtf8 = false;
      }
      return (findInvalidUtf8(bytes) === undefined) === isUtf8;
    }),
  );
});
