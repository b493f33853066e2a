import t from 'tap';
import { describeEvent } from '../../src/core/events.js';
import { spawnFailureOf } from '../../src/core/spawn-failure.js';
import { MASK } from '../../src/core/secrets.js';
import type { ControlCommand } from '../../src/core/control.js';
import type { Action, SupervisorEvent, SupervisorState } from '../../src/core/supervision/state.js';
import { run, setup } from '../helpers/supervision.js';

const refused = (name: string, errno: string, at = 0): SupervisorEvent => ({
  type: 'spawn-failed',
  name,
  failure: { errno },
  at,
});
const of = <T extends Action['type']>(actions: readonly Action[], type: T) =>
  actions.filter((action): action is Extract<Action, { type: T }> => action.type === type);
const reports = (actions: readonly Action[]) => of(actions, 'report').map((action) => action.event);
const instance = (state: SupervisorState, name: string) =>
  state.instances.find((each) => each.spec.name === name);
const booting = () =>
  run(setup(), [{ type: 'boot' }, { type: 'spawned', name: 'web.1', pid: 11, at: 0 }]).state;

t.test('out of file descriptors: said so, tried again with backoff, nothing stops', async (t) => {
  const { state, actions } = run(booting(), [refused('worker.1', 'EMFILE', 100)]);
  t.same(reports(actions), [
    { event: 'could-not-start', process: 'worker.1', errno: 'EMFILE', delayMs: 1000 },
  ]);
  t.equal(
    describeEvent(reports(actions)[0]!),
    'worker.1 could not start: too many open files (EMFILE; raise the limit (ulimit -n) or run fewer processes); trying again in 1s',
  );
  t.match(of(actions, 'arm-timer'), [{ key: 'backoff:worker.1', ms: 1000 }]);
  t.equal(state.phase, 'running');
  t.match(instance(state, 'worker.1'), { status: 'backoff', restarts: 0, lastExit: undefined });
  const again = run(state, [{ type: 'backoff-over', name: 'worker.1' }]);
  t.same(
    of(again.actions, 'spawn').map((action) => action.spec.name),
    ['worker.1'],
  );
});

t.test(
  'a shortage that lasts through the crash-loop window stops everything with 71',
  async (t) => {
    let state = booting();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const step = run(state, [refused('worker.1', 'EAGAIN', attempt * 1000)]);
      delays.push(of(step.actions, 'arm-timer')[0]?.ms ?? -1);
      state = run(step.state, [{ type: 'backoff-over', name: 'worker.1' }]).state;
    }
    t.same(delays, [1000, 2000, 4000, 8000, 16000]);
    const { state: stopping, actions } = run(state, [refused('worker.1', 'EAGAIN', 5000)]);
    t.match(reports(actions), [
      {
        event: 'could-not-start',
        process: 'worker.1',
        errno: 'EAGAIN',
        failures: 6,
        windowMs: 60000,
      },
      { event: 'stopping', cause: { kind: 'spawn-failed', process: 'worker.1' } },
    ]);
    t.match(
      describeEvent(reports(actions)[0]!),
      /^worker\.1 could not start 6 times within 60s: no more processes allowed \(EAGAIN; .*\); giving up$/,
    );
    t.match(describeEvent(reports(actions)[1]!), /^worker\.1 could not start: sending SIGTERM/);
    const done = run(stopping, [
      {
        type: 'exited',
        name: 'web.1',
        outcome: { kind: 'signalled', signal: 'SIGTERM', signo: 15 },
        at: 6000,
      },
      { type: 'tree-empty' },
    ]);
    t.match(of(done.actions, 'finish'), [{ code: 71, cause: { kind: 'spawn-failed' } }]);
  },
);

t.test('what no retry can fix (E2BIG) stops everything at once, with 71', async (t) => {
  const { state, actions } = run(booting(), [refused('worker.1', 'E2BIG')]);
  t.match(reports(actions), [
    { event: 'could-not-start', process: 'worker.1', errno: 'E2BIG' },
    { event: 'stopping' },
  ]);
  t.notOk('delayMs' in (reports(actions)[0] ?? {}), 'not tried again');
  t.equal(state.exitCode, 71);
});

t.test(
  'a refused spawn of an instance being stopped, or while stopping, just ends it',
  async (t) => {
    const stop: ControlCommand = { cmd: 'stop', targets: ['worker'] };
    const asked = run(booting(), [{ type: 'control', id: 1, command: stop, at: 0 }]);
    const { state } = run(asked.state, [refused('worker.1', 'EMFILE')]);
    t.equal(instance(state, 'worker.1')?.status, 'stopped');
    t.equal(state.phase, 'running');
    const stopping = run(booting(), [
      { type: 'signal', signal: 'SIGTERM' },
      refused('worker.1', 'EMFILE'),
    ]);
    t.equal(instance(stopping.state, 'worker.1')?.status, 'exited');
    t.same(
      of(stopping.actions, 'arm-timer').map((a) => a.key),
      ['grace'],
      'no retry',
    );
  },
);

t.test('a refusal without an errno code keeps what the system said, masked', async (t) => {
  // A pseudo-terminal's spawn throws a plain Error ('posix_spawnp failed.'), with no code.
  const failure = spawnFailureOf(new Error('posix_spawnp failed: https://u:pw@h/x'));
  t.equal(failure.errno, 'UNKNOWN');
  const { actions } = run(booting(), [{ type: 'spawn-failed', name: 'worker.1', failure, at: 0 }]);
  t.equal(
    describeEvent(reports(actions)[0]!),
    `worker.1 could not start: spawn failed (UNKNOWN: posix_spawnp failed: https://u:${MASK}@h/x)`,
  );
  t.same(spawnFailureOf(Object.assign(new Error('x'), { code: 'EMFILE' })), { errno: 'EMFILE' });
});
