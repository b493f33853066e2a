import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { requestControl } from '../../src/io/control-client.js';
import { controlPlaceFor } from '../../src/io/control-place.js';
import { bin, runCli, startCli, type TapTest } from '../helpers/cli.js';

/**
 * The control server's limits (docs/control.md): a client cannot grow a `start`'s memory,
 * hold its connections, or stall it. Each test runs a real `start` with its own runtime folder.
 */
async function running(t: TapTest, extra: Record<string, string> = {}) {
  const runtime = mkdtempSync(join(tmpdir(), 'fts-'));
  chmodSync(runtime, 0o700);
  t.teardown(() => rmSync(runtime, { recursive: true, force: true }));
  const env = { XDG_RUNTIME_DIR: runtime, ...extra };
  const app = t.testdir({ Procfile: `web: ${bin('forever.mjs')} web\n` });
  const cli = startCli(t, ['start', '--no-timestamp'], { cwd: app, env });
  await cli.waitFor(/web\.1 +\| ready web/);
  const { socket } = controlPlaceFor(app, env);
  const status = () => runCli(t, ['status'], { cwd: app, env });
  const quit = async () => {
    await runCli(t, ['quit'], { cwd: app, env });
    return cli.result;
  };
  return { app, env, cli, socket, status, quit };
}

/** A connection of the test's own, closed in teardown; `lines` collects what the server says. */
async function open(t: TapTest, socket: string) {
  const connection = connect(socket);
  t.teardown(() => connection.destroy());
  connection.on('error', () => {});
  let said = '';
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
  // The server's end of the connection: its last word said, it reads no more.
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    connection.once('connect', resolve);
    connection.once('error', reject);
  });
  const listen = () => connection.on('data', (chunk: Buffer) => (said += chunk.toString()));
  return { connection, closed, ended, listen, said: () => said };
}

function peakMemoryKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
}

const REQUEST = '{"v":1,"id":1,"cmd":"status"}\n';

t.test(
  'a client that floods requests and never reads the replies is no longer read: memory stays flat, status answers',
  async (t) => {
    const { socket, status, cli, quit } = await running(t);
    const { connection } = await open(t, socket); // never reads: its replies pile up, unread
    const chunk = Buffer.from(REQUEST.repeat(2048));
    const limitBytes = 32 * 1024 * 1024;
    let written = 0;
    let stalls = 0;
    let unanswered = 0;
    while (written < limitBytes) {
      written += chunk.length;
      if (connection.write(chunk)) continue;
      // Blocked: three requests on another connection go round the server's event loop; a
      // server that still read the flood would have drained it by then.
      const drained = new Promise<boolean>((resolve) =>
        connection.once('drain', () => resolve(true)),
      );
      for (let round = 0; round < 3; round++) {
        const exchange = await requestControl(socket, { cmd: 'status' }, { timeoutMs: 30_000 });
        if (exchange.kind !== 'reply') unanswered++;
      }
      const isDrained = await Promise.race([drained, Promise.resolve(false)]);
      if (!isDrained) break;
      stalls++;
    }
    t.ok(written < limitBytes, `the server stopped reading the flood (after ${written} bytes)`);
    t.equal(unanswered, 0, 'every request on another connection was answered meanwhile');
    const answer = await status();
    t.equal(answer.exitCode, 0, answer.stderr);
    t.match(answer.stdout, /^web\.1 +\d+ +running/m);
    const peakMb = peakMemoryKb(cli.pid) / 1024;
    t.ok(peakMb < 200, `start's peak memory stays bounded (VmHWM ${peakMb.toFixed(0)} MB)`);
    t.comment(`stalls before the stop: ${stalls}`);
    connection.destroy();
    t.equal((await quit()).exitCode, 0);
  },
);

t.test(
  'a request longer than 64 KiB is answered with an error, then nothing is read',
  async (t) => {
    const { socket, status, quit } = await running(t);
    const { connection, ended, listen, said } = await open(t, socket);
    listen();
    connection.write(Buffer.alloc(1024 * 1024, 'x'));
    await ended;
    t.equal(said(), '{"v":1,"id":0,"ok":false,"error":"request longer than 65536 bytes"}\n');
    t.equal((await status()).exitCode, 0, 'and start answers others');
    t.equal((await quit()).exitCode, 0);
  },
);

t.test('random bytes: the first bad request is answered, then nothing is read', async (t) => {
  const { socket, status, quit } = await running(t);
  const { connection, ended, listen, said } = await open(t, socket);
  listen();
  const noise = randomBytes(64 * 1024);
  let written = 0;
  let isEnded = false;
  void ended.then(() => (isEnded = true));
  while (!isEnded && written < 64 * 1024 * 1024) {
    written += noise.length;
    if (!connection.write(noise))
      await Promise.race([new Promise((resolve) => connection.once('drain', resolve)), ended]);
  }
  await ended;
  t.ok(written < 64 * 1024 * 1024, `ended before 64 MiB of noise (after ${written} bytes)`);
  t.match(
    said(),
    /^\{"v":1,"id":0,"ok":false,"error":"bad request: (not JSON|request longer than 65536 bytes)"\}\n$/,
  );
  t.equal((await status()).exitCode, 0, 'and start answers others');
  t.equal((await quit()).exitCode, 0);
});

t.test(
  'connections are capped at 64: the next one is told so, and served once one ends',
  async (t) => {
    const { socket, status, quit } = await running(t);
    const held: Socket[] = [];
    for (let index = 0; index < 64; index++) {
      const { connection } = await open(t, socket);
      held.push(connection);
    }
    // Each held connection is answered once: the server has counted it.
    await Promise.all(
      held.map(
        (connection) =>
          new Promise<void>((resolve) => {
            connection.once('data', () => resolve());
            connection.write(REQUEST);
          }),
      ),
    );
    const extra = await open(t, socket);
    extra.listen();
    await extra.closed;
    t.equal(
      extra.said(),
      '{"v":1,"id":0,"ok":false,"error":"too many control connections (64); try again"}\n',
    );
    const refused = await status();
    t.equal(refused.exitCode, 1);
    t.equal(refused.stderr, 'foreman-ts: too many control connections (64); try again\n');
    held.pop()?.destroy();
    let answer = await status();
    for (let tries = 0; answer.exitCode !== 0 && tries < 50; tries++) answer = await status();
    t.equal(answer.exitCode, 0, 'a freed slot serves the next client');
    for (const connection of held) connection.destroy();
    t.equal((await quit()).exitCode, 0);
  },
);

t.test('an idle connection is closed (test-only limit: 300 ms)', async (t) => {
  const limits = { FOREMAN_TS_TEST_CONTROL_LIMITS: 'idleMs=300' };
  const { socket, status, quit } = await running(t, limits);
  const idle = await open(t, socket);
  await idle.closed;
  t.equal((await status()).exitCode, 0, 'closed by the server, which runs on and answers');
  t.equal((await quit()).exitCode, 0);
});

t.test(
  'several requests on one connection: one reply each, in order, even after our end',
  async (t) => {
    const { socket, quit } = await running(t);
    const { connection, closed, listen, said } = await open(t, socket);
    listen();
    const requests = [1, 2, 3].map((id) => `{"v":1,"id":${id},"cmd":"status"}\n`);
    connection.end(requests.join(''));
    await closed;
    const ids = said()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: number; ok: boolean }).id);
    t.same(ids, [1, 2, 3]);
    t.equal((await quit()).exitCode, 0);
  },
);
