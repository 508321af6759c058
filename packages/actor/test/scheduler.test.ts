import { afterEach, describe, expect, it } from 'vitest';
import {
  captureLogger,
  createNode,
  type Node,
  type Pid,
  REDUCTIONS_PER_SLICE,
  REDUCTIONS_PER_TURN,
  type Self,
} from '../src/index.js';
import { type TestNode, testNode, tick, until } from './support.js';

let t: TestNode | undefined;
let real: Node | undefined;
afterEach(() => {
  t?.node.shutdown();
  real?.shutdown();
  t = real = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('scheduler', () => {
  it('a process flooding another does not freeze the node: real timers fire, the consumer progresses, the flooder can be killed', async () => {
    real = createNode({ name: 'flood', logger: captureLogger() });
    const node = real;
    let consumed = 0;
    const consumer = node.spawn<number, null>({
      init: () => null,
      handle: (_n, s) => {
        consumed++;
        return s;
      },
    });
    const ticks: number[] = [];
    const watcher = node.spawn<'tick', null>({
      init: () => null,
      handle: (_m, s) => {
        ticks.push(consumed);
        return s;
      },
    });
    // On each message it sends itself another, and one to the consumer, forever.
    const flooder = node.spawn<'go', number>({
      init: () => 0,
      handle(_m, n, self) {
        self.send(self.pid, 'go');
        self.send(consumer, n);
        return n + 1;
      },
    });
    node.send(flooder, 'go');

    await sleep(20); // a plain setTimeout fires while the flood runs
    const atFirstTimer = consumed;
    node.sendAfter(20, watcher, 'tick'); // and so does a node timer
    await until(() => ticks.length === 1, 10_000);
    await sleep(5);
    expect(atFirstTimer).toBeGreaterThan(0);
    expect(ticks[0]!).toBeGreaterThan(atFirstTimer);
    expect(consumed).toBeGreaterThan(ticks[0]!);
    expect(node.processInfo(flooder)?.status).toBe('runnable');

    node.exit(flooder, 'kill');
    expect(node.isAlive(flooder)).toBe(false);
    await until(() => node.processInfo(consumer)?.messageQueueLen === 0);
    const final = consumed;
    await sleep(5);
    expect(consumed).toBe(final);
    expect(node.processes()).toEqual([consumer, watcher]);
  });

  it('a receive-loop process flooding itself does not freeze the node either', async () => {
    real = createNode({ name: 'flood2', logger: captureLogger() });
    let spins = 0;
    const spinner = real.spawn<'spin'>(async (self) => {
      self.send(self.pid, 'spin');
      for (;;) {
        await self.receive();
        spins++;
        self.send(self.pid, 'spin');
      }
    });
    await sleep(10);
    const seen = spins;
    await sleep(10);
    expect(seen).toBeGreaterThan(0);
    expect(spins).toBeGreaterThan(seen);
    real.exit(spinner, 'kill');
  });

  it(`a process with more than REDUCTIONS_PER_TURN (${REDUCTIONS_PER_TURN}) messages goes to the back of the queue: two busy processes interleave`, async () => {
    t = testNode();
    const order: string[] = [];
    const worker = (name: string) =>
      t!.node.spawn<number, null>({
        init: () => null,
        handle: (_m, s) => {
          order.push(name);
          return s;
        },
      });
    const a = worker('A');
    const b = worker('B');
    const perProcess = REDUCTIONS_PER_TURN * 2 + 500;
    for (let i = 0; i < perProcess; i++) {
      t.node.send(a, i);
      t.node.send(b, i);
    }
    await until(() => order.length === 2 * perProcess);
    // Run-length encode the order log: who ran, how many messages in a row.
    const runs: [string, number][] = [];
    for (const who of order) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === who) last[1]++;
      else runs.push([who, 1]);
    }
    expect(runs).toEqual([
      ['A', REDUCTIONS_PER_TURN],
      ['B', REDUCTIONS_PER_TURN],
      ['A', REDUCTIONS_PER_TURN],
      ['B', REDUCTIONS_PER_TURN],
      ['A', 500],
      ['B', 500],
    ]);
  });

  it('a process that runs out of work mid-turn leaves the queue and the next runnable one runs', async () => {
    t = testNode();
    const order: string[] = [];
    const spawnLogger = (name: string): Pid<number> =>
      t!.node.spawn<number, null>({
        init: () => null,
        handle: (_m, s) => {
          order.push(name);
          return s;
        },
      });
    const a = spawnLogger('A');
    const b = spawnLogger('B');
    t.node.send(a, 1);
    t.node.send(b, 1);
    t.node.send(a, 2);
    await until(() => order.length === 3);
    expect(order).toEqual(['A', 'A', 'B']);
  });

  it(`after REDUCTIONS_PER_SLICE (${REDUCTIONS_PER_SLICE}) reductions in one event-loop turn it yields to the event loop`, async () => {
    t = testNode();
    let handled = 0;
    const pid = t.node.spawn<number, null>({
      init: () => null,
      handle: (_m, s) => {
        handled++;
        return s;
      },
    });
    const total = REDUCTIONS_PER_SLICE + 3 * REDUCTIONS_PER_TURN;
    for (let i = 0; i < total; i++) t.node.send(pid, i);
    let atImmediate = -1;
    setImmediate(() => {
      atImmediate = handled;
    });
    await until(() => handled === total);
    expect(atImmediate).toBeGreaterThanOrEqual(REDUCTIONS_PER_SLICE - REDUCTIONS_PER_TURN);
    expect(atImmediate).toBeLessThan(total);
  });

  it('a message sent from an I/O-like callback is handled before the next event-loop turn (drained from a microtask)', async () => {
    t = testNode();
    const got: number[] = [];
    const pid = t.node.spawn<number, null>({
      init: () => null,
      handle: (m, s) => {
        got.push(m);
        return s;
      },
    });
    await tick();
    t.node.send(pid, 1);
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual([1]);
  });

  it('receive() resolving at once is charged to the slice budget, so receive loops are bounded too', async () => {
    t = testNode();
    let n = 0;
    const pid = t.node.spawn<number>(async (self: Self<number>) => {
      for (;;) {
        await self.receive();
        n++;
      }
    });
    const total = REDUCTIONS_PER_SLICE + 1000;
    for (let i = 0; i < total; i++) t.node.send(pid, i);
    let atImmediate = -1;
    setImmediate(() => {
      atImmediate = n;
    });
    await until(() => n === total);
    expect(atImmediate).toBeLessThan(total);
    expect(atImmediate).toBeGreaterThan(0);
  });
});
