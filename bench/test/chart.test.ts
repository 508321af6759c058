import { describe, expect, it } from 'vitest';
import { renderChart } from '../src/chart.js';
import type { CaseResult } from '../src/harness.js';
import { buildDoc, buildRows } from '../src/report.js';

const base: Omit<CaseResult, 'workload' | 'system' | 'median' | 'name' | 'case'> = {
  label: 'callback <processes>',
  kind: 'rate',
  unit: 'msgs/s',
  better: 'higher',
  min: 1,
  max: 1,
  samples: [1],
  size: 1,
  warmup: 0,
  rounds: 1,
  params: {},
  reference: {},
  target: undefined,
  seconds: 1,
};

const doc = buildDoc(
  buildRows([
    {
      ...base,
      name: 'a/corral/x',
      workload: 'a',
      system: 'corral',
      case: 'x',
      median: 8e6,
      reference: { erlang: 2e6 },
      target: 2e6,
    },
    { ...base, name: 'a/xstate/y', workload: 'a', system: 'xstate', case: 'y', median: 4e5 },
  ]),
  {
    quick: false,
    warmup: 2,
    rounds: 7,
    heapRounds: 3,
    freshProcessPerCase: true,
    nodeFlags: [],
    oneCore: false,
  },
  'npm run bench',
  new Date('2026-01-02T03:04:05Z'),
);

describe('renderChart', () => {
  const svg = renderChart(doc);
  const widths = [...svg.matchAll(/<rect x="190" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));

  it('draws one group per Corral case with bars for Corral, the Erlang reference and the live peer', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(widths).toHaveLength(3);
    expect(svg).toContain('Erlang/OTP 25 (reference)');
    expect(svg).toContain('xstate (same run)');
    expect(svg).toContain('2.00 M  (Corral 4.00×)');
    expect(svg).toContain('400 k  (Corral 20.0×)');
  });

  it('scales bars within the group to the largest figure', () => {
    const [corral, erlang, xstate] = widths as [number, number, number];
    expect(erlang / corral).toBeCloseTo(0.25, 2);
    expect(xstate / corral).toBeCloseTo(0.05, 2);
  });

  it('escapes text taken from the results', () => {
    expect(svg).toContain('callback &lt;processes&gt;');
    expect(svg).not.toContain('<processes>');
  });

  it('states the target and whether it is met beside the Corral bar, and says how the figures were made', () => {
    expect(svg).toContain('8.00 M  (target ≥ 2.00 M: met)');
    expect(svg).toContain('npm run bench · 2026-01-02');
    expect(svg).toContain('Node.js v');
  });
});
