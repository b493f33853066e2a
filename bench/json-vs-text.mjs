// JSON logs vs text (issue 6): 8 processes x 200k lines through `foreman-ts start`, with the
// default text output and with `--log-format json`, every line checked afterwards.
// Target: JSON reaches at least 70% of text's throughput (on the plain lines).
//
//   npm run build && node bench/json-vs-text.mjs [--runs 3] [--processes 8] [--lines 200000]
//
// Two kinds of content: `plain` log lines (`p1 00000001 xxxx...`), and `quoted` lines that are
// themselves JSON (`{"p":"p1","n":00000001,...}`, as apps in containers often log): those
// need escaping, so JSON mode takes its slower, string-based path for them.
//
// Each Procfile line waits on a starting gun (a FIFO), runs `seq` (fast C, numbered lines),
// prints a done line, then sleeps: a process exiting would stop the others. The clock runs
// from the gun to the last done line, so start-up is not measured. While the clock runs this
// script only copies the output to a file (our reader must not be the bottleneck); afterwards
// every line is parsed and every sequence checked, in order.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/bin.js');
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const PAD = 'x'.repeat(40);

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const RUNS = option('runs', 3);
const PROCESSES = option('processes', 8);
const LINES = option('lines', 200_000);
const MODES = [
  { id: 'text', args: [] },
  { id: 'json', args: ['--log-format', 'json'] },
];
/** `format` is seq's (one %08.0f), `line` the same text for checking. */
const CONTENTS = [
  {
    id: 'plain',
    format: (name) => `${name} %08.0f ${PAD}`,
    line: (name, n) => `${name} ${n} ${PAD}`,
  },
  {
    id: 'quoted',
    format: (name) => `{"p":"${name}","n":%08.0f,"pad":"${PAD}"}`,
    line: (name, n) => `{"p":"${name}","n":${n},"pad":"${PAD}"}`,
  },
];

function procTable() {
  const rows = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      rows.push({
        pid: Number(name),
        argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0'),
      });
    } catch {
      // gone
    }
  }
  return rows;
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function makeApp(content, marker) {
  const dir = mkdtempSync(join(tmpdir(), 'fts-json-bench-'));
  const gun = join(dir, 'gun');
  execFileSync('mkfifo', [gun]);
  const names = Array.from({ length: PROCESSES }, (_, i) => `p${i + 1}`);
  const procfile = names.map(
    (name) =>
      `${name}: cat ${gun} >/dev/null; seq -f '${content.format(name)}' 1 ${LINES}; ` +
      `echo '${name} done'; exec sleep ${marker}`,
  );
  writeFileSync(join(dir, 'Procfile'), `${procfile.join('\n')}\n`);
  return { dir, gun, names };
}

const waitingOn = (gun) =>
  procTable().filter((p) => p.argv[0] === 'cat' && p.argv[1] === gun).length;

async function fire(gun) {
  for (let attempt = 0; attempt < 200 && waitingOn(gun) > 0; attempt++) {
    try {
      closeSync(openSync(gun, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: no reader at this instant
    }
    await sleep(10);
  }
}

async function runOnce(mode, content, app) {
  const outFile = join(app.dir, `out-${mode.id}.txt`);
  const fd = openSync(outFile, 'w');
  const child = spawn(process.execPath, [CLI, 'start', '--no-control', ...mode.args], {
    cwd: app.dir,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const closed = new Promise((done) => child.once('close', done));
  let doneCount = 0;
  let tail = '';
  let allDone;
  const finished = new Promise((done) => (allDone = done));
  child.stdout.on('data', (chunk) => {
    writeSync(fd, chunk);
    const text = tail + chunk.toString('latin1');
    for (let at = text.indexOf(' done'); at !== -1; at = text.indexOf(' done', at + 1)) doneCount++;
    tail = text.slice(-4);
    if (doneCount >= app.names.length) allDone(performance.now());
  });
  const deadline = performance.now() + 60_000;
  while (waitingOn(app.gun) < app.names.length) {
    if (performance.now() > deadline) throw new Error('generators never reached the gun');
    await sleep(50);
  }
  await sleep(300); // let the start-up records settle
  const cpuBefore = cpuSeconds(child.pid);
  const start = performance.now();
  await fire(app.gun);
  const end = await finished;
  const cpu = cpuSeconds(child.pid) - cpuBefore;
  child.kill('SIGTERM');
  await closed;
  closeSync(fd);
  const check = verify(mode.id, content, readFileSync(outFile), app.names);
  rmSync(outFile);
  return { seconds: (end - start) / 1000, cpu, ...check };
}

/** Every generated line exactly once, in order per process, intact. */
function verify(mode, content, bytes, names) {
  const next = new Map(names.map((name) => [name, 1]));
  let delivered = 0;
  let bad = 0;
  const textLine = /^\d\d:\d\d:\d\d (p\d+)\.1 +\| (.*)$/;
  for (const line of bytes.toString('utf8').split('\n')) {
    if (line === '') continue;
    let name;
    let msg;
    if (mode === 'json') {
      const record = JSON.parse(line);
      if (record.event !== undefined) continue;
      name = record.type;
      msg = record.msg;
      if (record.process !== `${name}.1` || record.level !== 30) bad++;
    } else {
      const match = textLine.exec(line);
      if (match === null) continue;
      [, name, msg] = match;
    }
    if (msg === `${name} done`) continue;
    if (msg === content.line(name, String(next.get(name)).padStart(8, '0'))) {
      next.set(name, next.get(name) + 1);
      delivered++;
    } else {
      if (bad < 3) console.error(`unexpected ${mode} line (want #${next.get(name)}): ${line}`);
      bad++;
    }
  }
  return { delivered, bad, bytes: bytes.length };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(content) {
  const marker = 4_200_000 + Math.floor(Math.random() * 99_999);
  const app = makeApp(content, marker);
  const expected = PROCESSES * LINES;
  const samples = new Map(MODES.map((mode) => [mode.id, []]));
  try {
    for (let round = 0; round < RUNS; round++) {
      // Alternate the order, so a load spike on a shared machine does not always hit one mode.
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
        const sample = await runOnce(mode, content, app);
        samples.get(mode.id).push(sample);
        console.error(
          `${content.id} ${mode.id} run ${round + 1}/${RUNS}: ${sample.seconds.toFixed(2)} s, ` +
            `cpu ${sample.cpu.toFixed(2)} s, delivered ${sample.delivered}/${expected}, ` +
            `bad ${sample.bad}`,
        );
      }
    }
  } finally {
    try {
      execFileSync('pkill', ['-f', `sleep ${marker}`]);
    } catch {
      // nothing left
    }
    rmSync(app.dir, { recursive: true, force: true });
  }
  return MODES.map((mode) => {
    const runs = samples.get(mode.id);
    const seconds = median(runs.map((run) => run.seconds));
    return {
      content: content.id,
      mode: mode.id,
      seconds,
      linesPerSecond: Math.round(expected / seconds),
      cpu: median(runs.map((run) => run.cpu)),
      mib: runs[0].bytes / 1048576,
      isComplete: runs.every((run) => run.delivered === expected && run.bad === 0),
    };
  });
}

async function main() {
  const rows = [];
  for (const content of CONTENTS) rows.push(...(await measure(content)));
  console.log(
    `${PROCESSES} processes x ${LINES.toLocaleString('en')} lines, median of ${RUNS} runs, ` +
      `node ${process.version}, ${rows.length / 2} kinds of content`,
  );
  console.log(
    '| content | mode | wall (median) | lines/s | CPU of foreman-ts | output | all lines intact | JSON/text |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  let isMet = rows.every((row) => row.isComplete);
  for (const row of rows) {
    const text = rows.find((other) => other.content === row.content && other.mode === 'text');
    const ratio = text.seconds / row.seconds;
    if (row.content === 'plain' && ratio < 0.7) isMet = false;
    console.log(
      `| ${row.content} | ${row.mode} | ${row.seconds.toFixed(2)} s | ` +
        `${row.linesPerSecond.toLocaleString('en')} | ${row.cpu.toFixed(2)} s | ` +
        `${row.mib.toFixed(0)} MiB | ${row.isComplete ? 'yes' : 'NO'} | ` +
        `${row.mode === 'json' ? `${(ratio * 100).toFixed(0)}%` : ''} |`,
    );
  }
  console.log(
    `target (plain JSON >= 70% of text, every line intact): ${isMet ? 'met' : 'NOT met'}`,
  );
  process.exitCode = isMet ? 0 : 1;
}

await main();
