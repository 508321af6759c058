/**
 * Small fixtures shared by the actor tests: a node on a {@link ManualClock} with a capturing
 * logger, a way to let the scheduler run, and "puppet" processes that run commands sent to
 * them as messages (so a test can make a process link, monitor or exit from inside itself).
 */
import {
  type CapturedRecord,
  captureLogger,
  createNode,
  ManualClock,
  type Node,
  type Pid,
  type Self,
  type SpawnOptions,
} from '../src/index.js';

/** One turn of the event loop: every microtask (and so every scheduler drain) before it has run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets the scheduler and any promise chains run until `done()` holds; fails after `turns` event-loop turns. */
export async function until(done: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (done()) return;
    await tick();
  }
  if (!done()) throw new Error(`condition not reached after ${turns} event-loop turns`);
}

/** Lets every runnable process run until the node is quiet (a few event-loop turns). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await tick();
}

export interface TestNode {
  node: Node;
  clock: ManualClock;
  records: CapturedRecord[];
}

/** A node on a ManualClock whose log records are kept in `records`. */
export function testNode(name = 't'): TestNode {
  const logger = captureLogger();
  const clock = new ManualClock();
  const node = createNode({ name, logger, clock });
  return { node, clock, records: logger.records };
}

/** The crash reports among captured records. */
export const crashReports = (records: CapturedRecord[]): CapturedRecord[] =>
  records.filter((r) => r.label === 'crash_report');

/** A command a puppet runs inside itself. */
export type Command = (self: Self<PuppetMsg>) => void | Promise<unknown>;
export type PuppetMsg = Command | unknown;

export interface Puppet {
  pid: Pid<PuppetMsg>;
  /** Every non-command message it received, in order. */
  inbox: unknown[];
}

/**
 * A callback process that runs each function it is sent (as its own code, inside `handle`)
 * and records every other message in `inbox`.
 */
export function puppet(node: Node, opts?: SpawnOptions & { label?: string }): Puppet {
  const inbox: unknown[] = [];
  const pid = node.spawn<PuppetMsg, null>(
    {
      name: opts?.label ?? 'puppet',
      init: () => null,
      handle(msg, state, self) {
        if (typeof msg === 'function') {
          const r = (msg as Command)(self);
          if (r instanceof Promise) return r.then(() => state);
          return state;
        }
        inbox.push(msg);
        return state;
      },
    },
    opts,
  );
  return { pid, inbox };
}

/** Has a puppet run `fn` and lets the scheduler run afterwards. */
export async function inside(node: Node, pid: Pid<PuppetMsg>, fn: Command): Promise<void> {
  node.send(pid, fn);
  await settle();
}

/** An idle receive-loop process that waits forever (a link or monitor target). */
export function sleeper(node: Node, opts?: SpawnOptions): Pid<unknown> {
  return node.spawn<unknown>(async function sleeper(self) {
    for (;;) await self.receive(() => false);
  }, opts);
}

/** A promise with its resolve and reject functions. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
