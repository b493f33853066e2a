import t from 'tap';
import { descendantsOf, parseStat, planSignals } from '../../src/core/process-tree.js';

t.test('parseStat survives spaces and parentheses in the command name', async (t) => {
  t.same(parseStat('42 (my (weird) cmd) S 7 42 42 0 -1'), {
    pid: 42,
    ppid: 7,
    pgid: 42,
    state: 'S',
  });
  t.equal(parseStat('garbage'), undefined);
});

const table = [
  { pid: 10, ppid: 1, pgid: 10, state: 'S' }, // us
  { pid: 11, ppid: 10, pgid: 11, state: 'S' }, // web (group leader)
  { pid: 12, ppid: 11, pgid: 11, state: 'S' }, // its child, same group
  { pid: 13, ppid: 11, pgid: 13, state: 'S' }, // setsid grandchild
  { pid: 14, ppid: 10, pgid: 14, state: 'Z' }, // an exited child, not yet reaped
  { pid: 15, ppid: 14, pgid: 14, state: 'R' }, // still running under the zombie's group
  { pid: 20, ppid: 1, pgid: 20, state: 'S' }, // unrelated
];

t.test('descendants are found through zombies; zombies are not alive', async (t) => {
  t.same(
    descendantsOf(table, 10).map((e) => e.pid),
    [11, 12, 13, 15],
  );
});

t.test(
  'each living process gets one signal: its group if ours, else by pid with its root signal',
  async (t) => {
    const roots = [
      { pid: 11, signal: 'SIGINT' },
      { pid: 14, signal: 'SIGTERM' },
    ];
    t.same(planSignals(table, descendantsOf(table, 10), roots, 'SIGTERM'), {
      groups: roots,
      pids: [{ pid: 13, signal: 'SIGINT' }],
    });
  },
);

t.test('one instance only: other processes are left alone without a fallback', async (t) => {
  t.same(
    planSignals(table, descendantsOf(table, 10), [{ pid: 14, signal: 'SIGQUIT' }], undefined),
    {
      groups: [{ pid: 14, signal: 'SIGQUIT' }],
      pids: [],
    },
  );
});

t.test('orphans adopted by us get the fallback signal', async (t) => {
  const adopted = [...table, { pid: 30, ppid: 10, pgid: 30, state: 'S' }];
  const { pids } = planSignals(
    adopted,
    descendantsOf(adopted, 10),
    [{ pid: 11, signal: 'SIGTERM' }],
    'SIGKILL',
  );
  t.same(
    [...pids].sort((a, b) => a.pid - b.pid),
    [
      { pid: 13, signal: 'SIGTERM' },
      { pid: 15, signal: 'SIGKILL' },
      { pid: 30, signal: 'SIGKILL' },
    ],
  );
});
