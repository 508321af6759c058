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
    for (const name of names) expect(name).toMatch(/^[a-z-]+\/[a-z]+\/[a-z0-9-]+$/);
  });

  it('has a Corral case for each workload, with xstate or ws measured beside it where there is a peer', () => {
    const systems = (w: string) => suites.filter((s) => s.workload === w).map((s) => s.system);
    expect(systems('ping-pong')).toEqual(['corral', 'xstate']);
    expect(systems('flood')).toEqual(['corral', 'xstate']);
    expect(systems('spawn-exit')).toEqual(['corral', 'xstate']);
    expect(systems('spawn-link-monitor')).toEqual(['corral']);
    expect(systems('idle-memory')).toEqual(['corral', 'xstate']);
    for (const otp of [
      'gen-server-call',
      'gen-server-cast',
      'supervisor-restart',
      'dynamic-supervisor-start',
      'dynamic-supervisor-exit',
      'pg-broadcast',
    ])
      expect(systems(otp)).toEqual(['corral']);
    expect(systems('ws-echo')).toEqual(['corral', 'ws']);
    expect(systems('ws-echo-cpu')).toEqual(['corral', 'ws']);
    expect(systems('ws-idle-memory')).toEqual(['corral', 'ws']);
  });

  it('gives every WebSocket peer case the same key as a Corral case, so each ratio pairs like with like', () => {
    for (const workload of ['ws-echo', 'ws-echo-cpu', 'ws-idle-memory']) {
      const [corral, ws] = ['corral', 'ws'].map(
        (system) => suites.find((s) => s.workload === workload && s.system === system)!,
      );
      for (const key of Object.keys(ws!.cases)) expect(Object.keys(corral!.cases)).toContain(key);
    }
  });
});

describe.each(cases.filter(([, c]) => c.kind !== 'heap'))('%s', (_name, c) => {
  it('reports the operations it did for the size it was given, round after round', async () => {
    if (c.kind === 'heap') return;
    const ctx = await c.setup?.();
    const size = c.testSize ?? 2_500;
    const per = c.opsPerSize ?? 1;
    try {
      for (let round = 0; round < 2; round++) {
        const timed = await c.round(size, ctx);
        const t0 = await c.clock?.(ctx);
        expect(await timed()).toBe(per * size);
        // A case timed by its own clock (a server's CPU time) must see that clock move.
        if (t0 !== undefined) expect(await c.clock!(ctx)).toBeGreaterThan(t0);
      }
    } finally {
      await c.teardown?.(ctx);
    }
  });
});

describe.each(cases.filter(([, c]) => c.kind === 'heap'))('%s', (_name, c) => {
  it('keeps every entity it made alive until cleared, then none', async () => {
    if (c.kind !== 'heap') return;
    const h = await c.prepare();
    try {
      await c.fill(h, 200);
      expect(await c.alive(h)).toBe(200);
      await c.clear(h);
      expect(await c.alive(h)).toBe(0);
    } finally {
      await c.dispose?.(h);
    }
  });
});
