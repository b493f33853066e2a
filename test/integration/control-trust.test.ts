import { execa } from 'execa';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { controlPlaceFor } from '../../src/io/control-place.js';
import { bin, nodeCommand, runCli, startCli, testEnv, type TapTest } from '../helpers/cli.js';

/**
 * Clients of the control socket talk only to a folder and socket of their own user, and
 * survive whatever answers there (docs/control.md, docs/security.md).
 */
const CLIENTS = [
  ['status'],
  ['status', '--json'],
  ['quit'],
  ['restart', 'web'],
  ['stop', 'web'],
  ['scale', 'web=2'],
];
const uid = process.getuid?.() ?? 0;
const isRoot = uid === 0;

/** A runtime folder of this test's own, short enough for a socket path. */
function runtimeDir(t: TapTest, mode = 0o700): string {
  const dir = mkdtempSync(join(tmpdir(), 'fts-'));
  chmodSync(dir, mode);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Reply = (line: string, connection: Socket) => void;

/** Whatever a test wants to pose as a start, listening where the clients will look. */
async function fakeStart(t: TapTest, env: Record<string, string>, reply: Reply) {
  const app = t.testdir({ Procfile: 'web: sleep 1000\n' });
  const place = controlPlaceFor(app, env);
  mkdirSync(place.dir, { mode: 0o700, recursive: true });
  const connections = new Set<Socket>();
  const server = createServer((connection) => {
    connections.add(connection);
    connection.on('error', () => {});
    let pending = '';
    connection.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
        reply(pending.slice(0, end), connection);
        pending = pending.slice(end + 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(place.socket, resolve));
  t.teardown(() => {
    for (const connection of connections) connection.destroy();
    server.close();
  });
  return { app, socket: place.socket };
}

const ok = (id: number, result: object) => `${JSON.stringify({ v: 1, id, ok: true, result })}\n`;
const idOf = (line: string) => (JSON.parse(line) as { id: number }).id;
const row = { pid: 7, uptimeMs: 1000, restarts: 0, port: 6100, lastExit: null };
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

t.test(
  'every client refuses a control folder another user made, and never connects to it',
  { skip: isRoot ? false : 'needs root to act as a second user (nobody)' },
  async (t) => {
    const runtime = runtimeDir(t, 0o1777); // like /tmp: anyone may create a folder here
    const env = { XDG_RUNTIME_DIR: runtime };
    const app = t.testdir({ Procfile: `web: ${bin('forever.mjs')} web\n` });
    const { dir, socket } = controlPlaceFor(app, env);
    // nobody squats our folder (0700, as ours would be) and poses as a start in it.
    const spoof = `
      const net = require('net'), fs = require('fs');
      const [dir, socket] = process.argv.slice(1);
      fs.mkdirSync(dir, { mode: 0o700 });
      let count = 0;
      net.createServer((c) => {
        console.log('CONNECTED ' + ++count);
        c.on('error', () => {});
        c.on('data', (d) => {
          const { id } = JSON.parse(String(d).split('\\n')[0]);
          const result = { kind: 'done', message: 'stopping everything' };
          c.write(JSON.stringify({ v: 1, id, ok: true, result }) + '\\n');
        });
      }).listen(socket, () => { fs.chmodSync(socket, 0o777); console.log('READY'); });`;
    const [file, args] = nodeCommand(['-e', spoof, dir, socket]);
    const asNobody = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', file, ...args];
    const server = execa('setpriv', asNobody, {
      cwd: '/',
      env: testEnv(t),
      extendEnv: false,
      buffer: false,
    });
    t.teardown(() => server.kill('SIGKILL'));
    let said = '';
    server.stdout?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const heard = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (pattern.test(said) ? resolve() : undefined);
        server.stdout?.on('data', check);
        void server.then(() => reject(new Error(`the spoof ended: ${said}`)), reject);
        check();
      });
    await heard(/READY/);
    for (const client of CLIENTS) {
      const result = await runCli(t, client, { cwd: app, env });
      t.equal(result.exitCode, 1, client.join(' '));
      t.equal(result.stdout, '', 'nothing from the spoof is shown');
      t.equal(
        result.stderr,
        `foreman-ts: control folder ${dir} belongs to uid 65534, not to us (uid 0) (hint: another user may have made it to pose as a start: remove it, or set XDG_RUNTIME_DIR to a folder of yours)\n`,
        client.join(' '),
      );
    }
    // Our own connection is the spoof's first: no client ever reached it.
    const probe = connect(socket);
    t.teardown(() => probe.destroy());
    await heard(/CONNECTED 1/);
    t.notMatch(said, /CONNECTED 2/);
    const start = await runCli(t, ['start'], {
      cwd: t.testdir({ Procfile: 'web: echo hi\n' }),
      env,
    });
    t.equal(start.exitCode, 0, 'start runs on, without control, in a folder not its own');
  },
);

t.test('a folder of ours that is open to others, or a link, is refused too', async (t) => {
  const runtime = runtimeDir(t);
  const env = { XDG_RUNTIME_DIR: runtime };
  const app = t.testdir({ Procfile: 'web: sleep 1000\n' });
  const { dir } = controlPlaceFor(app, env);
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o755);
  const open = await runCli(t, ['status'], { cwd: app, env });
  t.equal(open.exitCode, 1);
  t.match(open.stderr, `foreman-ts: control folder ${dir} is open to others (mode 0755)`);
  rmSync(dir, { recursive: true });
  const elsewhere = runtimeDir(t);
  symlinkSync(elsewhere, dir);
  const link = await runCli(t, ['quit'], { cwd: app, env });
  t.equal(link.exitCode, 1);
  t.match(link.stderr, `foreman-ts: control folder ${dir} is a symbolic link`);
  const shared = runtimeDir(t, 0o777);
  const renamable = await runCli(t, ['status'], { cwd: app, env: { XDG_RUNTIME_DIR: shared } });
  t.equal(renamable.exitCode, 1);
  t.match(
    renamable.stderr,
    `foreman-ts: runtime folder ${shared} is writable by every user (mode 0777)`,
  );
});

t.test('a status table full of escape sequences is shown escaped', async (t) => {
  const env = { XDG_RUNTIME_DIR: runtimeDir(t) };
  const evil = {
    process: 'web.1\u001b]0;owned\u0007',
    state: 'running\u001b[2J\u001b[H',
    lastExit: '\u009b31mred\u202e',
  };
  const { app } = await fakeStart(t, env, (line, connection) => {
    const processes = [{ ...row, ...evil }];
    connection.write(
      ok(idOf(line), { kind: 'status', pid: 9, root: '/\u001bx', socket: '/s', processes }),
    );
  });
  const table = await runCli(t, ['status'], { cwd: app, env });
  t.equal(table.exitCode, 0, table.stderr);
  t.notMatch(table.stdout, RAW, 'no raw control character reaches the terminal');
  t.match(table.stdout, 'web.1\\x1b]0;owned\\x07');
  t.match(table.stdout, 'running\\x1b[2J\\x1b[H');
  t.match(table.stdout, '\\x9b31mred\\u202e');
  const json = await runCli(t, ['status', '--json'], { cwd: app, env });
  t.equal(json.exitCode, 0, json.stderr);
  t.notMatch(json.stdout, RAW);
  t.match(JSON.parse(json.stdout), { root: '/\u001bx', processes: [evil] }, 'still exact JSON');
});

t.test('messages and errors from the socket are shown escaped', async (t) => {
  const env = { XDG_RUNTIME_DIR: runtimeDir(t) };
  const { app } = await fakeStart(t, env, (line, connection) => {
    const request = JSON.parse(line) as { id: number; cmd: string };
    const failure = { v: 1, id: request.id, ok: false, error: 'no\u001b[31m', hint: 'x\u0007' };
    connection.write(
      request.cmd === 'quit'
        ? ok(request.id, { kind: 'done', message: 'bye\u001b[?1049h' })
        : `${JSON.stringify(failure)}\n`,
    );
  });
  const quit = await runCli(t, ['quit'], { cwd: app, env });
  t.equal(quit.exitCode, 0, quit.stderr);
  t.equal(quit.stdout, 'bye\\x1b[?1049h\n');
  const stop = await runCli(t, ['stop', 'web'], { cwd: app, env });
  t.equal(stop.exitCode, 1);
  t.equal(stop.stderr, 'foreman-ts: no\\x1b[31m (hint: x\\x07)\n');
});

t.test('a reply that is not one is a one-line error, never a crash', async (t) => {
  const replies = [
    ['not json', /sent an invalid reply \(not JSON\)/],
    ['{"v":1,"id":1,"ok":true,"result":{"kind":"status","processes":"x"}}', /"pid" must be/],
    ['{"v":1,"id":1,"ok":true,"result":{"kind":"done","message":["\\u001b"]}}', /"message" must/],
    ['{"v":7,"id":1}', /protocol version 7 \(we speak 1\)/],
    ['{"v":1,"id":1,"ok":false,"error":{"toString":1}}', /"error" must be a string/],
  ] as const;
  for (const [text, problem] of replies) {
    const env = { XDG_RUNTIME_DIR: runtimeDir(t) };
    const { app } = await fakeStart(t, env, (_line, connection) => connection.write(`${text}\n`));
    const result = await runCli(t, ['status'], { cwd: app, env });
    t.equal(result.exitCode, 1, text);
    t.match(result.stderr, problem);
    t.match(result.stderr, /^foreman-ts: [^\n]*\n$/, 'one line, no stack trace');
  }
});

t.test('a reply that never ends or never comes is bounded', async (t) => {
  const limits = { FOREMAN_TS_TEST_CONTROL_LIMITS: 'replyMs=500' };
  const endless = { XDG_RUNTIME_DIR: runtimeDir(t) };
  const pouring = await fakeStart(t, endless, (_line, connection) => {
    const block = Buffer.alloc(1 << 20, 'x');
    const pour = (): void => {
      while (!connection.destroyed && connection.write(block));
      if (!connection.destroyed) connection.once('drain', pour);
    };
    pour();
  });
  const huge = await runCli(t, ['status'], { cwd: pouring.app, env: endless });
  t.equal(huge.exitCode, 1);
  t.equal(huge.stderr, `foreman-ts: ${pouring.socket} sent a reply longer than 4194304 bytes\n`);
  const quiet = { XDG_RUNTIME_DIR: runtimeDir(t), ...limits };
  const silent = await fakeStart(t, quiet, () => {});
  const nothing = await runCli(t, ['status'], { cwd: silent.app, env: quiet });
  t.equal(nothing.exitCode, 1);
  t.equal(nothing.stderr, `foreman-ts: no answer from ${silent.socket} within 0.5s\n`);
  const closing = { XDG_RUNTIME_DIR: runtimeDir(t), ...limits };
  const rude = await fakeStart(t, closing, (_line, connection) => connection.end());
  const closed = await runCli(t, ['quit'], { cwd: rude.app, env: closing });
  t.equal(closed.exitCode, 1);
  t.equal(closed.stderr, `foreman-ts: ${rude.socket} closed the connection without an answer\n`);
});

t.test('without XDG_RUNTIME_DIR the socket is under $HOME/.cache, never /tmp', async (t) => {
  const home = runtimeDir(t);
  const env = { XDG_RUNTIME_DIR: undefined, HOME: home };
  const app = t.testdir({ Procfile: `web: ${bin('forever.mjs')} web\n` });
  const cli = startCli(t, ['start'], { cwd: app, env });
  await cli.waitFor(/ready web/);
  const status = await runCli(t, ['status', '--json'], { cwd: app, env });
  t.equal(status.exitCode, 0, status.stderr);
  const { socket } = JSON.parse(status.stdout) as { socket: string };
  t.match(socket, `${home}/.cache/foreman-ts-${uid}/`);
  t.equal((await runCli(t, ['quit'], { cwd: app, env })).exitCode, 0);
  t.equal((await cli.result).exitCode, 0);
});

t.test(
  'with no folder of ours to use, start runs without control and clients say why',
  {
    skip: !isRoot
      ? 'needs root to hand a HOME to another user'
      : existsRunUser() && '/run/user/0 exists here: it would be used',
  },
  async (t) => {
    const home = runtimeDir(t);
    chownSync(home, 65534, 65534);
    const env = { XDG_RUNTIME_DIR: undefined, HOME: home };
    const app = t.testdir({ Procfile: 'web: echo hi\n' });
    const why = `no private folder for the control socket: XDG_RUNTIME_DIR is unset, /run/user/0 is not ours, and HOME (${home}) is not a folder of ours`;
    const start = await runCli(t, ['start'], { cwd: app, env });
    t.equal(start.exitCode, 0);
    t.match(start.stdout, `no control socket (${why})`);
    const status = await runCli(t, ['status'], { cwd: app, env });
    t.equal(status.exitCode, 1);
    t.equal(
      status.stderr,
      `foreman-ts: ${why} (hint: set XDG_RUNTIME_DIR to a folder only you can write to)\n`,
    );
  },
);

t.test('a socket path too long for a Unix socket is refused, not cut short', async (t) => {
  const deep = join(runtimeDir(t), 'x'.repeat(90));
  mkdirSync(deep, { mode: 0o700 });
  const env = { XDG_RUNTIME_DIR: deep };
  const app = t.testdir({ Procfile: 'web: echo hi\n' });
  const start = await runCli(t, ['start'], { cwd: app, env });
  t.equal(start.exitCode, 0);
  t.match(
    start.stdout,
    /no control socket \(socket path \S+ is \d+ bytes long; a Unix socket path can have at most 107\)/,
  );
  const status = await runCli(t, ['status'], { cwd: app, env });
  t.equal(status.exitCode, 1);
  t.match(status.stderr, /socket path \S+ is \d+ bytes long/);
});

function existsRunUser(): boolean {
  try {
    return statSync('/run/user/0').isDirectory();
  } catch {
    return false;
  }
}
