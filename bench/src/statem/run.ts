/**
 * The statem benchmarks on their own: `npx tsx bench/src/statem/run.ts [--quick] [filter...]`
 * (from the repository root). Every case is measured in this process, one after the other,
 * with the harness of `npm run bench` (warm-up, rounds, median, heap after a full GC); the
 * script restarts itself with `--expose-gc` when it needs to. It prints each figure and the
 * ratios the statem issue asks for: machine process vs plain callback process vs bare
 * xstate `actor.send`, and spawn rates at growing numbers of live machines.
 *
 * In `npm run bench` the same suites run one case per child process: see bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type CaseResult, FULL, measureCase, QUICK } from '../harness.js';
import { caseName, type Suite } from '../suite.js';
import events from './events.js';
import idleMemory from './idle-memory.js';
import spawn from './spawn.js';
import xstateEvents from './xstate-events.js';
import xstateSpawn from './xstate-spawn.js';

export const suites: Suite[] = [events, xstateEvents, spawn, xstateSpawn, idleMemory];

if ((globalThis as { gc?: unknown }).gc === undefined) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));
const results = new Map<string, Omit<CaseResult, 'seconds'>>();

const fmt = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);

for (const suite of suites) {
  for (const [key, c] of Object.entries(suite.cases)) {
    const name = caseName(suite, key);
    if (filters.length > 0 && !filters.some((f) => name.includes(f))) continue;
    const r = await measureCase(
      { name, workload: suite.workload, system: suite.system, key },
      c,
      quick ? QUICK : FULL,
    );
    results.set(name, r);
    console.log(`${name.padEnd(52)} ${fmt(r.median).padStart(8)} ${r.unit}   (${c.label ?? key})`);
  }
}

const ratio = (a: string, b: string, what: string): void => {
  const x = results.get(a);
  const y = results.get(b);
  if (x !== undefined && y !== undefined)
    console.log(`${what.padEnd(52)} ${(x.median / y.median).toFixed(2)}x`);
};

console.log('');
ratio(
  'statem-events/corral/machine',
  'statem-events/xstate/actor-send',
  'machine process / bare xstate actor.send',
);
ratio(
  'statem-events/corral/machine-actor-engine',
  'statem-events/xstate/actor-send',
  'actor-engine process / bare xstate actor.send',
);
ratio(
  'statem-events/corral/machine',
  'statem-events/corral/callback',
  'machine process / plain callback process',
);
ratio(
  'statem-spawn/corral/spawn-fifty-thousand',
  'statem-spawn/corral/spawn-thousand',
  'spawn rate at 50k / at 1k (1.0 = O(1) per spawn)',
);
ratio(
  'statem-spawn/xstate/spawn-child-four-thousand',
  'statem-spawn/xstate/spawn-child-thousand',
  'xstate spawnChild rate at 4k / at 1k',
);
ratio(
  'statem-spawn/corral/spawn-ten-thousand',
  'statem-spawn/xstate/create-actor-ten-thousand',
  'machine process spawn / xstate createActor',
);
