/**
 * The results document (what results/latest.json holds and the chart is drawn from) and the
 * tables printed from it: ratios against the Erlang reference figures and against peers
 * measured in the same run, and whether each target is met.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { CaseResult, MeasureOptions } from './harness.js';
import { ERLANG_SOURCE } from './references.js';

/** The system the ratios are about; every other system in a workload is a peer. */
export const SUBJECT = 'corral';

export interface Row extends CaseResult {
  /** This figure ÷ the Erlang reference figure. */
  vsErlang?: number;
  /** This figure ÷ each peer's figure for the same workload in the same run (Corral rows only). */
  vsPeers: Record<string, number>;
  /** Whether the figure meets `target` (at least it for rates, at most it otherwise). */
  targetMet?: boolean;
}

export interface Machine {
  node: string;
  v8: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
}

export interface ResultsDoc {
  schema: 1;
  generated: string;
  /** The command that produced the file. */
  command: string;
  machine: Machine;
  /** The commit measured, and whether the runtime's sources had uncommitted changes. */
  revision: Revision | undefined;
  method: MeasureOptions & {
    freshProcessPerCase: true;
    nodeFlags: string[];
    oneCore: boolean;
  };
  references: { erlang: string };
  results: Row[];
}

export interface Revision {
  commit: string;
  /** True when the measured sources (packages/actor/src, packages/websocket/src) differed from the commit (so the figures are for a work in progress). */
  dirty: boolean;
}

/** The git revision of the working tree (read-only git commands); undefined outside a checkout. */
export function revision(cwd: string): Revision | undefined {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty =
      git('status', '--porcelain', '--', '../packages/actor/src', '../packages/websocket/src').length > 0;
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

export function machine(): Machine {
  const cpu = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/**
 * The rows a Corral row is compared with, one per peer system of the same workload and unit:
 * the peer's case with the same key (`ws-echo/corral/1kib-w16` against `ws-echo/ws/1kib-w16`),
 * else the peer's first case (xstate's `machine` against each Corral variant).
 */
export function peersOf<R extends CaseResult>(r: CaseResult, results: readonly R[]): R[] {
  const chosen = new Map<string, R>();
  for (const peer of results) {
    if (peer.workload !== r.workload || peer.system === SUBJECT || peer.unit !== r.unit) continue;
    const held = chosen.get(peer.system);
    if (held === undefined || (held.case !== r.case && peer.case === r.case)) chosen.set(peer.system, peer);
  }
  return [...chosen.values()];
}

/** Adds ratios and target checks to raw case results. */
export function buildRows(results: readonly CaseResult[]): Row[] {
  return results.map((r) => {
    const row: Row = { ...r, vsPeers: {} };
    if (r.reference.erlang !== undefined) row.vsErlang = r.median / r.reference.erlang;
    if (r.target !== undefined)
      row.targetMet = r.better === 'higher' ? r.median >= r.target : r.median <= r.target;
    if (r.system === SUBJECT)
      for (const peer of peersOf(r, results)) row.vsPeers[peer.system] = r.median / peer.median;
    return row;
  });
}

export function buildDoc(
  rows: Row[],
  method: ResultsDoc['method'],
  command: string,
  generated = new Date(),
  rev: Revision | undefined = undefined,
): ResultsDoc {
  return {
    schema: 1,
    generated: generated.toISOString(),
    command,
    machine: machine(),
    revision: rev,
    method,
    references: { erlang: ERLANG_SOURCE },
    results: rows,
  };
}

/** `11.24 M`, `397 k`, `290` (rates and counts); latency in s/ms/µs. */
export function formatValue(v: number, unit: string): string {
  if (unit.startsWith('s/')) {
    if (v >= 1) return `${v.toPrecision(3)} s`;
    if (v >= 1e-3) return `${(v * 1e3).toPrecision(3)} ms`;
    return `${(v * 1e6).toPrecision(3)} µs`;
  }
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${Math.round(v / 1e3)} k`;
  return Math.round(v).toLocaleString('en-US');
}

export function formatRatio(r: number | undefined): string {
  if (r === undefined) return '—';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** Half the min–max range as a percentage of the median. */
export function spread(r: CaseResult): string {
  return `±${((100 * (r.max - r.min)) / 2 / r.median).toFixed(1)}%`;
}

function peerCell(row: Row, rows: readonly Row[]): [string, string] {
  if (row.system !== SUBJECT) return ['—', '—'];
  const peer = peersOf(row, rows)[0];
  if (peer === undefined) return ['—', '—'];
  return [`${formatValue(peer.median, peer.unit)} (${peer.system})`, formatRatio(row.vsPeers[peer.system])];
}

function targetCell(row: Row): string {
  if (row.target === undefined) return '—';
  const bound = row.better === 'higher' ? '≥' : '≤';
  return `${bound} ${formatValue(row.target, row.unit)} ${row.targetMet ? 'met' : 'MISSED'}`;
}

const HEADER = [
  'case',
  'median',
  'unit',
  'spread',
  'Erlang ref',
  'vs Erlang',
  'peer (live)',
  'vs peer',
  'target',
];

function cells(row: Row, rows: readonly Row[]): string[] {
  const erlang = row.reference.erlang;
  const [peer, vsPeer] = peerCell(row, rows);
  return [
    row.name,
    formatValue(row.median, row.unit),
    row.unit,
    spread(row),
    erlang === undefined ? '—' : formatValue(erlang, row.unit),
    formatRatio(row.vsErlang),
    peer,
    vsPeer,
    targetCell(row),
  ];
}

/** The console table: one line per case, columns padded. */
export function textTable(rows: readonly Row[]): string {
  const lines = [HEADER, ...rows.map((r) => cells(r, rows))];
  const widths = HEADER.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const right = new Set([1, 3, 4, 5, 7]);
  return lines
    .map((l) => l.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** The same table in Markdown (for docs/benchmarks.md). */
export function markdownTable(rows: readonly Row[]): string {
  const align = HEADER.map((_, i) => ([1, 3, 4, 5, 7].includes(i) ? '---:' : '---'));
  const line = (cs: readonly string[]): string => `| ${cs.join(' | ')} |`;
  return [line(HEADER), line(align), ...rows.map((r) => line(cells(r, rows)))].join('\n');
}

/** Notes worth a line under the table: reported figures next to live ones, recorded parameters. */
export function notes(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`);
    if (r.reference.reported !== undefined)
      params.push(`reported earlier: ${formatValue(r.reference.reported, r.unit)} ${r.unit}`);
    if (params.length > 0) out.push(`${r.name}: ${params.join(', ')}`);
  }
  return out;
}
