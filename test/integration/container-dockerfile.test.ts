import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import t from 'tap';
import { FIXTURES } from '../helpers/cli.js';

/**
 * There is no Docker engine on these machines: the example image is checked by reading it.
 * The PID-namespace tests (container-pid1.test.ts) are the executable proof of what it runs.
 */
const ROOT = resolve(FIXTURES, '..');
const DOCKERFILE = readFileSync(resolve(ROOT, 'examples/Dockerfile'), 'utf8');

type Instruction = Readonly<{ keyword: string; args: string; line: number }>;

/** Instructions as Docker reads them: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue; // comments inside a continuation
    if (pending === '') start = index + 1;
    const isContinued = line.endsWith('\\');
    pending += `${isContinued ? line.slice(0, -1) : line} `;
    if (isContinued) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(pending.trim()) ?? [];
    instructions.push({ keyword: keyword.toUpperCase(), args, line: start });
    pending = '';
  }
  return instructions;
}

/** Stages, each with its name and instructions (those before the first FROM are global ARGs). */
function stagesOf(instructions: readonly Instruction[]) {
  const stages: { name: string | undefined; from: string; body: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', , name] = instruction.args.split(/\s+/);
      stages.push({ name: name?.toLowerCase(), from, body: [] });
    } else stages.at(-1)?.body.push(instruction);
  }
  return stages;
}

const instructions = parseDockerfile(DOCKERFILE);
const stages = stagesOf(instructions);
const runtime = stages.at(-1);
const last = (keyword: string): Instruction | undefined =>
  runtime?.body.filter((instruction) => instruction.keyword === keyword).at(-1);

t.test(
  'multi-stage: a build stage, then a runtime stage with production dependencies only',
  async (t) => {
    t.ok(stages.length >= 2, 'at least two stages');
    t.equal(stages[0]?.name, 'build');
    const runs = runtime?.body.filter((instruction) => instruction.keyword === 'RUN') ?? [];
    t.ok(
      runs.some((run) => /\bnpm ci --omit=dev\b/.test(run.args)),
      'npm ci --omit=dev in the final stage',
    );
    t.notOk(
      runs.some((run) => /\bnpm (ci|install)\b(?!.*--omit=dev)/.test(run.args)),
      'no dev dependencies in the final stage',
    );
    const copies = runtime?.body.filter((instruction) => /--from=/.test(instruction.args)) ?? [];
    for (const copy of copies) {
      const [, from] = /--from=(\S+)/.exec(copy.args) ?? [];
      t.ok(
        stages.some((stage) => stage.name === from),
        `COPY --from=${from} names a stage (line ${copy.line})`,
      );
    }
  },
);

t.test('ENTRYPOINT ["foreman-ts"], CMD ["start"], both in exec form', async (t) => {
  const entrypoint = last('ENTRYPOINT');
  const cmd = last('CMD');
  t.same(JSON.parse(entrypoint?.args ?? 'null'), ['foreman-ts'], 'exec form: no /bin/sh -c');
  t.same(JSON.parse(cmd?.args ?? 'null'), ['start']);
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  t.ok('foreman-ts' in pkg.bin, 'the entrypoint is the name our package installs');
  t.match(last('ENV')?.args, /PATH=\/app\/node_modules\/\.bin:\$PATH/, 'and it is on PATH');
});

t.test('the app runs as a non-root user', async (t) => {
  const user = last('USER')?.args.split(':')[0];
  t.ok(user !== undefined, 'the final stage sets USER');
  t.notOk(['root', '0', ''].includes(user ?? ''), `USER ${user} is not root`);
  const userLine = last('USER')?.line ?? Infinity;
  const after = runtime?.body.filter((instruction) => instruction.line > userLine) ?? [];
  t.notOk(
    after.some((instruction) => instruction.keyword === 'RUN'),
    'nothing runs as root after it either',
  );
});

t.test('docs/container.md shows exactly this Dockerfile', async (t) => {
  const doc = readFileSync(resolve(ROOT, 'docs/container.md'), 'utf8');
  const [, shown] = /```dockerfile\n([\s\S]*?)```/.exec(doc) ?? [];
  t.equal(shown, DOCKERFILE, 'the doc and examples/Dockerfile do not drift apart');
});
