// The control socket under attack by a client of our own user (issue 11, docs/control.md#limits):
// a `start` over one `sleep`, and one connection that
//   flood:  writes status requests for up to 15 s and never reads the replies, or
//   random: writes up to 100 MiB of random bytes and reads whatever comes back.
// Prints one JSON line per attack: what was written, the CPU `start` spent (utime + stime from
// /proc/<pid>/stat), its peak RSS (VmHWM), and whether `start` closed the connection.
//
//   npm run build && node bench/control-attacks.mjs [BUNDLE]
//
// BUNDLE defaults to dist/bin.js; pass an older build to compare.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = resolve(process.argv[2] ?? join(REPO, 'dist/bin.js'));
const MIB = 1 << 20;

for (const attack of [flood, random]) console.log(JSON.stringify(await measure(attack)));

async function measure(attack) {
  const app = mkdtempSync(join(tmpdir(), 'fts-attack-'));
  const runtime = mkdtempSync(join(tmpdir(), 'fts-xdg-'));
  writeFileSync(join(app, 'Procfile'), 'web: sleep 100000\n');
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime };
  const start = spawn(process.execPath, [bundle, 'start'], { cwd: app, env, stdio: 'ignore' });
  try {
    const socket = await socketOf(runtime);
    const cpuBefore = cpuSeconds(start.pid);
    const connection = connect(socket);
    connection.on('error', () => {});
    let isClosed = false;
    connection.on('close', () => (isClosed = true));
    const written = await attack(connection, () => isClosed);
    await sleep(1000);
    const cpu = cpuSeconds(start.pid) - cpuBefore;
    connection.destroy();
    return {
      attack: attack.name,
      bundle,
      writtenMiB: round(written / MIB),
      cpuSeconds: round(cpu),
      peakRssMiB: round(peakRssKb(start.pid) / 1024),
      isClosedByStart: isClosed,
    };
  } finally {
    start.kill('SIGTERM');
    await new Promise((done) => start.once('exit', done));
    rmSync(app, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  }
}

async function flood(connection, isClosed) {
  const chunk = Buffer.from('{"v":1,"id":1,"cmd":"status"}\n'.repeat(2048));
  const deadline = Date.now() + 15_000;
  let written = 0;
  while (!isClosed() && Date.now() < deadline && written < 256 * MIB) {
    written += chunk.length;
    if (connection.write(chunk)) continue;
    const drained = new Promise((done) => connection.once('drain', () => done(true)));
    if (!(await Promise.race([drained, sleep(2000, false)]))) break;
  }
  return written;
}

async function random(connection, isClosed) {
  connection.on('data', () => {});
  const noise = randomBytes(MIB);
  let written = 0;
  while (!isClosed() && written < 100 * MIB) {
    written += noise.length;
    if (connection.write(noise)) continue;
    await new Promise((done) => {
      const wake = () => {
        connection.off('drain', wake);
        connection.off('close', wake);
        done();
      };
      connection.on('drain', wake);
      connection.on('close', wake);
    });
  }
  return written;
}

async function socketOf(runtime) {
  const folder = join(runtime, `foreman-ts-${process.getuid()}`);
  for (let tries = 0; tries < 300; tries++) {
    await sleep(100);
    const name = listOf(folder).find((entry) => entry.endsWith('.sock'));
    if (name !== undefined) return join(folder, name);
  }
  throw new Error(`no control socket in ${folder}`);
}

function listOf(folder) {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssKb(pid) {
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

function round(value) {
  return Math.round(value * 100) / 100;
}
