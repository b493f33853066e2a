import { Writable } from 'node:stream';
import t from 'tap';
import { Printer, type Pausable } from '../../src/output/printer.js';

/** A real stream whose reader is stalled until `release()`: write() returns false past 4 bytes. */
function stalledStream() {
  const written: string[] = [];
  const pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString());
      pending.push(() => callback());
    },
  });
  const release = (): void => {
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) next();
  };
  return { stream, written, release };
}

function source() {
  const calls: string[] = [];
  const pausable: Pausable = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
  };
  return { pausable, calls };
}

t.test('a full stream pauses every source; drain resumes them', async (t) => {
  const { stream, release } = stalledStream();
  const printer = new Printer(stream);
  const [a, b] = [source(), source()];
  printer.attach(a.pausable);
  printer.attach(b.pausable);
  printer.write('ab');
  t.same(a.calls, [], 'under the high-water mark: nothing paused');
  printer.write('cdef');
  t.same([a.calls, b.calls], [['pause'], ['pause']]);
  printer.write('more');
  printer.write('and more');
  t.same(a.calls, ['pause'], 'paused once, however many writes follow');
  t.equal(stream.listenerCount('drain'), 1, 'one drain listener, not one per write');
  const late = source();
  printer.attach(late.pausable);
  t.same(late.calls, ['pause'], 'a source attached while paused starts paused');
  const drained = new Promise((resolve) => stream.once('drain', resolve));
  release();
  release();
  await drained;
  await new Promise(setImmediate);
  t.same(
    [a.calls, b.calls, late.calls],
    [
      ['pause', 'resume'],
      ['pause', 'resume'],
      ['pause', 'resume'],
    ],
  );
});

t.test('a detached source is not resumed', async (t) => {
  const { stream, release } = stalledStream();
  const printer = new Printer(stream);
  const gone = source();
  const detach = printer.attach(gone.pausable);
  printer.write('12345');
  detach();
  const drained = new Promise((resolve) => stream.once('drain', resolve));
  release();
  await drained;
  await new Promise(setImmediate);
  t.same(gone.calls, ['pause']);
});

t.test('a lost stream is reported once, resumes the sources, and drops later writes', async (t) => {
  const { stream, written } = stalledStream();
  const printer = new Printer(stream);
  const lost: string[] = [];
  printer.whenLost((error) => lost.push(error));
  const a = source();
  printer.attach(a.pausable);
  printer.write('12345');
  t.same(a.calls, ['pause']);
  stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  await new Promise((resolve) => stream.once('close', resolve));
  t.same(lost, ['EPIPE'], "the error's code");
  t.equal(printer.lostBecause, 'EPIPE');
  t.same(a.calls, ['pause', 'resume'], 'children keep draining, so they can exit');
  printer.write('after');
  stream.emit('error', new Error('again'));
  t.equal(lost.length, 1, 'reported once');
  t.same(written, ['12345'], 'nothing written after the loss');
});

t.test('a write that throws counts as a lost stream; without a code it is EIO', async (t) => {
  const lost: string[] = [];
  const printer = new Printer({
    write: () => {
      throw new Error('EBADF');
    },
    once: () => undefined,
    on: () => undefined,
  });
  printer.whenLost((error) => lost.push(error));
  printer.write('x');
  printer.write('y');
  t.same(lost, ['EIO']);
});

t.test('a loss before anyone listened still reaches the listener, after its setup', async (t) => {
  const { stream } = stalledStream();
  const printer = new Printer(stream);
  printer.write('a warning before the supervisor starts');
  stream.destroy(Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }));
  await new Promise((resolve) => stream.once('close', resolve));
  const lost: string[] = [];
  printer.whenLost((error) => lost.push(error));
  t.same(lost, [], 'not in the middle of the caller’s synchronous setup');
  await Promise.resolve();
  t.same(lost, ['ENOSPC']);
});
