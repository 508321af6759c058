/**
 * Type-checks every TypeScript code block of the README, the package READMEs and docs/: each
 * ```ts block becomes a module in .doc-snippets/ and `tsc` checks them all with the
 * repository's strict settings. A block that is not meant to compile on its own (a fragment)
 * is marked by an HTML comment `<!-- not-checked -->` on the line before its fence; a block that
 * goes on from the block before it in the same file (using its imports and names) is marked
 * `<!-- continues -->`, and the two are checked as one module.
 *
 *   npx tsx scripts/check-doc-snippets.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, '.doc-snippets');

function markdownFiles(): string[] {
  const files = [join(root, 'README.md')];
  for (const dir of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, dir))) {
      const readme = join(root, dir, name, 'README.md');
      if (statSync(readme, { throwIfNoEntry: false })?.isFile()) files.push(readme);
    }
  }
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) files.push(p);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let count = 0;
for (const file of markdownFiles()) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let current: { name: string; text: string } | undefined;
  const flush = (): void => {
    if (current !== undefined) writeFileSync(join(out, current.name), `${current.text}export {};\n`);
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const marker = i > 0 ? lines[i - 1]!.trim() : '';
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    if (marker !== '<!-- not-checked -->') {
      const body = `// ${relative(root, file)}:${start}\n${lines.slice(start, end).join('\n')}\n`;
      if (marker === '<!-- continues -->' && current !== undefined) current.text += body;
      else {
        flush();
        current = { name: `${relative(root, file).replace(/[^a-zA-Z0-9]+/g, '_')}_L${start}.ts`, text: body };
      }
      count++;
    }
    i = end;
  }
  flush();
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.base.json',
    compilerOptions: { noUnusedLocals: false, module: 'NodeNext', moduleResolution: 'NodeNext' },
    include: ['*.ts'],
  }),
);
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
  console.log(`doc snippets: ${count} TypeScript blocks type-check`);
} catch {
  console.error(
    `doc snippets: some of the ${count} TypeScript blocks do not type-check (files in .doc-snippets/)`,
  );
  process.exit(1);
}
