// Sections that standalone bench scripts write into docs/benchmarks.md, between
// `<!-- BEGIN name (script) -->` and `<!-- END name -->`; bench/run.mjs keeps them as they are.
import { readFileSync, writeFileSync } from 'node:fs';

/** Replace the section `name` of `file` (or append it), leaving the rest as it is. */
export function writeMarkedSection({ file, name, script, section }) {
  const begin = `<!-- BEGIN ${name} (${script}) -->`;
  const end = `<!-- END ${name} -->`;
  const doc = readFileSync(file, 'utf8');
  const block = `${begin}\n${section}${end}\n`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  const next =
    from !== -1 && to > from
      ? doc.slice(0, from) + block + doc.slice(to + end.length + 1)
      : `${doc.trimEnd()}\n\n${block}`;
  writeFileSync(file, next);
}
