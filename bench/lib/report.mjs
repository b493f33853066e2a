// Turn one run's results into docs/benchmarks.md: the targets first, then each benchmark's
// table, the exact commands and the machine it ran on. Pure: results in, markdown out.
import { fmt, mib, ms, ratio, seconds, times } from './stats.mjs';
import { evaluateTargets } from './targets.mjs';

const verdict = (ok) =>
  ok === undefined
    ? 'n/a'
    : ok === 'borderline'
      ? '**borderline** (wall and CPU disagree)'
      : ok
        ? '**met**'
        : '**MISSED**';

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function code(text, lang = '') {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

function renderThroughput(tp) {
  const rows = tp.rows.map((r) => [
    r.tool,
    seconds(r.wallMs),
    `${seconds(r.wallMinMs)} – ${seconds(r.wallMaxMs)}`,
    r.linesPerSecond === undefined ? 'n/a' : `${Math.round(r.linesPerSecond / 1000)}k`,
    fmt(r.cpuSeconds, 2, ' s'),
    `${r.intactMin}/${tp.expected}`,
    String(r.damagedMax ?? 'n/a'),
    mib(r.peakRss),
    String(r.leftovers ?? 'n/a'),
    r.outcomes.join(', '),
  ]);
  return [
    `## 1. Throughput: ${tp.processes} processes × ${tp.count} lines`,
    '',
    table(
      [
        'tool',
        'wall (median)',
        'wall (min – max)',
        'lines/s',
        'tool CPU (median)',
        'lines intact (worst run)',
        'damaged (worst)',
        'peak RSS (max)',
        'left running after SIGTERM',
        'notes',
      ],
      rows,
    ),
    '',
    `Runs per tool: ${tp.rows[0]?.runs}, order rotated each round. Wall time runs from the moment`,
    'all generators are released (a FIFO "starting gun", after the tool has started them) to',
    'the arrival of the last `pN done` line; tool start-up is excluded (it is benchmark 4).',
    '"Tool CPU" is user+system time of the tool\'s own process over the same span (from',
    '`/proc/<pid>/stat`), less sensitive to load than wall time. A line is intact when it carries',
    "its process's label and exactly the generator's text, in sequence; damaged lines are cut,",
    "merged, repeated or reordered pieces. The tool's stdout is a real pipe (a FIFO) read by the",
    'harness. "left running" counts processes that survived the tool (killed by the harness).',
    '',
    'Commands, each run in the app folder:',
    '',
    code(tp.commands.join('\n'), 'sh'),
    '',
    'Procfile (the gun path and sleep marker vary per run):',
    '',
    code(tp.procfile),
  ].join('\n');
}

function renderSlowConsumer(slow) {
  const rows = [
    [
      `paused ${slow.pauseMs / 1000} s`,
      mib(slow.afterPause.peakRss),
      mib(slow.afterPause.delivered),
    ],
    [
      `${mib(slow.slowRate)}/s for ${slow.slowMs / 1000} s`,
      mib(slow.afterSlow.peakRss),
      mib(slow.afterSlow.delivered),
    ],
    [`full speed (${seconds(slow.drainMs)})`, mib(slow.peakRss), mib(slow.receivedBytes)],
  ];
  return [
    '## 2. Peak RSS with a slow consumer (foreman-ts)',
    '',
    table(
      [
        'reader phase (cumulative)',
        'foreman-ts VmHWM at end of phase',
        'bytes read so far (with prefixes)',
      ],
      rows,
    ),
    '',
    `- volume: ${mib(slow.bytes)} of 64-byte lines (${slow.expectedLines} lines) from one process`,
    `- content at the far end: **${slow.contentBytes}/${slow.bytes} bytes**, ${slow.intact}/${slow.expectedLines} lines intact, ${slow.damaged} damaged`,
    `- peak RSS (VmHWM of the foreman-ts node process): **${mib(slow.peakRss)}**`,
    '',
    'The reader first reads nothing, then reads at a capped rate, then drains. A tool that buffered',
    'instead of pausing its children would hold most of the volume in memory after phase 1.',
    '',
    code(slow.command, 'sh'),
    '',
    code(slow.procfile),
  ].join('\n');
}

function renderShutdown(sd) {
  const rows = sd.rows.map((r) => [
    r.tool,
    ms(r.fullMs),
    ms(r.exitMs),
    ms(r.goneMs),
    String(r.exitCodes.join(', ')),
    `${r.hungRuns}/${r.runs}`,
    `${r.orphanRuns}/${r.runs}`,
    String(r.leftoversMax ?? 'n/a'),
    r.errors.join('; '),
  ]);
  return [
    `## 3. Shutdown: SIGTERM to full exit with ${sd.processes} processes`,
    '',
    table(
      [
        'tool',
        'full exit (median)',
        'tool exited (median)',
        'children gone (median)',
        'exit status',
        'runs hung',
        'runs orphaning',
        'left running (max)',
        'errors',
      ],
      rows,
    ),
    '',
    `"Full exit" is when the tool has exited **and** none of the ${sd.processes} processes (nor`,
    `anything else it started) is still running; "n/a" means that never happened within`,
    `${sd.timeoutMs / 1000} s (the harness then killed the leftovers by pid). Measured by polling`,
    '/proc every 20 ms after one SIGTERM to the tool, once all processes were up.',
    '',
    code(sd.commands.join('\n'), 'sh'),
    '',
    code(sd.procfile),
  ].join('\n');
}

function renderStartup(st, callgrind) {
  const base = st.rows.find((r) => r.id === 'node -e 0');
  const rows = st.rows.map((r) => [
    `\`${r.name}\``,
    ms(r.medianMs),
    `${fmt(r.meanMs, 1)} ± ${fmt(r.stddevMs, 1)} ms`,
    ms(r.minMs),
    ms(r.cpuMs),
    times(ratio(r.medianMs, base.medianMs)),
    times(ratio(r.cpuMs, base.cpuMs)),
  ]);
  const parts = [
    '## 4. `run true` start-up',
    '',
    table(
      ['command', 'median', 'mean ± σ', 'min', 'user+sys', '× node (median)', '× node (CPU)'],
      rows,
    ),
    '',
    `${st.rounds} rounds; each round is one hyperfine invocation with every command (${st.runs} runs`,
    'each, command order rotated between rounds), and the samples are pooled; "user+sys" is the',
    'mean CPU per run. Run in a temp app folder with a small Procfile and `.env`.',
    '`bench/floor-spawn.mjs` is a reference: an ESM script that only spawns the command and exits',
    'with its code, the least any ESM Node CLI can do here.',
    `foreman-ts/node median ratio per round: ${st.roundRatios.map((r) => times(r)).join(', ')}.`,
    '',
    'Round 1 (later rounds rotate the order):',
    '',
    code(st.hyperfineCommand, 'sh'),
  ];
  if (callgrind !== undefined) {
    const floor = callgrind[0]?.instructions;
    parts.push(
      '',
      'Instruction counts (valgrind callgrind; the main process only, so neither `true` nor a',
      "tool's own `sh` is counted; load-independent, repeats within about 2 %):",
      '',
      table(
        ['command', 'instructions', '× node -e 0'],
        callgrind.map((c) => [
          `\`${c.name}\``,
          c.instructions === undefined ? 'n/a' : `${(c.instructions / 1e6).toFixed(1)} M`,
          times(ratio(c.instructions, floor)),
        ]),
      ),
      '',
      code(
        'valgrind --tool=callgrind --callgrind-out-file=/dev/null --trace-children=yes ' +
          "'--trace-children-skip=*/true' <command>",
        'sh',
      ),
    );
  }
  return parts.join('\n');
}

export function renderReport(results) {
  const { facts } = results;
  const targets = evaluateTargets(results);
  const toolRows = results.tools.map((t) => [
    t.id,
    t.missing === undefined ? `\`${t.file}\`` : 'not run',
    t.version ?? 'n/a',
    t.missing ?? '',
  ]);
  const sections = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`bench/run.mjs`); do not edit by hand. This machine is shared',
    'and noisy: compare the tools **within** this run (ratios), not milliseconds across runs.',
    '',
    `- date: ${facts.date}`,
    `- machine: ${facts.nproc} CPUs (\`nproc\`), ${facts.cpu}, ${facts.memoryGiB} GiB RAM, ${facts.kernel}`,
    `- load average (1/5/15 min): **${results.loadStart}** at start, **${results.loadEnd}** at end`,
    `- node ${facts.node}; ${facts.hyperfine ?? 'hyperfine not installed'}; ${facts.valgrind ?? 'valgrind not installed'}`,
    `- foreman-ts at commit ${facts.commit}${facts.srcChanges > 0 ? ` with ${facts.srcChanges} uncommitted change(s) under src/` : ''} (built by \`npm run build\`)`,
    `- whole run: ${fmt(results.durationS, 0, ' s')}`,
    '',
    table(['tool', 'binary', 'version', 'skipped because'], toolRows),
    '',
    ...(results.skipped.length > 0
      ? ['Skipped:', '', ...results.skipped.map((s) => `- ${s}`), '']
      : []),
    '## Targets (issues 2 and 3)',
    '',
    table(
      ['target', 'measured', 'verdict'],
      targets.map((t) => [t.target, t.measured, verdict(t.ok)]),
    ),
  ];
  if (results.throughput) sections.push('', renderThroughput(results.throughput));
  if (results.slowConsumer) sections.push('', renderSlowConsumer(results.slowConsumer));
  if (results.shutdown) sections.push('', renderShutdown(results.shutdown));
  if (results.startup) sections.push('', renderStartup(results.startup, results.callgrind));
  if (results.notes?.length > 0)
    sections.push('', '## Notes', '', ...results.notes.map((n) => `- ${n}`));
  return `${sections.join('\n')}\n`;
}
