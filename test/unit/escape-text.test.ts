import fc from 'fast-check';
import t from 'tap';
import { escapeText } from '../../src/core/escape-text.js';

t.test('control characters and escape sequences are shown, not sent', async (t) => {
  t.equal(escapeText('a\u001b[2Jb\u0007'), 'a\\x1b[2Jb\\x07');
  t.equal(escapeText('tab\tnl\ncr\r'), 'tab\\tnl\\ncr\\r');
  t.equal(escapeText('\u0000\u007f\u0085\u009b'), '\\x00\\x7f\\x85\\x9b', 'NUL, DEL and C1 (CSI)');
});

t.test('bidi overrides, separators and lone surrogates are escaped', async (t) => {
  t.equal(escapeText('a\u202eb\u2066c\u2028d'), 'a\\u202eb\\u2066c\\u2028d');
  t.equal(escapeText('x\ud800y'), 'x\\ud800y');
});

t.test('printable text of every script stays as it is', async (t) => {
  t.equal(
    escapeText('web: rails s -p $PORT "x" \\ é ✓ 日本 🚀'),
    'web: rails s -p $PORT "x" \\ é ✓ 日本 🚀',
  );
});

t.test('bytes: UTF-8 decoded, anything else as \\xNN', async (t) => {
  const bytes = Uint8Array.from([0x41, 0xff, 0xc3, 0xa9, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x1b, 0xe2]);
  t.equal(escapeText(bytes), 'A\\xffé\\xc0\\xaf\\xed\\xa0\\x80\\x1b\\xe2');
  t.equal(escapeText(Uint8Array.from([0xf0, 0x9f, 0x9a, 0x80])), '🚀');
});

t.test('property: the result is one printable line', async () => {
  const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => !unsafe.test(escapeText(text))));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => !unsafe.test(escapeText(bytes))),
  );
});

t.test('property: well-formed UTF-8 decodes as Node decodes it', async () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      const safe =
        /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]*$/u;
      fc.pre(safe.test(text));
      return escapeText(new TextEncoder().encode(text)) === text;
    }),
  );
});

t.test('property: bytes that are UTF-8 read as the string they decode to', async () => {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const utf8ish = fc.array(
    fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xff })),
    { maxLength: 32 },
  );
  fc.assert(
    fc.property(utf8ish, (list) => {
      const bytes = Uint8Array.from(list);
      let text: string;
      try {
        text = strict.decode(bytes);
      } catch {
        return !/^[^\\]*$/.test(escapeText(bytes)) || list.length === 0; // invalid: some \x
      }
      return escapeText(bytes) === escapeText(text);
    }),
  );
});
