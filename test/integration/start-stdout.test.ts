import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  type TapTest,
  bin,
  testEnv,
  cliWords,
  eventually,
  killMatching,
  leftovers,
  nodeCommand,
  CLI,
  uniqueSleep,
} from '../helpers/cli.js';

/**
 * When our stdout fails. A closed pipe (`start | head`) is a normal end of a pipeline: 141, as
 * SIGPIPE gives, and nothing said. A full disk (or any other write error) loses output the
 * user wanted: 74 (EX_IOERR) and one line on stderr. Either way every process is stopped.
 */
const skip = existsSync('/dev/full') ? false : 'no /dev/full on this system';

/**
 * A chatty process and an idle one, whose `sleep` we look for afterwards. testEnv gives the
 * test a short XDG_RUNTIME_DIR of its own (a socket path in tap's fixture folders would pass
 * the kernel's 107-byte limit).
 */
function app(t: TapTest) {
  const sleeper = uniqueSleep();
  t.teardown(() => killMatching(sleeper.pattern));
  const Procfile = `chatty: ${bin('lines.mjs')} 100000000\nidle: ${sleeper.command}\n`;
  return { cwd: t.testdir({ Procfile }), sleeper, env: testEnv(t) };
}

/**
 * `foreman-ts start` with its stdout (and maybe stderr) opened on `path` itself, as a shell's
 * `>` does (execa's `{ file }` would put a pipe of its own in between). Bounded: SIGKILL at 60 s.
 */
function startInto(
  { cwd, env }: { cwd: string; env: Record<string, string> },
  path: string,
  { isStderrToo = false } = {},
) {
  const fd = openSync(path, 'w');
  const [file, argv] = nodeCommand([CLI, 'start'], env);
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', fd, isStderrToo ? fd : 'pipe'] });
  closeSync(fd);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ exitCode: number | null; stderr: string }>((resolve) =>
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stderr });
    }),
  );
}

t.test('a full disk on stdout: one line on stderr, exit 74, nothing left', { skip }, async (t) => {
  const { sleeper, ...where } = app(t);
  const result = await startInto(where, '/dev/full');
  t.equal(result.exitCode, 74);
  const lines = result.stderr.split('\n').filter(Boolean);
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /^foreman-ts: could not write to stdout \(ENOSPC: no space left on device\)/);
  t.match(lines[0], /stopped every process/);
  t.ok(await eventually(() => leftovers(sleeper.pattern).length === 0), 'nothing left running');
});

t.test('stdout and stderr both on a full disk: still 74, no crash', { skip }, async (t) => {
  const { sleeper, ...where } = app(t);
  const result = await startInto(where, '/dev/full', { isStderrToo: true });
  t.equal(result.exitCode, 74);
  t.ok(await eventually(() => leftovers(sleeper.pattern).length === 0), 'nothing left running');
});

t.test(
  'a full disk already when a warning comes before the processes start: still stopped, 74',
  { skip },
  async (t) => {
    const { sleeper, cwd, env } = app(t);
    // No control folder can be made under a file: its warning is our first write.
    const result = await startInto(
      { cwd, env: { ...env, XDG_RUNTIME_DIR: '/dev/null' } },
      '/dev/full',
    );
    t.equal(result.exitCode, 74, 'not a hang');
    t.match(result.stderr, /could not write to stdout \(ENOSPC/);
    t.ok(await eventually(() => leftovers(sleeper.pattern).length === 0), 'nothing left running');
  },
);

t.test('a closed pipe on stdout: 141 and nothing said', async (t) => {
  const { cwd, sleeper, env } = app(t);
  const script = `${cliWords()} start 2>err.txt | head -n 5 >/dev/null; echo "status \${PIPESTATUS[0]}"`;
  const result = await execa('bash', ['-c', script], {
    cwd,
    env,
    extendEnv: false,
    timeout: 60_000,
    reject: false,
  });
  t.match(result.stdout, /^status 141$/m);
  t.equal(readFileSync(join(cwd, 'err.txt'), 'utf8'), '', 'a pipeline member says nothing');
  t.ok(await eventually(() => leftovers(sleeper.pattern).length === 0), 'nothing left running');
});
