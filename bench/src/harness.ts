/**
 * The measuring: warm-up rounds, measured rounds, medians, heap per entity after a full GC,
 * and one fresh Node.js process per case (so one workload's garbage, inline caches and JIT
 * decisions never reach another's figures).
 *
 * The parent side ({@link runInChild}) starts `node --expose-gc --import tsx src/child.ts`;
 * the child side ({@link measureCase}) runs there and sends one {@link CaseResult} back over
 * the IPC channel.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchCase, better, type HeapCase, type Params, type TimedCase } from './suite.js';

/** How hard to measure. */
export interface MeasureOptions {
  quick: boolean;
  /** Unrecorded rounds first, so the JIT has settled (timed cases). */
  warmup: number;
  /** Recorded rounds; the median is the figure. */
  rounds: number;
  /** Rounds for heap cases (each creates `count` entities; their spread is small). */
  heapRounds: number;
}

export const FULL: MeasureOptions = { quick: false, warmup: 2, rounds: 7, heapRounds: 3 };
export const QUICK: MeasureOptions = { quick: true, warmup: 1, rounds: 3, heapRounds: 2 };

/** One case's figure and how it was made (one row of results/latest.json). */
export interface CaseResult {
  name: string;
  workload: string;
  system: string;
  case: string;
  label: string;
  kind: BenchCase['kind'];
  unit: string;
  better: 'higher' | 'lower';
  /** The median of the recorded rounds. */
  median: number;
  min: number;
  max: number;
  /** Every recorded round, in order. */
  samples: number[];
  /** The work each timed round was given (see `TimedCase.size`), or entities per heap round. */
  size: number;
  warmup: number;
  rounds: number;
  params: Params;
  reference: { erlang?: number; reported?: number };
  target: number | undefined;
  /** Wall time of the child process, seconds (start-up included). */
  seconds: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Lets queued microtasks, scheduler slices and setImmediate callbacks run out. */
export async function settle(turns = 2): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('heap and timed cases need a full GC: run node with --expose-gc');
  // Twice: the first pass may leave objects that only weak callbacks or finalizers freed.
  gc();
  gc();
}

async function measureTimed(c: TimedCase<any>, opts: MeasureOptions): Promise<[number[], number]> {
  const size = opts.quick ? (c.quickSize ?? Math.max(1, Math.floor(c.size / 4))) : c.size;
  const ctx = c.setup === undefined ? undefined : await c.setup();
  const samples: number[] = [];
  try {
    for (let i = 0; i < opts.warmup + opts.rounds; i++) {
      const timed = await c.round(size, ctx);
      await settle();
      // Each round starts from a clean heap, so it does not pay for the previous round's garbage.
      fullGc();
      let ops: number;
      let seconds: number;
      if (c.clock === undefined) {
        const t0 = performance.now();
        ops = await timed();
        seconds = (performance.now() - t0) / 1000;
      } else {
        const t0 = await c.clock(ctx);
        ops = await timed();
        seconds = (await c.clock(ctx)) - t0;
      }
      if (!(ops > 0)) throw new Error(`round ${i} reported ${ops} operations`);
      if (i >= opts.warmup) samples.push(c.kind === 'rate' ? ops / seconds : seconds / ops);
    }
  } finally {
    await c.teardown?.(ctx);
  }
  return [samples, size];
}

/** This process's heap in use after pending work has settled and a full GC. */
async function localHeap(): Promise<number> {
  await settle();
  fullGc();
  return process.memoryUsage().heapUsed;
}

async function measureHeap(c: HeapCase<any>, opts: MeasureOptions): Promise<[number[], number]> {
  const h = await c.prepare();
  const usage = c.usage === undefined ? localHeap : () => c.usage!(h);
  const samples: number[] = [];
  try {
    for (let i = 0; i < opts.heapRounds; i++) {
      const before = await usage();
      await c.fill(h, c.count);
      const after = await usage();
      const alive = await c.alive(h);
      if (alive !== c.count) throw new Error(`expected ${c.count} idle entities, found ${alive} alive`);
      samples.push((after - before) / c.count);
      await c.clear(h);
    }
  } finally {
    await c.dispose?.(h);
  }
  return [samples, c.count];
}

/** Measures one case in this process (the child side). */
export async function measureCase(
  id: { name: string; workload: string; system: string; key: string },
  c: BenchCase,
  opts: MeasureOptions,
): Promise<Omit<CaseResult, 'seconds'>> {
  const [samples, size] = c.kind === 'heap' ? await measureHeap(c, opts) : await measureTimed(c, opts);
  return {
    name: id.name,
    workload: id.workload,
    system: id.system,
    case: id.key,
    label: c.label ?? id.key,
    kind: c.kind,
    unit: c.unit,
    better: better(c),
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    samples,
    size,
    warmup: c.kind === 'heap' ? 0 : opts.warmup,
    rounds: samples.length,
    params: c.params ?? {},
    reference: c.reference ?? {},
    target: c.target,
  };
}

/** Where a case lives: its suite's index in the registry and its key in the suite. */
export interface CaseRef {
  index: number;
  name: string;
  key: string;
}

export interface ChildOptions {
  measure: MeasureOptions;
  /** Extra Node.js flags for the child, e.g. `--cpu-prof`. */
  nodeFlags: string[];
  /** Run the child on one CPU (Linux `taskset -c 0`), as the Erlang reference ran on one scheduler. */
  oneCore: boolean;
  /** Kill a child that runs longer than this. */
  timeoutMs: number;
}

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const childEntry = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Runs one case in a fresh `node --expose-gc --import tsx` process and returns its result. */
export function runInChild(ref: CaseRef, opts: ChildOptions): Promise<CaseResult> {
  const args = [
    '--expose-gc',
    '--import',
    'tsx',
    ...opts.nodeFlags,
    childEntry,
    String(ref.index),
    ref.key,
    ref.name,
    JSON.stringify(opts.measure),
  ];
  const [cmd, argv] = opts.oneCore
    ? ['taskset', ['-c', '0', process.execPath, ...args]]
    : [process.execPath, args];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Children that start processes of their own (the WebSocket suites' servers) read
    // CORRAL_BENCH_ONE_CORE to put those on CPU 1, so a server never shares the client's CPU.
    const env = opts.oneCore ? { ...process.env, CORRAL_BENCH_ONE_CORE: '1' } : process.env;
    const child = spawn(cmd, argv, { cwd: benchDir, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Omit<CaseResult, 'seconds'> | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `timed out after ${opts.timeoutMs} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on(
      'message',
      (m: { ok: true; result: Omit<CaseResult, 'seconds'> } | { ok: false; error: string }) => {
        if (m.ok) result = m.result;
        else failure = m.error;
      },
    );
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close', not 'exit': Node emits it once the child's stdio and IPC channel have closed too.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined) resolve({ ...result, seconds: (performance.now() - started) / 1000 });
      else
        reject(
          new Error(
            `${ref.name}: ${failure ?? `child exited (code ${code}, signal ${signal}) without a result`}`,
          ),
        );
    });
  });
}
