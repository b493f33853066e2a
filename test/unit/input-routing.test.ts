import t from 'tap';
import {
  answered,
  ended,
  NO_ROUTING,
  parseTypedLine,
  pin,
  prompted,
  resolveInputName,
  resumed,
  started,
  targetOf,
  type Routing,
} from '../../src/core/input-routing.js';

const running = (...names: string[]): Routing =>
  names.reduce((routing, name) => started(routing, name), NO_ROUTING);

t.test('nobody at a prompt, nothing pinned: no target', async (t) => {
  t.equal(targetOf(running('web.1', 'worker.1')), undefined);
});

t.test('the input follows the first process waiting at a prompt', async (t) => {
  let routing = prompted(running('web.1', 'worker.1'), 'worker.1');
  t.equal(targetOf(routing), 'worker.1');
  routing = prompted(routing, 'web.1');
  t.equal(targetOf(routing), 'worker.1', 'a second prompt does not steal the input');
  routing = answered(routing, 'worker.1');
  t.equal(targetOf(routing), 'web.1', 'once answered, the next waiting one gets it');
  routing = answered(routing, 'web.1');
  t.equal(targetOf(routing), 'web.1', 'with nobody waiting, the last one answered keeps it');
});

t.test('a whole line ends the wait but does not make a process the target', async (t) => {
  const routing = resumed(prompted(running('web.1'), 'web.1'), 'web.1');
  t.equal(targetOf(routing), undefined);
});

t.test('a pinned process has the input whoever waits; ~- follows prompts again', async (t) => {
  let routing = pin(running('web.1', 'worker.1'), 'web.1');
  routing = prompted(routing, 'worker.1');
  t.equal(targetOf(routing), 'web.1');
  routing = pin(routing, undefined);
  t.equal(targetOf(routing), 'worker.1');
});

t.test('an ended process leaves the prompts and the fallback, not the pin', async (t) => {
  let routing = answered(prompted(running('web.1', 'worker.1'), 'web.1'), 'web.1');
  routing = ended(routing, 'web.1');
  t.equal(targetOf(routing), undefined);
  t.equal(targetOf(ended(pin(running('web.1'), 'web.1'), 'web.1')), 'web.1');
});

t.test('typed lines: ~ commands as in ssh, ~~ escapes', async (t) => {
  t.same(parseTypedLine('p x'), { kind: 'text', text: 'p x' });
  t.same(parseTypedLine('~web'), { kind: 'pin', name: 'web' });
  t.same(parseTypedLine('~ worker.2 '), { kind: 'pin', name: 'worker.2' });
  t.same(parseTypedLine('~-'), { kind: 'follow' });
  t.same(parseTypedLine('~?'), { kind: 'help' });
  t.same(parseTypedLine('~'), { kind: 'help' });
  t.same(parseTypedLine('~~x'), { kind: 'text', text: '~x' });
});

t.test('a type means its first running instance; instances are themselves', async (t) => {
  const names = ['web.2', 'web.10', 'worker.1'];
  t.equal(resolveInputName('web', names), 'web.2');
  t.equal(resolveInputName('web.10', names), 'web.10');
  t.equal(resolveInputName('worker', names), 'worker.1');
  t.equal(resolveInputName('wor', names), undefined);
  t.equal(resolveInputName('web.3', names), undefined);
});
