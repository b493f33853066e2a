// Readers that verify what a tool delivered, line by line, as it arrives. They must be much
// faster than the tools they judge, so they decode as latin1 (one byte, one char: no UTF-8 work,
// and a split multi-byte sequence cannot confuse them) and compare whole strings, no regexes.
import { performance } from 'node:perf_hooks';

const ANSI = /\x1b\[[0-9;]*m/g;

/** Feed chunks in, get whole lines out (without `\n`); `end()` returns a final partial line. */
function createSplitter(onLine) {
  let rest = '';
  return {
    push(chunk) {
      const text = rest + chunk.toString('latin1');
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        onLine(text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
    },
    end() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/**
 * `label | content` as all three tools print it (`HH:MM:SS p1.1  | text`; nf puts one more
 * space after the bar, and any tool may colour the label). Returns [label, content] or undefined.
 */
function splitPrefixed(line) {
  const plain = line.includes('\x1b') ? line.replace(ANSI, '') : line;
  const bar = plain.indexOf('| ');
  if (bar === -1) return undefined;
  let from = bar + 2;
  while (plain.charCodeAt(from) === 32) from++;
  return [plain.slice(0, bar).trimEnd(), plain.slice(from)];
}

/** The content the throughput generator writes: `p3 00000042 xxxx...` (see throughput.mjs). */
export function sequenceLine(name, seq, pad) {
  return `${name} ${String(seq).padStart(8, '0')} ${pad}`;
}

/**
 * Checks the throughput run: process `pN` (label `pN.1`) must deliver lines 1..count in order,
 * each whole, then `pN done`. Counts intact lines, skipped ones (never arrived), damaged ones (a
 * generator's line cut, merged, repeated, out of order or under another label) and others (the
 * tool's own messages).
 */
export function createSequenceCheck({ names, count, pad, onAllDone }) {
  const next = new Map(names.map((name) => [name, 1]));
  const labels = new Map(names.map((name) => [name, `${name}.1`]));
  const stats = {
    intact: 0,
    skipped: 0,
    damaged: 0,
    other: 0,
    done: 0,
    receivedBytes: 0,
    lastDataAt: 0,
  };
  const onLine = (line) => {
    const parts = splitPrefixed(line);
    const content = parts?.[1] ?? line;
    const name = content.slice(0, content.indexOf(' '));
    const expected = next.get(name);
    if (expected === undefined) return void stats.other++;
    const isLabelled = parts !== undefined && parts[0].endsWith(labels.get(name));
    if (isLabelled && content === `${name} done`) {
      if (++stats.done === names.length) onAllDone?.();
      return;
    }
    const seq = Number(content.slice(name.length + 1, name.length + 9));
    const isWhole = seq >= 1 && seq <= count && content === sequenceLine(name, seq, pad);
    // A lost line shows up as a gap; the next whole line still counts, so one loss is one loss.
    if (isLabelled && isWhole && seq >= expected) {
      stats.intact++;
      stats.skipped += seq - expected;
      next.set(name, seq + 1);
    } else {
      stats.damaged++;
    }
  };
  return feed(stats, onLine, () => (stats.lastDataAt = performance.now()));
}

/**
 * Checks the slow-consumer run: process `label` repeats one `content` line; counts the lines
 * and content bytes that arrived intact, and anything else.
 */
export function createRepeatCheck({ label, content, doneLine, onDone }) {
  const stats = {
    intact: 0,
    contentBytes: 0,
    damaged: 0,
    other: 0,
    receivedBytes: 0,
    isDone: false,
  };
  const onLine = (line) => {
    const parts = splitPrefixed(line);
    if (parts === undefined || !parts[0].endsWith(label)) return void stats.other++;
    if (parts[1] === content) {
      stats.intact++;
      stats.contentBytes += content.length + 1;
    } else if (parts[1] === doneLine) {
      stats.isDone = true;
      onDone?.();
    } else {
      stats.damaged++;
    }
  };
  return feed(stats, onLine);
}

/** A checker's face: bytes in (counted), lines out to `onLine`, and its stats. */
function feed(stats, onLine, onChunk = () => {}) {
  const splitter = createSplitter(onLine);
  return {
    stats,
    push(chunk) {
      stats.receivedBytes += chunk.length;
      onChunk();
      splitter.push(chunk);
    },
    end: () => splitter.end(),
  };
}
