import fc from 'fast-check';
import t from 'tap';
import type { Action, SupervisorEvent, SupervisorState } from '../../src/core/supervision/state.js';
import { run, setup } from '../helpers/supervision.js';

const boot = (state: SupervisorState) =>
  run(state, [
    { type: 'boot' },
    { type: 'spawned', name: 'web.1', pid: 11, at: 0 },
    { type: 'spawned', name: 'worker.1', pid: 12, at: 0 },
  ]).state;
const scale = (formation: string, id = 1): SupervisorEvent => ({
  type: 'control',
  id,
  command: { cmd: 'scale', formation },
  at: 1000,
});
const replies = (actions: readonly Action[]) =>
  actions.flatMap((action) => (action.type === 'reply' ? [action] : []));
const instancesOf = (state: SupervisorState) =>
  state.instances.map((instance) => `${instance.spec.name}:${instance.spec.port}`);

t.test('a bad scale item is answered with the hint of -m', async (t) => {
  const { actions } = run(boot(setup()), [scale('web=x')]);
  t.same(replies(actions), [
    {
      type: 'reply',
      id: 1,
      result: {
        error: 'bad formation item "web=x"',
        hint: 'write TYPE=COUNT[,TYPE=COUNT], e.g. web=2,worker=1',
      },
    },
  ]);
});

t.test('scale keeps the limits of -m: at most 100 per type, ports up to 65535', async (t) => {
  const cases: [string, number | undefined, RegExp][] = [
    ['web=101', undefined, /^web=101 is too many$/],
    ['web=100000', undefined, /^web=100000 is too many$/],
    ['web=600', 65000, /^web=600 is too many$/],
    ['worker=2', 65435, /^worker\.2 would get port 65536$/],
    ['all=2', 65435, /^worker\.2 would get port 65536$/],
  ];
  for (const [formation, port, error] of cases) {
    const before = boot(setup(undefined, { port }));
    const { state, actions } = run(before, [scale(formation)]);
    t.match(replies(actions), [{ id: 1, result: { error, hint: /./ } }], formation);
    t.same(state, before, `${formation}: nothing changed`);
  }
  const { actions } = run(boot(setup()), [scale('web=100')]);
  t.match(replies(actions), [{ result: { kind: 'done' } }], '100 is the limit, not past it');
});

t.test(
  'an unknown type: a type added to the Procfile since start read it is named as such',
  async (t) => {
    const { actions } = run(boot(setup()), [scale('db=1')]);
    t.same(replies(actions), [
      {
        type: 'reply',
        id: 1,
        result: {
          error: 'unknown process type "db"',
          hint: 'known: web, worker; a running start keeps the Procfile it started with: stop it and start again to use an edited one',
        },
      },
    ]);
  },
);

t.test('scale all=N means what -m all=N means: every type not named', async (t) => {
  const both = run(boot(setup()), [scale('all=2')]);
  t.same(instancesOf(both.state), ['web.1:5000', 'worker.1:5100', 'web.2:5001', 'worker.2:5101']);
  const named = run(boot(setup()), [scale('all=3,web=1')]);
  t.same(instancesOf(named.state), [
    'web.1:5000',
    'worker.1:5100',
    'worker.2:5101',
    'worker.3:5102',
  ]);
  const release = run(boot(setup()), [scale('release=1')]);
  t.match(replies(release.actions), [
    { result: { error: '"release" is not part of the formation' } },
  ]);
});

t.test('scaling back up before a scaled-down instance has stopped keeps it', async (t) => {
  const down = run(boot(setup()), [
    scale('web=2'),
    { type: 'spawned', name: 'web.2', pid: 13, at: 0 },
  ]);
  const { state } = run(down.state, [
    scale('web=1', 2),
    scale('web=2', 3),
    {
      type: 'exited',
      name: 'web.2',
      outcome: { kind: 'signalled', signal: 'SIGTERM', signo: 15 },
      at: 2000,
    },
  ]);
  t.same(
    state.instances.filter((instance) => instance.spec.type === 'web').map((i) => i.spec.name),
    ['web.1', 'web.2'],
    'web=2 was the last word',
  );
});

t.test('no scale request can make the reducer throw; each gets exactly one reply', async (t) => {
  const item = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc
      .tuple(
        fc.constantFrom('web', 'worker', 'all', 'release', 'nope', ''),
        fc.oneof(fc.nat({ max: 200 }), fc.constantFrom(1e6, 2 ** 53, 1e300)).map(String),
      )
      .map(([type, count]) => `${type}=${count}`),
  );
  const formation = fc.array(item, { minLength: 1, maxLength: 4 }).map((items) => items.join(','));
  // Up to 65435: above it, worker.1 of the initial formation has no port and start refuses.
  const port = fc.option(fc.integer({ min: 1024, max: 65435 }), { nil: undefined });
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(port, formation, (base, text) => {
        const before = boot(setup(undefined, { port: base }));
        const { actions } = run(before, [scale(text, 9)]);
        const answers = replies(actions);
        return answers.length === 1 && answers[0]?.id === 9;
      }),
      { numRuns: 400 },
    ),
  );
});
