import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { readFileSync } from 'node:fs';
import { parse as parsePlist } from 'plist';
import t from 'tap';
import { parse } from 'yaml';
import { parseDotenv } from '../../src/core/dotenv.js';
import { parseFormation } from '../../src/core/formation.js';
import type { Flags } from '../../src/core/options.js';
import { parseProcfile } from '../../src/core/procfile.js';
import { resolveRelease } from '../../src/core/release.js';
import { UsageError } from '../../src/errors.js';
import { renderExport } from '../../src/export/index.js';
import { planExport, type ExportFile } from '../../src/export/plan.js';

const PROCFILE = 'release: node migrate.js\nweb: node web.js\nworker: node worker.js\n';
const ENV = 'GREETING=hello\nDATABASE_URL=postgres://u:pw@db/app\nAPI_TOKEN=t0k\n';

function render(
  format: string,
  {
    settings = {},
    formation = 'web=2,worker=1',
    procfile = PROCFILE,
    run,
  }: { settings?: Flags; formation?: string; procfile?: string; run?: string } = {},
): ExportFile[] {
  const entries = parseDotenv(ENV, '.env');
  const release = resolveRelease({
    root: '/srv/shop',
    procfile: { path: '/srv/shop/Procfile', entries: parseProcfile(procfile, 'Procfile') },
    envFiles: [{ path: '/srv/shop/.env', label: '.env', entries }],
    inherited: { PATH: '/usr/bin', HOME: '/root' },
    settings: { app: 'shop', timeout: 10, ...settings },
  });
  const fileEnv = entries.map((entry) => ({
    key: entry.key,
    origin: { file: '.env', line: entry.line },
  }));
  return renderExport(
    format,
    planExport({ release, formation: parseFormation(formation), fileEnv, run }),
  );
}

function content(files: readonly ExportFile[], path: string): string {
  const found = files.find((file) => file.path === path);
  if (found === undefined) throw new Error(`no ${path} in ${files.map((f) => f.path).join(', ')}`);
  return found.content;
}

const modes = (files: readonly ExportFile[]) =>
  Object.fromEntries(files.map((file) => [file.path, (file.mode ?? 0o644).toString(8)]));

t.test(
  'systemd: a target, a unit per instance, the release oneshot, a 0600 env file',
  async (t) => {
    const files = render('systemd', { settings: { user: 'shop' } });
    t.same(modes(files), {
      'shop.target': '644',
      'shop-release.service': '644',
      'shop-web.1.service': '644',
      'shop-web.2.service': '644',
      'shop-worker.1.service': '644',
      'shop.env': '600',
      'shop-run': '755',
    });
    const target = content(files, 'shop.target');
    t.match(
      target,
      /^Wants=shop-release\.service shop-web\.1\.service shop-web\.2\.service shop-worker\.1\.service$/m,
    );
    t.match(target, /^Requires=shop-release\.service\nAfter=shop-release\.service$/m, 'gated');
    const run = content(files, 'shop-run');
    t.match(run, /--property=EnvironmentFile="\$here"\/shop\.env /);
    t.match(run, /--working-directory=\/srv\/shop --uid=shop --setenv=PS=run\.1 /);
    const web = content(files, 'shop-web.2.service');
    for (const line of [
      'PartOf=shop.target',
      'Requires=shop-release.service',
      'After=shop-release.service',
      'User=shop',
      'WorkingDirectory=/srv/shop',
      'EnvironmentFile=%Y/shop.env',
      'Environment="PORT=5001" "PS=web.2"',
      'ExecStart=/bin/sh -c "exec node web.js"',
      'Restart=on-failure',
      'KillMode=mixed',
      'TimeoutStopSec=10',
    ]) {
      t.ok(web.split('\n').includes(line), line);
    }
    const release = content(files, 'shop-release.service');
    t.match(release, /^Type=oneshot$/m);
    t.match(release, /^RemainAfterExit=yes$/m);
    t.notMatch(release, /Requires=|PORT=/);
    t.notMatch(content(files, 'shop.env'), /PATH|HOME/, 'the shell env stays out');
    t.notMatch(content(render('systemd'), 'shop-web.1.service'), /^User=/m);
  },
);

t.test('supervisord: a group the release starts, the env in a file', async (t) => {
  const files = render('supervisord', { settings: { user: 'shop', log: '/var/log/shop' } });
  t.same(modes(files), { 'shop.conf': '644', 'shop.env': '600', 'shop-run': '755' });
  const conf = content(files, 'shop.conf');
  t.match(conf, /^\[group:shop\]\nprograms=shop-web-1,shop-web-2,shop-worker-1$/m);
  t.notMatch(conf, /GREETING|postgres|^user=/m, 'values and the user are not in the config');
  const section = (name: string) =>
    conf.split('\n\n').find((text) => text.startsWith(`[program:${name}]`)) ?? '';
  const web = section('shop-web-2');
  for (const line of [
    'directory=/srv/shop',
    'environment=PORT="5001",PS="web.2"',
    'autostart=false',
    'autorestart=unexpected',
    'stopwaitsecs=10',
    'stopasgroup=true',
    'killasgroup=true',
    'stdout_logfile=/var/log/shop/shop-web.2.log',
  ]) {
    t.ok(web.split('\n').includes(line), line);
  }
  t.match(
    web,
    /^command=\/bin\/sh -c '.*--reuid=shop .*' '%\(here\)s\/shop\.env' 'exec node web\.js'$/m,
  );
  const release = section('shop-release');
  for (const line of [
    'autostart=true',
    'startsecs=1',
    'startretries=0',
    'environment=PS="release.1"',
  ]) {
    t.ok(release.split('\n').includes(line), line);
  }
  t.match(release, /'%\(here\)s\/shop-release\.failed' 'shop:\*'$/m);
  t.match(content(files, 'shop.env'), /^export GREETING=hello$/m);
  const plain = content(
    render('supervisord', { procfile: 'web: node web.js\n', formation: 'web=1' }),
    'shop.conf',
  );
  t.match(plain, /^autostart=true$/m, 'without a release the formation starts by itself');
});

t.test('launchd: a plist per instance; the release does not run at load', async (t) => {
  const files = render('launchd', { settings: { log: '/var/log/shop', user: 'shop' } });
  t.same(modes(files), {
    'shop.release.plist': '600',
    'shop.web.1.plist': '600',
    'shop.web.2.plist': '600',
    'shop.worker.1.plist': '600',
    'shop.env': '600',
    'shop-run': '755',
  });
  t.match(content(files, 'shop-run'), /^set -- sudo -E -u shop -- "\$@"$/m);
  const web = parsePlist(content(files, 'shop.web.2.plist')) as Record<string, unknown>;
  t.same(web, {
    Label: 'shop.web.2',
    ProgramArguments: ['/bin/sh', '-c', 'exec node web.js'],
    WorkingDirectory: '/srv/shop',
    UserName: 'shop',
    EnvironmentVariables: {
      PORT: '5001',
      PS: 'web.2',
      GREETING: 'hello',
      DATABASE_URL: 'postgres://u:pw@db/app',
      API_TOKEN: 't0k',
    },
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ExitTimeOut: 10,
    StandardOutPath: '/var/log/shop/shop.web.2.log',
    StandardErrorPath: '/var/log/shop/shop.web.2.log',
  });
  const release = parsePlist(content(files, 'shop.release.plist')) as Record<string, unknown>;
  t.equal(release.RunAtLoad, false);
  t.equal(release.KeepAlive, undefined);
});

t.test('runit: a service folder per instance; the env in one file one folder up', async (t) => {
  const files = render('runit', { settings: { user: 'shop' } });
  const web = Object.fromEntries(
    Object.entries(modes(files)).filter(([path]) => path.startsWith('shop-web.1/')),
  );
  t.same(web, {
    'shop-web.1/run': '755',
    'shop-web.1/control/t': '755',
    'shop-web.1/control/k': '755',
    'shop-web.1/log/run': '755',
    'shop-web.1/finish': '755',
  });
  t.equal(modes(files)['shop.env'], '600');
  const run = content(files, 'shop-web.1/run');
  t.match(run, /^\. \.\.\/shop\.env$/m);
  t.match(run, /^cd \/srv\/shop \|\| exit 1$/m);
  t.match(run, /^export PORT=5000 PS=web\.1$/m);
  t.match(run, /^exec "\$1" -P -u shop \/bin\/sh -c 'exec node web\.js'$/m);
  t.match(run, /^code=\$\(cat \.\.\/shop-release\/exit-code 2>\/dev\/null\)$/m, 'gated');
  t.match(content(files, 'shop-web.1/control/t'), /^\(sleep 10; kill -KILL -"\$pid"\)/m);
  t.equal(content(files, 'shop-release/down'), '');
  t.match(
    content(files, 'shop-release/finish'),
    /^  exec sv up \.\.\/shop-web\.1 \.\.\/shop-web\.2 \.\.\/shop-worker\.1$/m,
  );
  t.notOk(files.some((file) => file.path === 'shop-web.1/down'));
  t.match(content(files, 'shop-web.1/log/run'), /^exec svlogd -tt \.\/main$/m);
  const logged = render('runit', { settings: { log: '/var/log/shop' } });
  t.match(
    content(logged, 'shop-web.1/log/run'),
    /^exec svlogd -tt \/var\/log\/shop\/shop-web\.1$/m,
  );
});

const composeSchema = (() => {
  const schema = JSON.parse(
    readFileSync(new URL('../../fixtures/vendor/compose-spec.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  // The upstream file names draft-07 by an id ajv does not know; it is draft-07 all the same.
  delete schema.$schema;
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  for (const format of ['duration', 'expose', 'ports', 'subnet_ip_address']) {
    ajv.addFormat(format, true);
  }
  return ajv.compile(schema);
})();

t.test('compose: valid against the compose-spec schema', async (t) => {
  const files = render('compose', { settings: { image: 'shop:1', user: 'shop' } });
  t.same(modes(files), { 'compose.yaml': '600', 'shop-run': '755' });
  const compose = parse(content(files, 'compose.yaml')) as Record<string, unknown>;
  t.ok(composeSchema(compose), JSON.stringify(composeSchema.errors));
  t.notOk('name' in compose, 'no top-level name: docker-compose 1.29 refuses it');
  const env = { GREETING: 'hello', DATABASE_URL: 'postgres://u:pw@db/app', API_TOKEN: 't0k' };
  t.match(compose, {
    services: {
      release: {
        image: 'shop:1',
        command: ['/bin/sh', '-c', 'exec node migrate.js'],
        environment: { ...env, PS: 'release.1' },
        restart: 'no',
      },
      'run.1': { environment: { ...env, PS: 'run.1' }, deploy: { replicas: 0 } },
      web: {
        deploy: { replicas: 2 },
        stop_grace_period: '10s',
        environment: { PORT: '5000', PS: 'web' },
        ports: ['5000'],
        user: 'shop',
        depends_on: { release: { condition: 'service_completed_successfully' } },
      },
      worker: { deploy: { replicas: 1 }, environment: { PORT: '5100' } },
    },
  });
  t.notOk('ports' in ((compose.services as Record<string, object>).worker ?? {}));
  const single = parse(
    content(render('compose', { formation: 'web=1', settings: { image: 'x' } }), 'compose.yaml'),
  ) as { services: { web: { ports: string[] } } };
  t.same(single.services.web.ports, ['5000:5000']);
});

t.test('compose: the schema check catches a broken file', async (t) => {
  t.notOk(composeSchema({ services: { web: { image: 'x', comand: 'typo' } } }));
  t.notOk(composeSchema({ services: { web: { image: 'x', ports: 'no' } } }));
});

t.test('compose and kubernetes need --image', async (t) => {
  for (const format of ['compose', 'kubernetes']) {
    t.throws(() => render(format), {
      constructor: UsageError,
      message: `${format} needs the image to run`,
    });
  }
});

const MODELS = { Deployment, Job, ConfigMap, Secret, Service } as const;

function validateManifest(text: string): { kind: string } & Record<string, unknown> {
  const object = parse(text) as { kind: keyof typeof MODELS } & Record<string, unknown>;
  const Model = MODELS[object.kind];
  new Model(object as never).validate();
  return object;
}

t.test('kubernetes: manifests valid against the Kubernetes schemas', async (t) => {
  const files = render('kubernetes', { settings: { image: 'shop:1', user: '1000' } });
  t.same(modes(files), {
    'configmap.yaml': '644',
    'secret.yaml': '600',
    'release-job.yaml': '644',
    'web-deployment.yaml': '644',
    'web-service.yaml': '644',
    'worker-deployment.yaml': '644',
    'shop-run': '755',
  });
  const objects = Object.fromEntries(
    files
      .filter((file) => file.path.endsWith('.yaml'))
      .map((file) => [file.path, validateManifest(file.content)]),
  );
  t.match(objects['configmap.yaml'], {
    metadata: { name: 'shop-env' },
    data: { GREETING: 'hello' },
  });
  t.same(objects['secret.yaml']?.stringData, {
    DATABASE_URL: 'postgres://u:pw@db/app',
    API_TOKEN: 't0k',
  });
  t.match(objects['web-deployment.yaml'], {
    metadata: { name: 'shop-web' },
    spec: {
      replicas: 2,
      template: {
        spec: {
          terminationGracePeriodSeconds: 10,
          securityContext: { runAsUser: 1000 },
          containers: [
            {
              name: 'web',
              image: 'shop:1',
              command: ['/bin/sh', '-c', 'exec node web.js'],
              env: [{ name: 'PORT', value: '5000' }, { name: 'PS' }],
              ports: [{ containerPort: 5000, name: 'http' }],
            },
          ],
        },
      },
    },
  });
  t.match(objects['worker-deployment.yaml'], { spec: { replicas: 1 } });
  t.notMatch(content(files, 'worker-deployment.yaml'), /containerPort/);
  t.match(objects['web-service.yaml'], { spec: { ports: [{ port: 5000, targetPort: 'http' }] } });
  t.match(objects['release-job.yaml'], {
    metadata: { name: 'shop-release' },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never' } } },
  });
});

t.test('kubernetes: the validator catches a broken manifest', async (t) => {
  t.throws(() =>
    validateManifest(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: "2"}\n',
    ),
  );
});

t.test('kubernetes --run: only a one-off Job, with the same env', async (t) => {
  const files = render('kubernetes', { settings: { image: 'shop:1' }, run: 'node x.js $A' });
  t.same(modes(files), { 'run-job.yaml': '644' });
  const job = validateManifest(content(files, 'run-job.yaml'));
  t.match(job, {
    metadata: { generateName: 'shop-run-' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              command: ['/bin/sh', '-c', 'exec node x.js $$A'],
              envFrom: [
                { configMapRef: { name: 'shop-env' } },
                { secretRef: { name: 'shop-secrets' } },
              ],
              env: [{ name: 'PS', value: 'run.1' }],
            },
          ],
        },
      },
    },
  });
});

t.test('kubernetes: names must be DNS labels; -u must be a uid', async (t) => {
  const procfile = 'Web_UI: node ui.js\nweb-ui: node other.js\n';
  t.throws(() => render('kubernetes', { procfile, formation: 'all=1', settings: { image: 'x' } }), {
    constructor: UsageError,
    message: /"web-ui" gives the Kubernetes name "shop-web-ui", which "Web_UI" also gives/,
  });
  const files = render('kubernetes', {
    procfile: 'Web_UI: node ui.js\n',
    formation: 'all=1',
    settings: { image: 'x' },
  });
  t.ok(files.some((file) => file.path === 'web-ui-deployment.yaml'));
  t.throws(() => render('kubernetes', { settings: { image: 'x', user: 'shop' } }), {
    message: 'kubernetes needs a numeric user id for -u, got "shop"',
  });
});
