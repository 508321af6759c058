import { describe, expect, it } from 'vitest';
import { registry } from '../src/registry.js';
import { type BenchCase, caseName, type Suite } from '../src/suite.js';

// Correctness of each workload at a small size, not speed: a benchmark that does less work
// than it reports (children that never ran, messages never delivered) would read as fast.
const suites: Suite[] = await Promise.all(registry.map(async (load) => (await load()).default));
const cases: [string, BenchCase][] = suites.flatMap((s) =>
  Object.entries(s.cases).map(([key, c]): [string, BenchCase] => [caseName(s, key), c]),
);

describe('registry', () => {
  it('names every case uniquely as <workload>/<system>/<case>', () => {
    const names = cases.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z-]+\/[a-z]+\/[a-z-]+$/);
  });

  it('has a Corral case for each of the five workloads and xstate beside four of them', () => {
    const systems = (w: string) => suites.filter((s) => s.workload === w).map((s) => s.system);
    expect(systems('ping-pong')).toEqual(['corral', 'xstate']);
    expect(systems('flood')).toEqual(['corral', 'xstate']);
    expect(systems('spawn-exit')).toEqual(['corral', 'xstate']);
    expect(systems('spawn-link-monitor')).toEqual(['corral']);
    expect(systems('idle-memory')).toEqual(['corral', 'xstate']);
  });
});

describe.each(cases.filter(([, c]) => c.kind !== 'heap'))('%s', (_name, c) => {
  it('reports the operations it did for the size it was given, round after round', async () => {
    if (c.kind === 'heap') return;
    const ctx = await c.setup?.();
    const size = 2_500;
    const per = c.opsPerSize ?? 1;
    for (let round = 0; round < 2; round++) {
      const timed = await c.round(size, ctx);
      expect(await timed()).toBe(per * size);
    }
    await c.teardown?.(ctx);
  });
});

describe.each(cases.filter(([, c]) => c.kind === 'heap'))('%s', (_name, c) => {
  it('keeps every entity it made alive until cleared, then none', async () => {
    if (c.kind !== 'heap') return;
    const h = c.prepare();
    await c.fill(h, 1_000);
    expect(c.alive(h)).toBe(1_000);
    await c.clear(h);
    expect(c.alive(h)).toBe(0);
  });
});
