import { createHash } from 'node:crypto';
import t from 'tap';
import { maskArgv } from '../../src/core/admin.js';
import type { AdminRun, ControlCommand } from '../../src/core/control.js';
import { identifyRelease } from '../../src/core/release-id.js';
import { secretRule } from '../../src/core/secrets.js';
import type { Action, SupervisorEvent, SupervisorState } from '../../src/core/supervision/state.js';
import { run, setup } from '../helpers/supervision.js';

/** Admin processes in the reducer: run.N numbering, reports, `run --detach` (docs/run.md). */

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

function withIdentity(state: SupervisorState): SupervisorState {
  return { ...state, identity: identifyRelease(state.release, { git: undefined, digest }) };
}

const control = (id: number, command: ControlCommand): SupervisorEvent => ({
  type: 'control',
  id,
  command,
  at: 0,
});
const of = <T extends Action['type']>(actions: readonly Action[], type: T) =>
  actions.filter((action): action is Extract<Action, { type: T }> => action.type === type);
const booted = () =>
  run(withIdentity(setup()), [
    { type: 'boot' },
    { type: 'spawned', name: 'web.1', pid: 11, at: 0 },
    { type: 'spawned', name: 'worker.1', pid: 12, at: 0 },
  ]);
const admin = (name: string): AdminRun => ({
  name,
  argv: ['rake', 'db:migrate'],
  user: 'deploy (uid 1000)',
  release: 'abc1234',
  drift: '',
});

t.test('run-begin numbers runs per start and answers with the formation release', async (t) => {
  const { state } = booted();
  const first = run(state, [control(1, { cmd: 'run-begin' })]);
  const second = run(first.state, [control(2, { cmd: 'run-begin' })]);
  t.match(of(first.actions, 'reply')[0]?.result, { kind: 'run-begin', name: 'run.1' });
  t.match(of(second.actions, 'reply')[0]?.result, {
    kind: 'run-begin',
    name: 'run.2',
    release: { id: state.identity?.id },
  });
});

t.test('run-started and run-exited are reported, and change nothing else', async (t) => {
  const { state } = booted();
  const { actions, state: after } = run(state, [
    control(1, { cmd: 'run-started', run: admin('run.1'), pid: 99 }),
    control(2, {
      cmd: 'run-exited',
      run: admin('run.1'),
      pid: 99,
      outcome: { kind: 'exited', code: 3 },
      durationMs: 1500,
    }),
  ]);
  t.match(
    of(actions, 'report').map((action) => action.event),
    [
      { event: 'run-started', process: 'run.1', pid: 99, detached: false },
      { event: 'run-exited', process: 'run.1', outcome: { code: 3 }, durationMs: 1500 },
    ],
  );
  t.equal(after.phase, 'running', 'an attached run exiting 3 does not end the formation');
  t.equal(after.instances.length, state.instances.length);
});

t.test('a detached run is supervised, never restarted, and never ends the formation', async (t) => {
  const { state } = booted();
  const detach = run(state, [
    control(1, { cmd: 'run-detach', run: admin('run.1'), command: ['sh', '-c', 'exit 4'] }),
  ]);
  t.match(of(detach.actions, 'spawn')[0]?.spec, {
    name: 'run.1',
    type: 'run',
    env: { PS: 'run.1' },
  });
  t.match(of(detach.actions, 'reply')[0]?.result, { kind: 'done', message: 'run.1' });
  const ended = run(detach.state, [
    { type: 'spawned', name: 'run.1', pid: 21, at: 0 },
    { type: 'exited', name: 'run.1', outcome: { kind: 'exited', code: 4 }, at: 10 },
  ]);
  t.equal(ended.state.phase, 'running', 'its exit does not stop the formation');
  t.same(of(ended.actions, 'spawn'), [], 'nor is it restarted');
  t.match(
    of(ended.actions, 'report').map((action) => action.event),
    [
      { event: 'run-started', process: 'run.1', detached: true },
      { event: 'run-exited', process: 'run.1', outcome: { code: 4 }, durationMs: 10 },
    ],
  );
  const restart = run(ended.state, [control(2, { cmd: 'restart', targets: ['run.1'] })]);
  t.match(of(restart.actions, 'reply')[0]?.result, { error: /never restarted/ });
  const begun = run(ended.state, [control(3, { cmd: 'run-begin' })]);
  t.match(of(begun.actions, 'reply')[0]?.result, { name: 'run.2' }, 'numbers go on past it');
});

t.test('a detached run still running is stopped with the formation', async (t) => {
  const { state } = booted();
  const { state: running } = run(state, [
    control(1, { cmd: 'run-detach', run: admin('run.1'), command: ['sleep', '100'] }),
    { type: 'spawned', name: 'run.1', pid: 21, at: 0 },
  ]);
  const stop = run(running, [{ type: 'signal', signal: 'SIGTERM' }]);
  const signals = of(stop.actions, 'stop-trees').flatMap((action) => [...action.signals]);
  t.ok(
    signals.some(([name]) => name === 'run.1'),
    'it gets the stop signal too',
  );
});

t.test('a Procfile type named run cannot take detached runs', async (t) => {
  const { state } = run(withIdentity(setup('web: w\nrun: r\n')), [{ type: 'boot' }]);
  const refused = run(state, [
    control(1, { cmd: 'run-detach', run: admin('run.1'), command: ['true'] }),
  ]);
  t.match(of(refused.actions, 'reply')[0]?.result, { error: /process type named "run"/ });
});

t.test('argv as the log keeps it: secrets masked, size bounded', async (t) => {
  const env = { DATABASE_PASSWORD: 'hunter2-long', MODE: 'dev' };
  const masked = maskArgv(
    ['psql', '--password', 'x1', 'API_TOKEN=abc', 'pre-hunter2-long-post', 'dev'],
    { env, rule: secretRule() },
  );
  t.same(masked, ['psql', '--password', '********', masked[3], '********', 'dev']);
  t.notMatch(masked[3] ?? '', /abc/);
  const long = maskArgv(
    Array.from({ length: 70 }, () => 'w'),
    { env: {}, rule: secretRule() },
  );
  t.equal(long.length, 65);
  t.equal(long.at(-1), '...(6 more words)');
});
