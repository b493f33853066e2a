import t from 'tap';
import { expandFormation } from '../../src/core/formation.js';
import { resolvePolicies } from '../../src/core/policy.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { isForwarded } from '../../src/core/supervision/forward.js';
import { next } from '../../src/core/supervision/next.js';
import {
  initialState,
  type Action,
  type SupervisorEvent,
  type SupervisorState,
} from '../../src/core/supervision/state.js';

function setup(): SupervisorState {
  const release = resolveRelease({
    root: '/app',
    procfile: { path: 'Procfile', entries: parseProcfile('web: w\nworker: k\n', 'Procfile') },
    envFiles: [],
    inherited: {},
    settings: {},
  });
  const specs = expandFormation(release, { formation: undefined });
  const policies = resolvePolicies({ types: ['web', 'worker'], drafts: [] });
  return initialState({ specs, policies, release, graceMs: 5000 });
}

function run(events: readonly SupervisorEvent[], state = setup()) {
  const actions: Action[] = [];
  for (const event of events) {
    const [after, produced] = next(state, event);
    state = after;
    actions.push(...produced);
  }
  return { state, actions };
}

const booted: SupervisorEvent[] = [
  { type: 'boot' },
  { type: 'spawned', name: 'web.1', pid: 10, at: 0 },
  { type: 'spawned', name: 'worker.1', pid: 11, at: 0 },
];

t.test('SIGUSR1 and SIGUSR2 are forwarded, not stops', async (t) => {
  t.ok(isForwarded('SIGUSR1'));
  t.ok(isForwarded('SIGUSR2'));
  t.notOk(isForwarded('SIGTERM'));
  const before = run(booted);
  const { state, actions } = run([{ type: 'signal', signal: 'SIGUSR2' }], before.state);
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
  const { state } = run([...booted, { type: 'signal', signal: 'SIGTERM' }]);
  t.equal(state.phase, 'stopping');
  const after = run([{ type: 'signal', signal: 'SIGUSR1' }], state);
  t.equal(after.state.phase, 'stopping');
  t.notOk(after.actions.some((action) => action.type === 'kill-trees'));
  t.ok(after.actions.some((action) => action.type === 'signal-process'));
});

t.test('nothing running, nothing to forward', async (t) => {
  const { actions } = run([{ type: 'signal', signal: 'SIGUSR2' }]);
  t.same(actions, []);
});
