import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, runCliOk } from '../helpers/cli.js';

const files = {
  Procfile: 'web: node server.js\nworker: node worker.js\n',
  '.env':
    'APP_NAME="my app"\nAPI_KEY=abc123\nDATABASE_URL=postgres://app:s3cret@db/app\nMULTI="a\nb"\n',
};
const clean = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

t.test('env prints the release env as run gets it, secrets masked', async (t) => {
  const result = await runCli(t, ['env'], { cwd: t.testdir(files), env: clean });
  t.equal(result.exitCode, 0);
  t.match(result.stdout, /^APP_NAME="my app"$/m);
  t.match(result.stdout, /^API_KEY=\*{8}$/m);
  t.match(result.stdout, /^DATABASE_URL=postgres:\/\/app:\*{8}@db\/app$/m);
  t.match(result.stdout, /^MULTI="a\\nb"$/m);
  t.match(result.stdout, /^PS=run\.1$/m);
  t.notMatch(result.stdout, /^PORT=/m);
});

t.test('env PROCESS shows what that process gets under start', async (t) => {
  const result = await runCliOk(t, ['env', 'worker.1', '-p', '6000', '--show-secrets'], {
    cwd: t.testdir(files),
    env: clean,
  });
  t.match(result.stdout, /^PORT=6100$/m);
  t.match(result.stdout, /^PS=worker\.1$/m);
  t.match(result.stdout, /^API_KEY=abc123$/m);
  const web = await runCliOk(t, ['env', 'web', '-m', 'web=2'], {
    cwd: t.testdir(files),
    env: clean,
  });
  t.match(web.stdout, /^PS=web\.1$/m);
  const missing = await runCli(t, ['env', 'web.3', '-m', 'web=2'], {
    cwd: t.testdir(files),
    env: clean,
  });
  t.equal(missing.exitCode, 2);
  t.match(missing.stderr, /no process "web\.3" in the formation \(hint: known: web\.1, web\.2\)/);
});

t.test('env --json, and its output reads back as an env file', async (t) => {
  const dir = t.testdir(files);
  const json = await runCliOk(t, ['env', '--json', '--show-secrets'], { cwd: dir, env: clean });
  const parsed = JSON.parse(json.stdout) as Record<string, string>;
  t.equal(parsed.MULTI, 'a\nb');
  const dotenv = await runCliOk(t, ['env', '--show-secrets'], { cwd: dir, env: clean });
  writeFileSync(join(dir, 'roundtrip.env'), dotenv.stdout);
  const again = await runCliOk(
    t,
    ['env', '--json', '--show-secrets', '-e', 'roundtrip.env', '--env-override'],
    { cwd: dir, env: clean },
  );
  t.same(JSON.parse(again.stdout), parsed);
});
