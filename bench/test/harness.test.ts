import { describe, expect, it } from 'vitest';
import { median, runInChild } from '../src/harness.js';
import { registry } from '../src/registry.js';
import { caseName } from '../src/suite.js';

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
