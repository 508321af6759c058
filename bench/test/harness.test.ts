import { describe, expect, it } from 'vitest';
import { measureCase, median, runInChild } from '../src/harness.js';
import { registry } from '../src/registry.js';
import { caseName, type HeapCase, type TimedCase } from '../src/suite.js';

describe('median', () => {
  it('takes the middle sample, or the mean of the two middle ones, whatever their order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('runInChild', () => {
  it('measures a case in a fresh node process and returns its recorded rounds', async () => {
    const index = 6;
    const suite = (await registry[index]!()).default;
    const name = caseName(suite, 'spawner');
    expect(name).toBe('spawn-link-monitor/corral/spawner');
    const r = await runInChild(
      { index, key: 'spawner', name },
      {
        measure: { quick: true, warmup: 0, rounds: 2, heapRounds: 1 },
        nodeFlags: [],
        oneCore: false,
        timeoutMs: 60_000,
      },
    );
    expect(r).toMatchObject({
      name,
      workload: 'spawn-link-monitor',
      system: 'corral',
      unit: 'procs/s',
      rounds: 2,
    });
    expect(r.samples).toHaveLength(2);
    expect(r.median).toBeGreaterThan(0);
    expect(r.size).toBe(125_000);
    expect(r.params).toEqual({ spawnerBatch: 1_000 });
  });

  it('rejects with the child error when the case does not exist', async () => {
    await expect(
      runInChild(
        { index: 0, key: 'nope', name: 'ping-pong/corral/nope' },
        {
          measure: { quick: true, warmup: 0, rounds: 1, heapRounds: 1 },
          nodeFlags: [],
          oneCore: false,
          timeoutMs: 60_000,
        },
      ),
    ).rejects.toThrow(/registry entry 0 has no case ping-pong\/corral\/nope/);
  });
});

describe('measureCase', () => {
  // The harness runs a full GC before each measurement; in the test runner a stub stands in.
  const g = globalThis as { gc?: () => void };
  g.gc ??= () => {};
  const id = { name: 'w/corral/c', workload: 'w', system: 'corral', key: 'c' };
  const opts = { quick: false, warmup: 1, rounds: 3, heapRounds: 2 };

  it("times a round by the case's own clock when it has one (a server's CPU seconds)", async () => {
    let cpu = 0;
    const events: string[] = [];
    const c: TimedCase<{ name: string }> = {
      kind: 'latency',
      unit: 's/msg',
      size: 100,
      setup: () => ({ name: 'ctx' }),
      clock: (ctx) => {
        events.push(`clock ${ctx.name}`);
        return cpu;
      },
      round: (size) => () => {
        cpu += 0.5; // the server spent half a second on this round
        return size;
      },
      teardown: () => void events.push('teardown'),
    };
    const r = await measureCase(id, c, opts);
    expect(r.samples).toEqual([0.005, 0.005, 0.005]);
    expect(events.filter((e) => e === 'clock ctx')).toHaveLength(8);
    expect(events.at(-1)).toBe('teardown');
  });

  it('takes heap figures from where the entities live, checks they are alive, and disposes once', async () => {
    let used = 1_000;
    let alive = 0;
    let disposed = 0;
    const c: HeapCase<{ server: string }> = {
      kind: 'heap',
      unit: 'bytes/conn',
      count: 10,
      prepare: async () => ({ server: 'child' }),
      fill: (_h, count) => {
        used += count * 300;
        alive = count;
      },
      usage: async (h) => (h.server === 'child' ? used : -1),
      alive: async () => alive,
      clear: () => {
        used = 1_000;
        alive = 0;
      },
      dispose: () => void disposed++,
    };
    const r = await measureCase(id, c, opts);
    expect(r.samples).toEqual([300, 300]);
    expect(r.unit).toBe('bytes/conn');
    expect(disposed).toBe(1);
  });

  it('fails a heap case whose entities did not all stay alive, and still disposes', async () => {
    let disposed = 0;
    const c: HeapCase<null> = {
      kind: 'heap',
      unit: 'bytes/conn',
      count: 10,
      prepare: () => null,
      fill: () => {},
      usage: () => 0,
      alive: () => 9,
      clear: () => {},
      dispose: () => void disposed++,
    };
    await expect(measureCase(id, c, opts)).rejects.toThrow(/expected 10 idle entities, found 9 alive/);
    expect(disposed).toBe(1);
  });
});
