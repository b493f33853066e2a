import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';

/**
 * The research notes (R7, E14d, P5, deps.md §4, runtime.md ...) are not in this repository, so a
 * reader cannot follow a citation of them. A fact the code relies on goes into docs/ and the
 * comment cites the doc (docs/signals.md, "Why it is built this way", is such a section).
 */
const ROOT = new URL('../..', import.meta.url).pathname;
const SCANNED = [
  'src',
  'bench',
  'test',
  'scripts',
  'docs',
  'examples',
  '.ci',
  'README.md',
  'CHANGELOG.md',
];
/** R1-R30, E1-E26 (E14d...), P1-P15, the notes' file names; not hex bytes such as `E0`, `E1..EF`. */
const NOTE_ID = String.raw`(?<!\.\.)\b(?:R(?:[1-9]|[12]\d|30)|E(?:[1-9]|1\d|2[0-6])[a-g]?|P(?:[1-9]|1[0-5]))\b(?!\.\.)`;
const CITATION = new RegExp(
  String.raw`${NOTE_ID}|\b(?:anchors|deps|engines|runtime)\.md\b|shared/research|research notes?\b`,
  'g',
);
const SELF = relative(ROOT, new URL(import.meta.url).pathname);

function filesUnder(path: string): string[] {
  const entries = readdirSync(join(ROOT, path), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

function listFiles(): string[] {
  return SCANNED.flatMap((path) => (path.includes('.md') ? [path] : filesUnder(path)));
}

/** `file:line: text` for each citation in `file`. */
function citationsIn(file: string): string[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  return lines.flatMap((line, index) =>
    [...line.matchAll(CITATION)].map((match) => `${file}:${index + 1}: ${match[0]}`),
  );
}

t.test('no comment, doc or string cites the research notes', async (t) => {
  const files = listFiles().filter((file) => file !== SELF);
  t.ok(files.length > 50, `scanned ${files.length} files`);
  t.same(files.flatMap(citationsIn), [], 'carry the fact into docs/ and cite the doc instead');
});
