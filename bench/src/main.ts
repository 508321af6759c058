/**
 * `npm run bench`: runs every case of every registered suite, each in a fresh Node.js
 * process, prints the table (ratios against Erlang/OTP reference figures and against xstate
 * measured in the same run), writes results/latest.json and draws docs/benchmarks-actor.svg
 * from that file.
 *
 *   npm run bench                      full run; writes the JSON and the chart
 *   npm run bench -- --quick           fewer rounds, smaller rounds; writes nothing
 *   npm run bench -- ping-pong flood   only cases whose name contains one of the words
 *   npm run bench -- --list            the case names
 *   npm run bench -- --one-core        each child pinned to CPU 0 (Linux taskset)
 *   npm run bench -- --cpu-prof        a .cpuprofile per case, in the OS temp directory
 *   npm run bench -- --markdown        also print the table as Markdown
 *   npm run bench -- --chart-only      redraw the chart from results/latest.json
 *   --write / --no-write               force or skip writing the JSON and the chart
 *
 * When run through the root script, npm takes unknown `--flags` as its own config and hands
 * them to us as `npm_config_<flag>` variables; both forms are read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChart } from './chart.js';
import { type CaseRef, type CaseResult, FULL, QUICK, runInChild } from './harness.js';
import { registry } from './registry.js';
import { buildDoc, buildRows, formatValue, markdownTable, notes, revision, textTable } from './report.js';
import { caseName } from './suite.js';

const FLAGS = ['quick', 'list', 'one-core', 'cpu-prof', 'markdown', 'chart-only', 'help'] as const;
type Flag = (typeof FLAGS)[number];

interface Cli {
  flags: Set<Flag>;
  /** undefined: write only after a full, unfiltered, successful run. */
  write: boolean | undefined;
  filters: string[];
}

const USAGE = `usage: npm run bench -- [--quick] [--list] [--one-core] [--cpu-prof] [--markdown] [--chart-only] [--write | --no-write] [name filter...]`;

function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): Cli {
  const flags = new Set<Flag>();
  let write: boolean | undefined;
  const filters: string[] = [];
  for (const a of argv) {
    if (a === '--write') write = true;
    else if (a === '--no-write') write = false;
    else if (a.startsWith('--')) {
      const f = a.slice(2) as Flag;
      if (!FLAGS.includes(f)) throw new Error(`unknown option ${a}\n${USAGE}`);
      flags.add(f);
    } else filters.push(a);
  }
  for (const f of FLAGS) if (env[`npm_config_${f.replace(/-/g, '_')}`] === 'true') flags.add(f);
  const w = env.npm_config_write;
  if (write === undefined && w !== undefined) write = w === 'true';
  return { flags, write, filters };
}

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const jsonPath = join(benchDir, 'results', 'latest.json');
const svgPath = join(benchDir, '..', 'docs', 'benchmarks-actor.svg');

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (cli.flags.has('chart-only')) {
    writeChart(jsonPath, svgPath);
    console.log(`wrote ${svgPath} from ${jsonPath}`);
    return 0;
  }

  const suites = await Promise.all(registry.map((load) => load()));
  const all: CaseRef[] = suites.flatMap(({ default: suite }, index) =>
    Object.keys(suite.cases).map((key) => ({ index, key, name: caseName(suite, key) })),
  );
  const chosen =
    cli.filters.length === 0 ? all : all.filter((c) => cli.filters.some((f) => c.name.includes(f)));
  if (cli.flags.has('list')) {
    for (const c of all) console.log(c.name);
    return 0;
  }
  if (chosen.length === 0) throw new Error(`no case matches ${cli.filters.join(', ')}; try --list`);

  const quick = cli.flags.has('quick');
  const measure = quick ? QUICK : FULL;
  const oneCore = cli.flags.has('one-core');
  const nodeFlags: string[] = [];
  if (cli.flags.has('cpu-prof')) {
    const dir = join(tmpdir(), 'corral-bench-profiles');
    mkdirSync(dir, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    console.log(`CPU profiles go to ${dir}`);
  }

  const started = performance.now();
  const results: CaseResult[] = [];
  const failures: string[] = [];
  for (const [i, ref] of chosen.entries()) {
    const prefix = `[${i + 1}/${chosen.length}] ${ref.name}`;
    try {
      const r = await runInChild(ref, { measure, nodeFlags, oneCore, timeoutMs: 120_000 });
      results.push(r);
      console.log(`${prefix}: ${formatValue(r.median, r.unit)} ${r.unit} (${r.seconds.toFixed(1)} s)`);
    } catch (e) {
      failures.push(ref.name);
      console.error(`${prefix}: FAILED\n${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const argv = [...(quick ? ['--quick'] : []), ...(oneCore ? ['--one-core'] : []), ...cli.filters];
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const rows = buildRows(results);
  const doc = buildDoc(
    rows,
    { ...measure, freshProcessPerCase: true, nodeFlags, oneCore },
    command,
    new Date(),
    revision(benchDir),
  );
  console.log(`\n${textTable(rows)}\n`);
  for (const n of notes(rows)) console.log(`  ${n}`);
  if (cli.flags.has('markdown')) console.log(`\n${markdownTable(rows)}\n`);
  const m = doc.machine;
  console.log(
    `\n${m.cpus} × ${m.cpuModel}, Node.js ${m.node}; ratios are Corral ÷ other (for bytes, lower is better); ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s in all`,
  );

  const complete = cli.filters.length === 0 && !quick && failures.length === 0 && nodeFlags.length === 0;
  if (cli.write ?? complete) {
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(doc, null, 2)}\n`);
    writeChart(jsonPath, svgPath);
    console.log(`wrote ${jsonPath} and ${svgPath}`);
  } else {
    console.log('results not written (quick, filtered, profiled or failed run; --write forces it)');
  }
  if (failures.length > 0) console.error(`failed: ${failures.join(', ')}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  },
);
