import t from 'tap';
import type { Flags } from '../../src/core/options.js';
import { policyOf } from '../../src/core/policy.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { planStart } from '../../src/core/start-plan.js';

const release = (settings: Flags = {}) =>
  resolveRelease({
    root: '/app',
    procfile: {
      path: 'Procfile',
      entries: parseProcfile('release: migrate\nweb: w\nworker: k\n', 'Procfile'),
    },
    envFiles: [],
    inherited: {},
    settings,
  });

t.test('the formation, the release phase and the policies, from the release', async (t) => {
  const plan = planStart(release({ formation: 'web=2', canDie: ['web'], ready: false }), {
    only: [],
  });
  t.same(
    plan.specs.map((spec) => `${spec.name}:${spec.port}`),
    ['web.1:5000', 'web.2:5001'],
  );
  t.equal(plan.releasePhase?.name, 'release.1');
  t.equal(policyOf(plan.policies, 'web').canDie, true);
  t.equal(policyOf(plan.policies, 'worker').canDie, false);
});

t.test('--no-release drops the release phase; named types narrow the formation', async (t) => {
  const plan = planStart(release({ release: false, restart: ['all'] }), { only: ['worker'] });
  t.equal(plan.releasePhase, undefined);
  t.same(
    plan.specs.map((spec) => spec.name),
    ['worker.1'],
  );
  t.equal(policyOf(plan.policies, 'web').restart, 'on-failure');
});

t.test('--can-die and --restart name known types or all: a typo is refused', async (t) => {
  t.throws(() => planStart(release({ canDie: ['yes'] }), { only: [] }), {
    message: '--can-die: unknown process type "yes"',
    hint: 'known: release, web, worker, all',
    exitCode: 2,
  });
  t.throws(() => planStart(release({ restart: ['web', 'wrker'] }), { only: [] }), {
    message: '--restart: unknown process type "wrker"',
  });
  t.ok(planStart(release({ canDie: ['all'], restart: ['worker'] }), { only: [] }));
});
