/**
 * Compressed echo, Corral against `ws`, under the same client: 100 `ws` clients with
 * `perMessageDeflate: true` (they offer `permessage-deflate; client_max_window_bits`, as a
 * browser does) each keep one JSON-like text message in flight to an echo server and send the
 * next when the echo is back. Each server runs in its own child process
 * (`deflate-servers.ts`), so its CPU time is its own; the client is this process.
 *
 * Reported per server and message size: round trips per second, the server's CPU time per
 * round trip (all its threads: inflate + deflate + framing), and how much its RSS grew from
 * before the clients came to after the run, connections open and idle, after a full GC. Each library is run at its own defaults (Corral: Cowboy's level 9; ws: zlib's
 * default level 6) and at the other's level, so defaults and like-for-like are both visible.
 *
 *   npx tsx bench/src/ws/deflate-echo.ts        # 1 KiB and 64 KiB, levels 9 and 6, 100 connections, 3 × 5 s each
 *   npx tsx bench/src/ws/deflate-echo.ts --seconds 2 --rounds 1 --sizes 1024 --levels 9 --connections 50
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { jsonMessages } from './deflate-echo-messages.js';
import { type ServerConfig, startServer, type Usage } from './deflate-servers.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '1024,65536' },
    connections: { type: 'string', default: '100' },
    levels: { type: 'string', default: '9,6' },
    rounds: { type: 'string', default: '3' },
  },
});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const SIZES = values.sizes.split(',').map(Number);
const CONNECTIONS = Number(values.connections);
const LEVELS = values.levels.split(',').map(Number);
const ROUNDS = Number(values.rounds);

interface Row {
  label: string;
  size: number;
  rate: number;
  cpuUsPerMsg: number;
  usage: Usage;
  /** RSS with the connections open and idle after the run, minus RSS before they came. */
  rssGrowth: number;
}

async function run(label: string, config: ServerConfig, size: number): Promise<Row> {
  const server = await startServer(config);
  const messages = jsonMessages(size, 64);
  const baseline = await server.usage();
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, {
        perMessageDeflate: true,
        maxPayload: 1 << 24,
      });
      await once(ws, 'open');
      return ws;
    }),
  );
  const negotiated = clients[0]!.extensions;
  if (config.compress && !negotiated.includes('permessage-deflate'))
    throw new Error(`${label}: compression was not negotiated`);
  let counting = false;
  let done = 0;
  let running = true;
  clients.forEach((ws, c) => {
    let k = c;
    ws.on('message', (data: Buffer) => {
      if (data.length !== size) throw new Error(`${label}: echo of ${data.length} bytes, sent ${size}`);
      if (counting) done++;
      if (running) ws.send(messages[++k % messages.length]!);
    });
    ws.send(messages[k % messages.length]!);
  });
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  const before = await server.usage();
  const t0 = performance.now();
  done = 0;
  counting = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  counting = false;
  const elapsed = (performance.now() - t0) / 1000;
  const count = done;
  running = false;
  const after = await server.usage();
  await new Promise((r) => setTimeout(r, 200)); // replies in flight land; the connections stay open, idle
  const idle = await server.usage();
  for (const ws of clients) ws.terminate();
  await server.stop();
  return {
    label,
    size,
    rate: count / elapsed,
    cpuUsPerMsg: ((after.cpuMs - before.cpuMs) * 1000) / Math.max(1, count),
    usage: idle,
    rssGrowth: idle.rss - baseline.rss,
  };
}

const MiB = 1024 * 1024;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// Rounds alternate between the two servers, so a neighbour's load (other processes on the
// machine) falls on both alike; each figure is the median of its rounds.
const rows: Row[] = [];
for (const size of SIZES) {
  for (const level of LEVELS) {
    const base = {
      compress: true,
      level,
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      threshold: 1024,
    };
    const runs: Record<'corral' | 'ws', Row[]> = { corral: [], ws: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs.corral.push(await run('corral', { system: 'corral', ...base }, size));
      runs.ws.push(await run('ws', { system: 'ws', ...base }, size));
    }
    for (const system of ['corral', 'ws'] as const) {
      const rs = runs[system];
      const isDefault = (system === 'corral' && level === 9) || (system === 'ws' && level === 6);
      rows.push({
        label: `${system} level ${level}${isDefault ? ' (default)' : ''}`,
        size,
        rate: median(rs.map((x) => x.rate)),
        cpuUsPerMsg: median(rs.map((x) => x.cpuUsPerMsg)),
        usage: rs[rs.length - 1]!.usage,
        rssGrowth: median(rs.map((x) => x.rssGrowth)),
      });
    }
    const [c, w] = rows.slice(-2) as [Row, Row];
    process.stderr.write(
      `${size} B level ${level}: corral ${c.rate.toFixed(0)}/s ${c.cpuUsPerMsg.toFixed(0)} µs, ` +
        `ws ${w.rate.toFixed(0)}/s ${w.cpuUsPerMsg.toFixed(0)} µs (rounds: corral ${runs.corral.map((x) => x.rate.toFixed(0)).join(' ')}, ws ${runs.ws.map((x) => x.rate.toFixed(0)).join(' ')})\n`,
    );
  }
}

console.log(
  `\nCompressed echo: ${CONNECTIONS} connections, one message in flight each, median of ${ROUNDS} alternating rounds of ${SECONDS} s, Node ${process.version}\n`,
);
console.log(
  '| server | message | round trips/s | vs ws, same level | server CPU µs / round trip | vs ws | server RSS growth MiB |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (let i = 0; i < rows.length; i++) {
  const r = rows[i]!;
  const peer = rows[i % 2 === 0 ? i + 1 : i - 1]!;
  const corral = r.label.startsWith('corral');
  console.log(
    `| ${r.label} | ${r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`} | ${r.rate.toFixed(0)} | ${corral ? `×${(r.rate / peer.rate).toFixed(2)}` : ''} | ${r.cpuUsPerMsg.toFixed(0)} | ${corral ? `×${(r.cpuUsPerMsg / peer.cpuUsPerMsg).toFixed(2)}` : ''} | ${(r.rssGrowth / MiB).toFixed(0)} |`,
  );
}
