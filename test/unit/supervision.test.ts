import t from 'tap';
import type { ControlCommand } from '../../src/core/control.js';
import { describeEvent } from '../../src/core/events.js';
import type { Outcome } from '../../src/core/outcome.js';
import { parseReadyProbe, type PolicyDraft, type ReadyProbe } from '../../src/core/policy.js';
import { next } from '../../src/core/supervision/next.js';
import type { Action, SupervisorEvent, SupervisorState } from '../../src/core/supervision/state.js';
import { run, setup, SUPERVISOR_PID } from '../helpers/supervision.js';

const draft = (type: string, values: PolicyDraft['values']): PolicyDraft => ({
  type,
  line: 1,
  afterLine: 1,
  values,
});
const probe = (text: string): ReadyProbe => parseReadyProbe(text) as ReadyProbe;
const spawned = (name: string, pid = 100, at = 0): SupervisorEvent => ({
  type: 'spawned',
  name,
  pid,
  at,
});
const exited = (name: string, code: number, at = 0): SupervisorEvent => ({
  type: 'exited',
  name,
  outcome: { kind: 'exited', code },
  at,
});
const of = <T extends Action['type']>(actions: readonly Action[], type: T) =>
  actions.filter((action): action is Extract<Action, { type: T }> => action.type === type);
const spawnedNames = (actions: readonly Action[]) =>
  of(actions, 'spawn').map((action) => action.spec.name);
const statusOf = (state: SupervisorState, name: string) =>
  state.instances.find((i) => i.spec.name === name)?.status;
const finish = (actions: readonly Action[]) => of(actions, 'finish')[0];
const booted = (state = setup()) =>
  run(state, [{ type: 'boot' }, spawned('web.1', 11), spawned('worker.1', 12)]);

t.test('boot spawns every instance; started reports their pid and port', async (t) => {
  const first = run(setup(), [{ type: 'boot' }]);
  t.same(spawnedNames(first.actions), ['web.1', 'worker.1']);
  const { actions, state } = run(first.state, [spawned('web.1', 11)]);
  t.match(of(actions, 'report')[0], {
    event: { event: 'started', process: 'web.1', pid: 11, port: 5000 },
  });
  t.equal(statusOf(state, 'web.1'), 'running');
});

t.test('the first exit stops the others and sets the exit code', async (t) => {
  const { state, actions } = run(booted().state, [exited('worker.1', 3)]);
  t.equal(state.phase, 'stopping');
  const stop = of(actions, 'stop-trees')[0];
  t.same([...(stop?.signals ?? [])], [['web.1', 'SIGTERM']]);
  const done = run(state, [exited('web.1', 143), { type: 'tree-empty' }]);
  t.same(finish(done.actions), {
    type: 'finish',
    code: 3,
    cause: { kind: 'exit', process: 'worker.1' },
    runs: 0,
  });
});

t.test('death by signal maps to 128+n', async (t) => {
  const outcome: Outcome = { kind: 'signalled', signal: 'SIGKILL', signo: 9 };
  const { actions } = run(booted().state, [
    { type: 'exited', name: 'web.1', outcome, at: 0 },
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(finish(actions), { code: 137 });
});

t.test('a signal stops everything; a clean stop exits 0 once the tree is empty', async (t) => {
  const { state } = run(booted().state, [
    { type: 'signal', signal: 'SIGINT' },
    { type: 'tree-empty' },
  ]);
  t.equal(state.phase, 'stopping', 'still waiting for our direct children');
  const done = run(state, [exited('web.1', 0), exited('worker.1', 143)]);
  t.match(finish(done.actions), { code: 0, cause: { kind: 'signal', signal: 'SIGINT' } });
});

t.test('a second signal kills at once; a forced stop exits 1; a third does nothing', async (t) => {
  const { state } = run(booted().state, [{ type: 'signal', signal: 'SIGINT' }]);
  const [killing, actions] = next(state, { type: 'signal', signal: 'SIGINT' });
  t.same(actions, [{ type: 'kill-trees', isEarly: true }]);
  t.same(next(killing, { type: 'signal', signal: 'SIGINT' })[1], []);
  const done = run(killing, [
    { type: 'killed', count: 2, isEarly: true },
    exited('web.1', 0),
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(of(done.actions, 'report')[0], { event: { event: 'killing', count: 2, isEarly: true } });
  t.match(finish(done.actions), { code: 1 });
});

t.test('grace expiry kills; the first failure still decides', async (t) => {
  const { actions } = run(booted().state, [
    exited('web.1', 4),
    { type: 'grace-expired' },
    { type: 'killed', count: 1, isEarly: false },
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.ok(of(actions, 'kill-trees').length === 1);
  t.match(finish(actions), { code: 4 });
});

t.test('what outlives SIGKILL is reported stuck, and the stop ends without it', async (t) => {
  const { state, actions } = run(booted().state, [
    { type: 'signal', signal: 'SIGTERM' },
    { type: 'grace-expired' },
    { type: 'killed', count: 3, isEarly: false },
    exited('worker.1', 137),
    { type: 'stuck', pids: [11, 99] },
  ]);
  t.match(of(actions, 'report').at(-1), { event: { event: 'stuck', pids: [11, 99] } });
  t.match(finish(actions), { code: 1, cause: { kind: 'signal' } }, 'web.1 (pid 11) never exited');
  t.equal(state.phase, 'done');
  const running = run(booted().state, [{ type: 'stuck', pids: [11] }]);
  t.same(running.actions, [], 'only a stop waits for the tree');
});

t.test('an exit says what of its group lived on after it', async (t) => {
  const outcome: Outcome = { kind: 'signalled', signal: 'SIGTERM', signo: 15 };
  const { actions } = run(booted().state, [
    { type: 'signal', signal: 'SIGTERM' },
    { type: 'exited', name: 'web.1', outcome, at: 0, lingered: { count: 1, until: 'sigkill' } },
    { type: 'exited', name: 'worker.1', outcome, at: 0, lingered: { count: 2, until: 'ended' } },
  ]);
  t.same(
    of(actions, 'report')
      .filter((action) => action.event.event === 'exited')
      .map((action) => describeEvent(action.event)),
    [
      'web.1 terminated by SIGTERM; 1 more process of its group ran on until SIGKILL',
      'worker.1 terminated by SIGTERM; 2 more processes of its group ended after it',
    ],
  );
  const alone = run(booted().state, [
    {
      type: 'exited',
      name: 'web.1',
      outcome: { kind: 'exited', code: 3 },
      at: 0,
      lingered: { count: 1, until: 'running' },
    },
  ]);
  t.equal(
    describeEvent(of(alone.actions, 'report')[0]!.event),
    'web.1 exited with code 3; 1 more process of its group still running',
  );
});

t.test('a closed stdout stops everything with 141', async (t) => {
  const { actions } = run(booted().state, [
    { type: 'output-lost', error: 'EPIPE' },
    exited('web.1', 0),
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(finish(actions), { code: 141, cause: { kind: 'output-lost', error: 'EPIPE' } });
});

t.test('a stdout that fails otherwise (a full disk) stops everything with 74', async (t) => {
  const { actions } = run(booted().state, [
    { type: 'output-lost', error: 'ENOSPC' },
    exited('web.1', 0),
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(finish(actions), { code: 74, cause: { kind: 'output-lost', error: 'ENOSPC' } });
});

t.test('each type is stopped with its own stop signal', async (t) => {
  const state = setup(undefined, { drafts: [draft('web', { stopSignal: 'SIGINT' })] });
  const { actions } = run(booted(state).state, [{ type: 'signal', signal: 'SIGTERM' }]);
  t.same(
    [...(of(actions, 'stop-trees')[0]?.signals ?? [])],
    [
      ['web.1', 'SIGINT'],
      ['worker.1', 'SIGTERM'],
    ],
  );
});

t.test(
  'can_die: its exit does not stop the others; the run ends when nothing is left',
  async (t) => {
    const state = setup(undefined, { canDie: ['worker'] });
    const after = run(booted(state).state, [exited('worker.1', 2)]);
    t.equal(after.state.phase, 'running');
    t.equal(statusOf(after.state, 'worker.1'), 'exited');
    const done = run(after.state, [exited('web.1', 0), { type: 'tree-empty' }]);
    t.match(
      finish(done.actions),
      { code: 0 },
      'web ended on its own with 0 and may not die: its code',
    );
    const allCanDie = setup(undefined, { canDie: ['all'] });
    const ended = run(booted(allCanDie).state, [
      exited('worker.1', 2),
      exited('web.1', 0),
      { type: 'tree-empty' },
    ]);
    t.match(finish(ended.actions), { code: 2 }, 'everything could die: the first failure');
  },
);

t.test('restart on-failure backs off exponentially and gives up after a crash loop', async (t) => {
  let { state } = booted(setup(undefined, { restart: ['worker'] }));
  const delays: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = attempt * 1000;
    const crash = run(state, [exited('worker.1', 1, at)]);
    t.equal(crash.state.phase, 'running', `restart ${attempt + 1}`);
    const timer = of(crash.actions, 'arm-timer')[0];
    delays.push(timer?.ms ?? -1);
    t.match(of(crash.actions, 'report')[1], {
      event: { event: 'restarting', process: 'worker.1', attempt: attempt + 1 },
    });
    const over = run(crash.state, [{ type: 'backoff-over', name: 'worker.1' }]);
    t.same(spawnedNames(over.actions), ['worker.1']);
    state = run(over.state, [spawned('worker.1', 200 + attempt, at)]).state;
  }
  t.same(delays, [1000, 2000, 4000, 8000, 16000]);
  const loop = run(state, [exited('worker.1', 1, 5000)]);
  t.match(of(loop.actions, 'report')[1], {
    event: { event: 'gave-up', process: 'worker.1', crashes: 6, restarts: 5, windowMs: 60000 },
  });
  t.equal(loop.state.phase, 'stopping', 'then the normal rule: everything stops');
  t.equal(loop.state.exitCode, 1);
});

t.test('on-failure does not restart a clean exit; always does', async (t) => {
  const clean = run(booted(setup(undefined, { restart: ['worker'] })).state, [
    exited('worker.1', 0),
  ]);
  t.equal(clean.state.phase, 'stopping');
  const always = setup(undefined, { drafts: [draft('worker', { restart: 'always' })] });
  const again = run(booted(always).state, [exited('worker.1', 0)]);
  t.equal(statusOf(again.state, 'worker.1'), 'backoff');
});

t.test('ready: probes, a ready event, and after: ordering', async (t) => {
  const state = setup(undefined, {
    drafts: [
      draft('web', { ready: probe('port'), readyTimeoutMs: 3000 }),
      draft('worker', { after: ['web'] }),
    ],
  });
  const boot = run(state, [{ type: 'boot' }]);
  t.same(spawnedNames(boot.actions), ['web.1'], 'worker waits for web');
  const up = run(boot.state, [spawned('web.1', 11)]);
  t.same(
    of(up.actions, 'probe').map((a) => a.spec.name),
    ['web.1'],
  );
  t.match(of(up.actions, 'arm-timer')[0], {
    key: 'ready:web.1',
    ms: 3000,
    event: { type: 'ready-timeout' },
  });
  const ready = run(up.state, [{ type: 'ready', name: 'web.1' }]);
  t.match(of(ready.actions, 'report')[0], { event: { event: 'ready', process: 'web.1' } });
  t.same(spawnedNames(ready.actions), ['worker.1'], 'worker starts once web is ready');
});

t.test('a process never ready in time fails the start with 1', async (t) => {
  const state = setup(undefined, { drafts: [draft('web', { ready: probe('/listening/') })] });
  const { state: up } = run(state, [
    { type: 'boot' },
    spawned('web.1', 11),
    spawned('worker.1', 12),
  ]);
  const { state: failed, actions } = run(up, [{ type: 'ready-timeout', name: 'web.1' }]);
  t.match(of(actions, 'report')[0], {
    event: { event: 'not-ready', process: 'web.1', timeoutMs: 60000 },
  });
  const done = run(failed, [exited('web.1', 143), exited('worker.1', 143), { type: 'tree-empty' }]);
  t.match(finish(done.actions), { code: 1, cause: { kind: 'not-ready', process: 'web.1' } });
});

const control = (id: number, command: ControlCommand): SupervisorEvent => ({
  type: 'control',
  id,
  command,
  at: 10_000,
});

t.test('control stop: one instance stops and stays stopped; start keeps running', async (t) => {
  const { state, actions } = run(booted().state, [
    control(1, { cmd: 'stop', targets: ['worker'] }),
  ]);
  t.same(of(actions, 'signal-instance'), [
    { type: 'signal-instance', name: 'worker.1', signal: 'SIGTERM' },
  ]);
  t.match(of(actions, 'reply')[0], {
    id: 1,
    result: { kind: 'done', message: 'stopping worker.1' },
  });
  const after = run(state, [exited('worker.1', 143)]);
  t.equal(statusOf(after.state, 'worker.1'), 'stopped');
  t.equal(after.state.phase, 'running');
  const grace = run(state, [{ type: 'instance-grace-expired', name: 'worker.1' }]);
  t.same(of(grace.actions, 'signal-instance'), [
    { type: 'signal-instance', name: 'worker.1', signal: 'SIGKILL' },
  ]);
});

t.test('control restart: stop then start again; a stopped one just starts', async (t) => {
  const { state } = run(booted().state, [control(1, { cmd: 'restart', targets: ['web.1'] })]);
  t.equal(statusOf(state, 'web.1'), 'stopping');
  const again = run(state, [exited('web.1', 143)]);
  t.same(spawnedNames(again.actions), ['web.1']);
  const stopped = run(booted().state, [
    control(1, { cmd: 'stop', targets: ['web'] }),
    exited('web.1', 0),
  ]).state;
  const restarted = run(stopped, [control(2, { cmd: 'restart', targets: ['web'] })]);
  t.same(spawnedNames(restarted.actions), ['web.1']);
});

t.test('control with unknown names lists the known ones', async (t) => {
  const { actions, state } = run(booted().state, [control(7, { cmd: 'stop', targets: ['wbe'] })]);
  t.same(of(actions, 'reply')[0], {
    type: 'reply',
    id: 7,
    result: { error: 'unknown process "wbe"', hint: 'known: web.1, worker.1' },
  });
  t.equal(state.phase, 'running');
});

t.test('control scale: new instances by the slot rule; surplus ones stop and go', async (t) => {
  const up = run(booted().state, [control(1, { cmd: 'scale', formation: 'web=3,worker=0' })]);
  t.same(spawnedNames(up.actions), ['web.2', 'web.3']);
  t.same(
    up.state.instances.filter((i) => i.spec.type === 'web').map((i) => i.spec.port),
    [5000, 5001, 5002],
  );
  t.same(of(up.actions, 'signal-instance'), [
    { type: 'signal-instance', name: 'worker.1', signal: 'SIGTERM' },
  ]);
  const gone = run(up.state, [exited('worker.1', 143)]);
  t.notOk(gone.state.instances.some((i) => i.spec.name === 'worker.1'));
  t.equal(gone.state.phase, 'running');
  const bad = run(booted().state, [control(2, { cmd: 'scale', formation: 'nope=1' })]);
  t.match(of(bad.actions, 'reply')[0], { result: { error: 'unknown process type "nope"' } });
});

t.test('control status and quit', async (t) => {
  const { actions } = run(booted().state, [control(1, { cmd: 'status' })]);
  t.match(of(actions, 'reply')[0], {
    result: {
      kind: 'status',
      pid: SUPERVISOR_PID,
      root: '/app',
      processes: [
        { process: 'web.1', pid: 11, state: 'running', uptimeMs: 10000, port: 5000, restarts: 0 },
      ],
    },
  });
  const quit = run(booted().state, [
    control(2, { cmd: 'quit' }),
    exited('web.1', 0),
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.match(finish(quit.actions), { code: 0, cause: { kind: 'quit' } });
});

t.test('nothing happens after done', async (t) => {
  const { state } = run(booted().state, [
    { type: 'signal', signal: 'SIGINT' },
    exited('web.1', 0),
    exited('worker.1', 0),
    { type: 'tree-empty' },
  ]);
  t.equal(state.phase, 'done');
  t.same(next(state, { type: 'signal', signal: 'SIGINT' })[1], []);
});
