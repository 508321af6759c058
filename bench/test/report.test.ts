import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../src/harness.js';
import { buildRows, formatValue, markdownTable, peersOf, textTable } from '../src/report.js';

function result(over: Partial<CaseResult> & Pick<CaseResult, 'workload' | 'system' | 'median'>): CaseResult {
  return {
    name: `${over.workload}/${over.system}/${over.case ?? 'x'}`,
    case: 'x',
    label: 'x',
    kind: 'rate',
    unit: 'msgs/s',
    better: 'higher',
    min: over.median,
    max: over.median,
    samples: [over.median],
    size: 1,
    warmup: 0,
    rounds: 1,
    params: {},
    reference: {},
    target: undefined,
    seconds: 1,
    ...over,
  };
}

describe('buildRows', () => {
  const rows = buildRows([
    result({ workload: 'ping-pong', system: 'corral', median: 8e6, reference: { erlang: 2e6 }, target: 2e6 }),
    result({ workload: 'ping-pong', system: 'corral', case: 'rl', median: 1e6, target: 2e6 }),
    result({ workload: 'ping-pong', system: 'xstate', median: 4e5 }),
    result({
      workload: 'idle-memory',
      system: 'corral',
      kind: 'heap',
      unit: 'bytes/proc',
      better: 'lower',
      median: 300,
      reference: { erlang: 2_400 },
      target: 1_000,
    }),
    result({ workload: 'idle-memory', system: 'xstate', kind: 'heap', unit: 'bytes/proc', median: 3_000 }),
  ]);

  it('divides each Corral figure by the Erlang reference and by the peer measured in the same run', () => {
    expect(rows[0]!.vsErlang).toBe(4);
    expect(rows[0]!.vsPeers).toEqual({ xstate: 20 });
    expect(rows[3]!.vsErlang).toBe(300 / 2_400);
    expect(rows[3]!.vsPeers).toEqual({ xstate: 0.1 });
  });

  it('gives peers no ratios of their own', () => {
    expect(rows[2]!.vsPeers).toEqual({});
    expect(rows[2]!.vsErlang).toBeUndefined();
  });

  it('meets a rate target at or above it and a bytes target at or below it', () => {
    expect(rows[0]!.targetMet).toBe(true);
    expect(rows[1]!.targetMet).toBe(false);
    expect(rows[3]!.targetMet).toBe(true);
    expect(rows[2]!.targetMet).toBeUndefined();
  });

  it('prints a missed target so it cannot be overlooked, in the text and the Markdown table', () => {
    expect(textTable(rows)).toMatch(/ping-pong\/corral\/rl .*≥ 2\.00 M MISSED/);
    const md = markdownTable(rows).split('\n');
    expect(md).toHaveLength(2 + rows.length);
    expect(md[2]).toBe(
      '| ping-pong/corral/x | 8.00 M | msgs/s | ±0.0% | 2.00 M | 4.00× | 400 k (xstate) | 20.0× | ≥ 2.00 M met |',
    );
  });
});

describe('peers of a Corral row', () => {
  const rows = buildRows([
    result({ workload: 'ws-echo', system: 'corral', case: '32b', median: 120e3 }),
    result({ workload: 'ws-echo', system: 'corral', case: '1kib', median: 60e3 }),
    result({ workload: 'ws-echo', system: 'corral', case: 'odd', median: 10e3 }),
    result({ workload: 'ws-echo', system: 'ws', case: '32b', median: 100e3 }),
    result({ workload: 'ws-echo', system: 'ws', case: '1kib', median: 40e3 }),
  ]);

  it("divides by the peer's case with the same key, else by the peer's first case", () => {
    expect(rows[0]!.vsPeers).toEqual({ ws: 1.2 });
    expect(rows[1]!.vsPeers).toEqual({ ws: 1.5 });
    expect(rows[2]!.vsPeers).toEqual({ ws: 0.1 });
    expect(peersOf(rows[1]!, rows).map((p) => p.name)).toEqual(['ws-echo/ws/1kib']);
  });

  it('prints the paired peer beside each row', () => {
    const md = markdownTable(rows).split('\n');
    expect(md[3]).toContain('| 40 k (ws) | 1.50× |');
    expect(md[4]).toContain('| 100 k (ws) | 0.10× |');
  });
});

describe('formatValue', () => {
  it('scales rates to M and k, keeps bytes whole, and shows latency in a readable unit', () => {
    expect(formatValue(11_234_567, 'msgs/s')).toBe('11.23 M');
    expect(formatValue(396_910, 'msgs/s')).toBe('397 k');
    expect(formatValue(2_640, 'bytes/proc')).toBe('2,640');
    expect(formatValue(0.000_123_4, 's/restart')).toBe('123 µs');
    expect(formatValue(0.000_004_05, 's/msg')).toBe('4.05 µs');
  });
});
