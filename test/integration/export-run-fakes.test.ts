/**
 * `<app>-run` for the two engines that cannot run here (no Docker daemon with compose v2, no
 * Kubernetes API server): a fake `docker`/`docker-compose`/`kubectl` first on PATH records its
 * argv and stdin and answers as the real one would. This checks the script's own logic (which
 * CLI, which arguments, the Job it creates, the exit code, the clean-up), not the engine.
 */
import { Job } from 'kubernetes-models/batch/v1/Job';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, type TapTest } from '../helpers/cli.js';
import { quietEnv, until } from '../helpers/engines.js';

/** A fake CLI: appends its argv (one JSON array per line) to LOG, then runs `body`. */
function fake(dir: string, name: string, body: string): void {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\nnode -e 'process.stdout.write(JSON.stringify(process.argv.slice(1))+"\\n")' -- "$@" >> "${dir}/${name}.log"\n${body}\n`,
  );
  chmodSync(path, 0o755);
}

function calls(dir: string, name: string): string[][] {
  const path = join(dir, `${name}.log`);
  if (!existsSync(path)) return [];
  // A line still being written is not a call yet.
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(']'))
    .map((line) => JSON.parse(line) as string[]);
}

async function exported(t: TapTest, format: string): Promise<{ dir: string; bin: string }> {
  const cwd = t.testdir({
    Procfile: 'web: node web.js\n',
    '.env': 'GREETING="hi $$ there"\n',
    bin: {},
  });
  const result = await runCli(t, ['export', format, 'out', '-a', 'app', '--image', 'app:1'], {
    cwd,
    env: quietEnv(['GREETING']),
  });
  t.equal(result.exitCode, 0, result.stderr);
  return { dir: join(cwd, 'out'), bin: join(cwd, 'bin') };
}

function runWith(bin: string, script: string, args: readonly string[]) {
  return spawnSync(script, args, {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    timeout: 60_000,
  });
}

t.test('compose: docker compose run --rm of the admin service, exit status through', async (t) => {
  const { dir, bin } = await exported(t, 'compose');
  fake(bin, 'docker', '[ "$2" = version ] && exit 0; exit 7');
  const run = runWith(bin, join(dir, 'app-run'), ['node', '-e', 'x', 'a b']);
  t.equal(run.status, 7, 'the exit status of the one-off');
  const file = join(dir, 'compose.yaml');
  t.same(calls(bin, 'docker').at(-1), [
    'compose',
    '-f',
    file,
    'run',
    '--rm',
    '-T',
    'run.1',
    'node',
    '-e',
    'x',
    'a b',
  ]);
  runWith(bin, join(dir, 'app-run'), ['web', '--verbose']);
  t.same(calls(bin, 'docker').at(-1)?.slice(7), [
    '/bin/sh',
    '-c',
    'exec node web.js "$@"',
    'web',
    '--verbose',
  ]);
});

t.test('compose: docker-compose 1.29 when docker has no compose plugin', async (t) => {
  const { dir, bin } = await exported(t, 'compose');
  fake(bin, 'docker', 'exit 1');
  fake(bin, 'docker-compose', 'exit 3');
  t.equal(runWith(bin, join(dir, 'app-run'), ['true']).status, 3);
  t.same(calls(bin, 'docker-compose').at(-1)?.slice(0, 6), [
    '-f',
    join(dir, 'compose.yaml'),
    'run',
    '--rm',
    '-T',
    'run.1',
  ]);
});

const KUBECTL = `case $1 in
  create) cat > "$(dirname "$0")/job.json"; echo job.batch/app-run-x7k2p ;;
  logs) [ -f "$(dirname "$0")/hang" ] && exec sleep 1000; echo "hello from the job" ;;
  get) printf 7 ;;
esac`;

t.test('kubernetes: a Job from the same image and env, followed, exit code, deleted', async (t) => {
  const { dir, bin } = await exported(t, 'kubernetes');
  fake(bin, 'kubectl', KUBECTL);
  const argv = ['sh', '-c', 'echo "$HOME" $(id)', 'x', 'it\'s \\ "q"\n\tend'];
  const run = runWith(bin, join(dir, 'app-run'), argv);
  t.equal(run.status, 7, run.stderr);
  t.match(run.stdout, /hello from the job/);
  const job = JSON.parse(readFileSync(join(bin, 'job.json'), 'utf8')) as JobShape;
  t.doesNotThrow(() => new Job(job as never).validate(), 'a valid Job');
  const container = job.spec.template.spec.containers[0];
  t.same(
    container?.command,
    argv.map((arg) => arg.replace(/\$/g, '$$$$')),
    'argv exact, $ doubled',
  );
  t.equal(container?.image, 'app:1');
  t.same(container?.envFrom, [
    { configMapRef: { name: 'app-env' } },
    { secretRef: { name: 'app-secrets' } },
  ]);
  t.same(container?.env, [{ name: 'PS', value: 'run.1' }]);
  t.equal(container?.tty, false);
  t.equal(job.metadata.generateName, 'app-run-');
  const deleted = calls(bin, 'kubectl').find((call) => call[0] === 'delete');
  t.same(deleted?.slice(0, 2), ['delete', 'job.batch/app-run-x7k2p'], 'the Job is deleted');
});

t.test('kubernetes: interrupted, the Job is deleted and nothing waits', async (t) => {
  const { dir, bin } = await exported(t, 'kubernetes');
  fake(bin, 'kubectl', KUBECTL);
  writeFileSync(join(bin, 'hang'), '');
  const child = spawn(join(dir, 'app-run'), ['sleep', '1'], {
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    stdio: 'ignore',
  });
  t.teardown(() => void child.kill('SIGKILL'));
  const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.ok(await until(() => calls(bin, 'kubectl').some((call) => call[0] === 'logs'), 30_000));
  child.kill('SIGTERM');
  t.equal(await ended, 143);
  t.ok(
    calls(bin, 'kubectl').some((call) => call[0] === 'delete'),
    'the Job is deleted',
  );
});

type JobShape = {
  metadata: { generateName: string };
  spec: {
    template: {
      spec: {
        containers: {
          command: string[];
          image: string;
          envFrom: unknown[];
          env: unknown[];
          tty: boolean;
        }[];
      };
    };
  };
};
