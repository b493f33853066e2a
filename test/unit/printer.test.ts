import { EventEmitter } from 'node:events';
import t from 'tap';
import { Printer, type Destination } from '../../src/output/printer.js';

/** A stream that takes writes until told it is full, and can fail. */
class FakeStream extends EventEmitter implements Destination {
  readonly written: string[] = [];
  isFull = false;
  failWith: NodeJS.ErrnoException | undefined;
  write(data: Buffer | string): boolean {
    if (this.failWith !== undefined) throw this.failWith;
    this.written.push(String(data));
    return !this.isFull;
  }
}

function source() {
  const calls: string[] = [];
  return {
    calls,
    pausable: { pause: () => calls.push('pause'), resume: () => calls.push('resume') },
  };
}

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

t.test('backpressure: a full stream pauses every source until drain', async (t) => {
  const stream = new FakeStream();
  const printer = new Printer(stream);
  const a = source();
  const b = source();
  printer.attach(a.pausable);
  printer.attach(b.pausable);
  stream.isFull = true;
  printer.write('one\n');
  printer.write('two\n');
  t.same([a.calls, b.calls], [['pause'], ['pause']], 'paused once, not per write');
  const late = source();
  printer.attach(late.pausable);
  t.same(late.calls, ['pause'], 'a source attached while paused starts paused');
  stream.isFull = false;
  stream.emit('drain');
  t.same(a.calls, ['pause', 'resume']);
  t.same(stream.written, ['one\n', 'two\n'], 'nothing dropped');
});

t.test('a stream error is reported once, by its code; later writes are dropped', async (t) => {
  const stream = new FakeStream();
  const printer = new Printer(stream);
  const a = source();
  printer.attach(a.pausable);
  const lost: string[] = [];
  printer.whenLost((error) => lost.push(error));
  stream.isFull = true;
  printer.write('one\n');
  stream.emit('error', errno('ENOSPC'));
  stream.emit('error', errno('EPIPE'));
  printer.write('two\n');
  t.same(lost, ['ENOSPC']);
  t.equal(printer.lostBecause, 'ENOSPC');
  t.same(a.calls, ['pause', 'resume'], 'sources drain into the void so they can exit');
  t.same(stream.written, ['one\n']);
});

t.test('a write that throws loses the stream too; no code means EIO', async (t) => {
  const stream = new FakeStream();
  const printer = new Printer(stream);
  const lost: string[] = [];
  printer.whenLost((error) => lost.push(error));
  stream.failWith = new Error('gone');
  printer.write('x');
  t.same(lost, ['EIO']);
});

t.test('a loss before anyone listened still reaches the listener', async (t) => {
  const stream = new FakeStream();
  const printer = new Printer(stream);
  printer.write('a warning before the supervisor starts\n');
  stream.emit('error', errno('ENOSPC'));
  const lost: string[] = [];
  printer.whenLost((error) => lost.push(error));
  t.same(lost, [], 'not in the middle of the caller’s setup');
  await Promise.resolve();
  t.same(lost, ['ENOSPC']);
});
