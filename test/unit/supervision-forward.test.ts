import t from 'tap';
import { isForwarded } from '../../src/core/supervision/forward.js';
import type { SupervisorEvent } from '../../src/core/supervision/state.js';
import { run, setup } from '../helpers/supervision.js';

const booted: SupervisorEvent[] = [
  { type: 'boot' },
  { type: 'spawned', name: 'web.1', pid: 10, at: 0 },
  { type: 'spawned', name: 'worker.1', pid: 11, at: 0 },
];

t.test('SIGUSR1 and SIGUSR2 are forwarded, not stops', async (t) => {
  t.ok(isForwarded('SIGUSR1'));
  t.ok(isForwarded('SIGUSR2'));
  t.notOk(isForwarded('SIGTERM'));
  const before = run(setup(), booted);
  const { state, actions } = run(before.state, [{ type: 'signal', signal: 'SIGUSR2' }]);
  t.equal(state.phase, 'running');
  t.same(actions, [
    {
      type: 'report',
      event: { event: 'forwarded', signal: 'SIGUSR2', targets: ['web.1', 'worker.1'] },
    },
    { type: 'signal-process', name: 'web.1', signal: 'SIGUSR2' },
    { type: 'signal-process', name: 'worker.1', signal: 'SIGUSR2' },
  ]);
});

t.test('while stopping, a forwarded signal does not escalate to SIGKILL', async (t) => {
  const { state } = run(setup(), [...booted, { type: 'signal', signal: 'SIGTERM' }]);
  t.equal(state.phase, 'stopping');
  const after = run(state, [{ type: 'signal', signal: 'SIGUSR1' }]);
  t.equal(after.state.phase, 'stopping');
  t.notOk(after.actions.some((action) => action.type === 'kill-trees'));
  t.ok(after.actions.some((action) => action.type === 'signal-process'));
});

t.test('nothing running, nothing to forward', async (t) => {
  const { actions } = run(setup(), [{ type: 'signal', signal: 'SIGUSR2' }]);
  t.same(actions, []);
});
