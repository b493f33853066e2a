import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

/** What `npm pack` would publish: the help's "docs in the package" must be true. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function packedFiles(): string[] {
  const json = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(json) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((file) => file.path);
}

/** Relative links of a Markdown file, resolved from the package root. */
function linksOf(path: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((link) => !/^[a-z]+:/.test(link))
    .map((link) => normalize(join(dirname(path), link)));
}

t.test(
  'the package ships the docs, the license, the examples, and no sources or tests',
  async (t) => {
    const files = packedFiles();
    const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    for (const doc of docs) t.ok(files.includes(`docs/${doc}`), `docs/${doc}`);
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'dist/bin.js', 'package.json'])
      t.ok(files.includes(file), file);
    t.same(
      files.filter((file) => /^(src|test|fixtures|bench|scripts|\.tap|node_modules)\//.test(file)),
      [],
    );
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    t.equal(pkg.license, 'MIT');
    t.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/);
    const broken = ['README.md', ...docs.map((doc) => `docs/${doc}`)].flatMap((doc) =>
      linksOf(doc)
        .filter((link) => !files.includes(link))
        .map((link) => `${doc} -> ${link}`),
    );
    t.same(broken, [], 'every relative link of the shipped docs is shipped');
  },
);

t.test('the docs the help names are in the package', async (t) => {
  const help = await runCli(t, ['--help'], { cwd: t.testdir({}) });
  t.equal(help.exitCode, 0);
  const footer = /^Docs: .*$/m.exec(help.stdout)?.[0] ?? '';
  const named = [...footer.matchAll(/[a-z-]+\.md/g)].map((match) => `docs/${match[0]}`);
  t.ok(named.length >= 5, footer);
  const files = packedFiles();
  for (const doc of named) t.ok(files.includes(doc), doc);
});
