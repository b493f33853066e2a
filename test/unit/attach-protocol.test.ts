import fc from 'fast-check';
import t from 'tap';
import {
  encodeFrame,
  FrameDecoder,
  MAX_FRAME_BYTES,
  parseAttachRequest,
  type Frame,
} from '../../src/core/attach-protocol.js';

t.test('frames come back as they went, however the bytes are cut', async (t) => {
  const frame = fc.oneof(
    fc
      .uint8Array({ maxLength: 200 })
      .map((bytes): Frame => ({ kind: 'output', data: Buffer.from(bytes) })),
    fc
      .uint8Array({ maxLength: 200 })
      .map((bytes): Frame => ({ kind: 'input', data: Buffer.from(bytes) })),
    fc.string().map((reason): Frame => ({ kind: 'end', reason })),
    fc
      .tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 200 }))
      .map(([columns, rows]): Frame => ({ kind: 'resize', columns, rows })),
    fc.constant<Frame>({ kind: 'interrupt' }),
  );
  fc.assert(
    fc.property(
      fc.array(frame, { maxLength: 8 }),
      fc.array(fc.nat(2000), { maxLength: 6 }),
      (frames, cuts) => {
        const bytes = Buffer.concat(frames.map(encodeFrame));
        const decoder = new FrameDecoder();
        const out: Frame[] = [];
        let last = 0;
        for (const cut of [...cuts, bytes.length]
          .sort((a, b) => a - b)
          .filter((c) => c <= bytes.length)) {
          const got = decoder.push(bytes.subarray(last, cut));
          if (got instanceof Error) throw got;
          out.push(...got);
          last = cut;
        }
        t.same(out, frames);
      },
    ),
  );
});

t.test('a frame longer than the limit, or of an unknown kind, is an error', async (t) => {
  const huge = Buffer.alloc(5);
  huge[0] = 0x6f;
  huge.writeUInt32BE(MAX_FRAME_BYTES + 1, 1);
  t.type(new FrameDecoder().push(huge), Error);
  t.type(new FrameDecoder().push(Buffer.from([0x7a, 0, 0, 0, 0])), Error);
});

t.test('attach requests are told apart from other control requests', async (t) => {
  t.same(parseAttachRequest('{"v":1,"id":3,"cmd":"attach","target":"web"}'), {
    v: 1,
    id: 3,
    cmd: 'attach',
    target: 'web',
  });
  t.equal(parseAttachRequest('{"v":1,"id":1,"cmd":"status"}'), undefined);
  t.equal(parseAttachRequest('not json'), undefined);
  t.match(parseAttachRequest('{"v":1,"id":1,"cmd":"attach"}'), /"target" must be a name/);
  t.match(parseAttachRequest('{"v":2,"id":1,"cmd":"attach","target":"web"}'), /version/);
});
