import t from 'tap';
import type { ControlCommand } from '../../src/core/control.js';
import type { Action, SupervisorEvent } from '../../src/core/supervision/state.js';
import { run, setup } from '../helpers/supervision.js';

const releasing = () =>
  run(setup('release: migrate\nweb: w\nworker: k\n'), [
    { type: 'boot' },
    { type: 'spawned', name: 'release.1', pid: 10, at: 0 },
  ]).state;
const control = (id: number, command: ControlCommand): SupervisorEvent => ({
  type: 'control',
  id,
  command,
  at: 500,
});
const of = <T extends Action['type']>(actions: readonly Action[], type: T) =>
  actions.filter((action): action is Extract<Action, { type: T }> => action.type === type);

t.test('a scale during the release phase is remembered for the formation, not run', async (t) => {
  const { state, actions } = run(releasing(), [
    control(1, { cmd: 'scale', formation: 'web=3' }),
    control(2, { cmd: 'scale', formation: 'worker=0' }),
  ]);
  t.same(of(actions, 'spawn'), [], 'nothing starts before the release has exited 0');
  t.same(
    of(actions, 'reply').map((reply) => reply.result),
    [
      {
        kind: 'done',
        message:
          'the release phase is running (release.1): the formation will start at web=3,worker=1 once it exits 0',
      },
      {
        kind: 'done',
        message:
          'the release phase is running (release.1): the formation will start at web=3,worker=0 once it exits 0',
      },
    ],
  );
  const done = run(state, [
    { type: 'exited', name: 'release.1', outcome: { kind: 'exited', code: 0 }, at: 900 },
    { type: 'tree-empty' },
  ]);
  t.match(of(done.actions, 'finish'), [
    {
      code: 0,
      cause: { kind: 'exit', process: 'release.1' },
      gatedFormation: new Map([
        ['web', 3],
        ['worker', 0],
      ]),
    },
  ]);
});

t.test('a scale during the release phase keeps the limits of -m', async (t) => {
  const before = releasing();
  const { state, actions } = run(before, [control(1, { cmd: 'scale', formation: 'web=101' })]);
  t.match(of(actions, 'reply'), [{ result: { error: 'web=101 is too many', hint: /100/ } }]);
  t.same(state, before);
});

t.test('stop and restart during the release phase are refused; status and quit work', async (t) => {
  const { actions } = run(releasing(), [
    control(1, { cmd: 'stop', targets: ['web'] }),
    control(2, { cmd: 'restart', targets: ['release.1'] }),
    control(3, { cmd: 'status' }),
    control(4, { cmd: 'quit' }),
  ]);
  const [stop, restart, status, quit] = of(actions, 'reply').map((reply) => reply.result);
  const refused = {
    error: 'the release phase is running (release.1); try again when it has finished',
    hint: 'a scale is remembered for the formation; "foreman-ts quit" stops the release',
  };
  t.same([stop, restart], [refused, refused]);
  t.match(status, { kind: 'status', processes: [{ process: 'release.1', pid: 10 }] });
  t.same(quit, { kind: 'done', message: 'stopping everything' });
  t.same(of(actions, 'signal-instance'), []);
  t.match(of(actions, 'stop-trees'), [{ signals: new Map([['release.1', 'SIGTERM']]) }]);
});
