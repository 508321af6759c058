/**
 * A small, dependency-free SVG bar chart drawn from a results document: one group per Corral
 * case, with a bar for Corral, one for the Erlang/OTP reference and one per peer measured in
 * the same run. Bars share a scale within a group only (the workloads' units differ).
 *
 * @example
 * const doc = JSON.parse(readFileSync('results/latest.json', 'utf8')) as ResultsDoc;
 * writeFileSync('../docs/benchmarks-actor.svg', renderChart(doc));
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatRatio, formatValue, peersOf, type ResultsDoc, SUBJECT } from './report.js';

interface Bar {
  label: string;
  value: number;
  color: string;
  /** Shown after the value, e.g. `4.19×`. */
  note?: string;
}

interface Group {
  title: string;
  unit: string;
  bars: Bar[];
}

const COLORS: Record<string, string> = {
  corral: '#0f766e',
  erlang: '#a2003e',
  xstate: '#4b5563',
  ws: '#b45309',
};
const FALLBACK = '#6b7280';

const WIDTH = 860;
const LABEL_W = 190;
const VALUE_W = 240;
const BAR_H = 16;
const BAR_GAP = 4;
const TITLE_H = 22;
const GROUP_GAP = 14;
const TOP = 64;
const FOOT = 62;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The groups to draw: each Corral row with its reference and its peers. */
export function groups(doc: ResultsDoc): Group[] {
  const out: Group[] = [];
  for (const row of doc.results) {
    if (row.system !== SUBJECT) continue;
    const direction = row.better === 'higher' ? 'higher is better' : 'lower is better';
    const corral: Bar = { label: 'Corral', value: row.median, color: COLORS.corral! };
    if (row.target !== undefined) {
      const bound = row.better === 'higher' ? '≥' : '≤';
      corral.note = `target ${bound} ${formatValue(row.target, row.unit)}: ${row.targetMet ? 'met' : 'MISSED'}`;
    }
    const bars: Bar[] = [corral];
    if (row.reference.erlang !== undefined)
      bars.push({
        label: 'Erlang/OTP 25 (reference)',
        value: row.reference.erlang,
        color: COLORS.erlang!,
        note: `Corral ${formatRatio(row.vsErlang)}`,
      });
    for (const peer of peersOf(row, doc.results)) {
      bars.push({
        label: `${peer.system} (same run)`,
        value: peer.median,
        color: COLORS[peer.system] ?? FALLBACK,
        note: `Corral ${formatRatio(row.vsPeers[peer.system])}`,
      });
    }
    out.push({ title: `${row.workload}: ${row.label} (${row.unit}, ${direction})`, unit: row.unit, bars });
  }
  return out;
}

function groupHeight(g: Group): number {
  return TITLE_H + g.bars.length * (BAR_H + BAR_GAP) + GROUP_GAP;
}

/** The SVG text. */
export function renderChart(doc: ResultsDoc): string {
  const gs = groups(doc);
  const height = TOP + gs.reduce((h, g) => h + groupHeight(g), 0) + FOOT;
  const plotW = WIDTH - LABEL_W - VALUE_W - 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold" fill="#111827">${esc('Corral vs Erlang/OTP 25 (reference figures), xstate v5 and ws 8 (same run)')}</text>`,
    `<text x="10" y="44" fill="#4b5563">${esc(`Median of ${doc.method.rounds} rounds, one fresh Node.js process per case; bars share a scale within a group only.`)}</text>`,
  );
  let y = TOP;
  for (const g of gs) {
    out.push(`<text x="10" y="${y + 14}" font-weight="bold" fill="#111827">${esc(g.title)}</text>`);
    const max = Math.max(...g.bars.map((b) => b.value));
    const scale = (v: number): number => (max > 0 ? (v / max) * plotW : 0);
    let by = y + TITLE_H;
    for (const b of g.bars) {
      const w = Math.max(1, scale(b.value));
      const value = `${formatValue(b.value, g.unit)}${b.note === undefined ? '' : `  (${b.note})`}`;
      out.push(
        `<text x="${LABEL_W - 8}" y="${by + BAR_H - 4}" text-anchor="end" fill="#374151">${esc(b.label)}</text>`,
        `<rect x="${LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2" fill="${b.color}"/>`,
        `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${by + BAR_H - 4}" fill="#111827">${esc(value)}</text>`,
      );
      by += BAR_H + BAR_GAP;
    }
    y += groupHeight(g);
  }
  const m = doc.machine;
  const rev = doc.revision === undefined ? '' : ` · ${doc.revision.commit}`;
  const dirty = doc.revision?.dirty === true ? ' + uncommitted runtime changes' : '';
  const lines = [
    `${doc.command} · ${doc.generated.slice(0, 10)}${rev}${dirty}${doc.method.oneCore ? ' · pinned to one core' : ''}`,
    `Node.js ${m.node} (V8 ${m.v8}) · ${m.cpus} × ${m.cpuModel} · ${m.platform}/${m.arch}`,
    `Erlang figures: ${doc.references.erlang} (not re-measured by this run).`,
  ];
  for (const [i, line] of lines.entries())
    out.push(`<text x="10" y="${height - 42 + i * 16}" fill="#4b5563">${esc(line)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Reads a results JSON file and writes its chart. */
export function writeChart(jsonPath: string, svgPath: string): void {
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8')) as ResultsDoc;
  writeFileSync(svgPath, renderChart(doc));
}
