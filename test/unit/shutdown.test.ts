import t from 'tap';
import {
  initialState,
  next,
  type SupervisorEvent,
  type SupervisorState,
} from '../../src/core/shutdown.js';

const GRACE = 5000;

function run(events: readonly SupervisorEvent[], state: SupervisorState = initialState(GRACE)) {
  const actions = [];
  for (const event of events) {
    const [after, produced] = next(state, event);
    state = after;
    actions.push(...produced);
  }
  return { state, actions };
}

const started = (name: string): SupervisorEvent => ({ type: 'started', name, pid: 100 });
const exited = (name: string, code: number): SupervisorEvent => ({
  type: 'exited',
  name,
  outcome: { kind: 'exited', code },
});
const running = [started('web.1'), started('worker.1')];
const finish = (actions: readonly { type: string }[]) => actions.find((a) => a.type === 'finish');

t.test('the first exit stops the others and sets the exit code', async (t) => {
  const { state, actions } = run([...running, exited('worker.1', 3)]);
  t.equal(state.phase, 'stopping');
  t.same(
    actions.filter((a) => a.type !== 'report').map((a) => a.type),
    ['stop-trees', 'arm-grace', 'watch-tree'],
  );
  const done = run([exited('web.1', 143), { type: 'tree-empty' }], state);
  t.same(finish(done.actions), {
    type: 'finish',
    code: 3,
    cause: { kind: 'exit', process: 'worker.1' },
  });
});

t.test('death by signal maps to 128+n', async (t) => {
  const { actions } = run([
    started('a.1'),
    { type: 'exited', name: 'a.1', outcome: { kind: 'signalled', signal: 'SIGKILL', signo: 9 } },
    { type: 'tree-empty' },
  ]);
  t.match(finish(actions), { code: 137 });
});

t.test('a signal stops everything; a clean stop exits 0', async (t) => {
  const { state, actions } = run([...running, { type: 'signal', signal: 'SIGINT' }]);
  t.match(actions[2], {
    type: 'report',
    event: { event: 'stopping', cause: { kind: 'signal', signal: 'SIGINT' } },
  });
  const done = run([exited('web.1', 0), exited('worker.1', 143), { type: 'tree-empty' }], state);
  t.match(finish(done.actions), { code: 0 });
});

t.test('it waits for both: every direct child and an empty tree', async (t) => {
  const { state } = run([
    ...running,
    { type: 'signal', signal: 'SIGTERM' },
    { type: 'tree-empty' },
  ]);
  t.equal(state.phase, 'stopping');
  const done = run([exited('web.1', 0), exited('worker.1', 0)], state);
  t.equal(done.state.phase, 'done');
});

t.test('a second signal stops waiting and kills the trees', async (t) => {
  const { state } = run([...running, { type: 'signal', signal: 'SIGINT' }]);
  const [killing, actions] = next(state, { type: 'signal', signal: 'SIGINT' });
  t.equal(killing.phase, 'killing');
  t.same(actions, [{ type: 'kill-trees', isEarly: true }]);
  t.same(next(killing, { type: 'signal', signal: 'SIGINT' })[1], []);
});

t.test('the grace period expiring kills; a forced stop exits 1', async (t) => {
  const { state } = run([
    ...running,
    { type: 'signal', signal: 'SIGTERM' },
    { type: 'grace-expired' },
  ]);
  t.equal(state.phase, 'killing');
  const done = run(
    [
      { type: 'killed', count: 2, isEarly: false },
      exited('web.1', 0),
      exited('worker.1', 0),
      { type: 'tree-empty' },
    ],
    state,
  );
  t.match(done.actions[0], { type: 'report', event: { event: 'killing', count: 2 } });
  t.match(finish(done.actions), { code: 1 });
});

t.test('a forced stop keeps the first failure', async (t) => {
  const { actions } = run([
    ...running,
    exited('web.1', 4),
    { type: 'grace-expired' },
    { type: 'killed', count: 1, isEarly: false },
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(finish(actions), { code: 4 });
});

t.test('a closed stdout stops everything with 141', async (t) => {
  const { actions } = run([
    ...running,
    { type: 'output-lost' },
    exited('web.1', 0),
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(finish(actions), { code: 141, cause: { kind: 'output-lost' } });
});

t.test('nothing happens after done; grace and kills are ignored while running', async (t) => {
  const { state } = run([started('a.1'), exited('a.1', 0), { type: 'tree-empty' }]);
  t.equal(state.phase, 'done');
  t.same(next(state, { type: 'signal', signal: 'SIGINT' })[1], []);
  const fresh = run(running).state;
  t.same(next(fresh, { type: 'grace-expired' })[1], []);
  t.same(next(fresh, { type: 'killed', count: 0, isEarly: false })[1], []);
});

t.test('a signal before anything started finishes once the tree is empty', async (t) => {
  const { actions } = run([{ type: 'signal', signal: 'SIGTERM' }, { type: 'tree-empty' }]);
  t.match(finish(actions), { code: 0 });
});
