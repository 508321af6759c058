/**
 * What a benchmark file declares. A suite is one workload on one system (Corral, xstate, ...)
 * and holds one or more cases; each case runs alone in a fresh Node.js process and becomes
 * one row of the results table, named `<workload>/<system>/<case>`.
 *
 * Cases come in two kinds:
 * - {@link TimedCase}: the harness times rounds and reports operations per second
 *   (`kind: 'rate'`) or time per operation (`kind: 'latency'`);
 * - {@link HeapCase}: the harness measures the heap that `count` idle entities hold after a
 *   full GC, per entity.
 *
 * @example
 * // bench/src/actor/echo.ts — then add `() => import('./actor/echo.js'),` to registry.ts
 * export default defineSuite({
 *   workload: 'echo',
 *   system: 'corral',
 *   title: 'Echo to one process',
 *   cases: {
 *     callback: {
 *       kind: 'rate',
 *       unit: 'msgs/s',
 *       size: 1_000_000,
 *       round(size) {
 *         const node = createNode({ name: 'bench', logger: silentLogger });
 *         // ...spawn the processes, untimed...
 *         return () => new Promise<number>((done) => { ... done(size); });
 *       },
 *     },
 *   },
 * });
 */

/** The timed part of a round: does the work and returns how many operations it did. */
export type Timed = () => number | Promise<number>;

/** Parameters worth recording next to a figure (batch sizes, message counts). */
export type Params = Record<string, string | number | boolean>;

interface CaseBase {
  /** One line shown in the table and the JSON; defaults to the case's key. */
  label?: string;
  /** Recorded with the result, so a figure always says how it was made. */
  params?: Params;
  /**
   * Figures measured elsewhere, printed beside ours: `erlang` (Erlang/OTP) also gives the
   * "vs Erlang" ratio; `reported` is an earlier figure for this very system, for the record.
   */
  reference?: { erlang?: number; reported?: number };
  /** The goal for this figure: at least this (rates) or at most this (latency, bytes). */
  target?: number;
}

/** A throughput (`rate`: ops/s, higher is better) or latency (`latency`: seconds per op, lower is better) case. */
export interface TimedCase<C = undefined> extends CaseBase {
  kind: 'rate' | 'latency';
  /** What one operation is, as a unit: `'msgs/s'`, `'procs/s'`, or for latency `'s/restart'`. */
  unit: string;
  /**
   * The work one round is given in a full run, in the case's own terms (round trips,
   * messages, processes); aim for 0.1–0.5 s a round. The round reports how many operations
   * (in `unit`) it did.
   */
  size: number;
  /** Operations per unit of `size` (2 when `size` counts round trips of two messages); default 1. */
  opsPerSize?: number;
  /** The work one round is given with `--quick`; default `size / 4`. */
  quickSize?: number;
  /** The work one round is given by the bench's own tests (test/workloads.test.ts); default 2,500. */
  testSize?: number;
  /**
   * The clock a round is timed by, in seconds; default the wall clock. A case that measures
   * another process's cost gives that process's CPU time here (read before and after the
   * timed part), so a `latency` case reports its CPU seconds per operation.
   */
  clock?(ctx: C): number | Promise<number>;
  /** Once per child process, untimed: servers, sockets, anything rounds share. */
  setup?(): C | Promise<C>;
  /** Prepares one round (untimed: make the node, spawn idle processes) and returns its timed part. */
  round(size: number, ctx: C): Timed | Promise<Timed>;
  /** Once per child process after the last round. */
  teardown?(ctx: C): void | Promise<void>;
}

/** Bytes per idle entity (process, actor, connection), measured after a full GC. */
export interface HeapCase<H = unknown> extends CaseBase {
  kind: 'heap';
  unit: 'bytes/proc' | 'bytes/conn';
  /** How many entities to create each round. */
  count: number;
  /** Makes the container (a node, an array, a server child), before the baseline is taken. */
  prepare(): H | Promise<H>;
  /** Creates `count` idle entities; resolves once all of them are idle (started, waiting for a message). */
  fill(h: H, count: number): void | Promise<void>;
  /** How many are alive now: checked against `count`, so entities that died by mistake cannot read as cheap ones. */
  alive(h: H): number | Promise<number>;
  /** Ends them, so the next round starts from an empty heap. */
  clear(h: H): void | Promise<void>;
  /**
   * Bytes in use where the entities live, after a full GC there; default: this process's
   * `heapUsed` after a full GC. A case whose entities live in another process (a server
   * child holding connections) asks that process.
   */
  usage?(h: H): number | Promise<number>;
  /** After the last round: release what `prepare` made (stop a server child). */
  dispose?(h: H): void | Promise<void>;
}

export type BenchCase = TimedCase<any> | HeapCase<any>;

export interface Suite {
  /** Rows of the same workload are compared with each other and with the reference figures. */
  workload: string;
  /** `'corral'`, `'xstate'`, ...; reference figures are keyed by the same names. */
  system: string;
  /** A human title for the workload. */
  title: string;
  cases: Record<string, BenchCase>;
}

/** Identity function that type-checks a suite (and keeps each case's context type). */
export function defineSuite(suite: Suite): Suite {
  return suite;
}

/** A case's full name: `<workload>/<system>/<case>`. */
export function caseName(suite: Suite, key: string): string {
  return `${suite.workload}/${suite.system}/${key}`;
}

/** Better direction of a case's figure. */
export function better(c: BenchCase): 'higher' | 'lower' {
  return c.kind === 'rate' ? 'higher' : 'lower';
}
