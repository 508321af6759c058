/**
 * Memory per idle compressed connection, for each context-takeover setting, Corral against
 * `ws`: a server child (`deflate-servers.ts`) takes `--connections` clients (`ws`, offering
 * permessage-deflate as a browser does); each sends `--messages` JSON-like messages of
 * `--size` bytes and gets them back (so both directions have compressed, and any context or
 * history is filled), then every connection sits idle. The server's memory after a full GC,
 * minus its memory before the clients came, divided by the connections, is the figure.
 *
 * `heap+external` counts the JS heap and what V8 is told lives outside it (Buffers, and zlib's
 * native contexts, which Node reports as external memory); RSS adds allocator overhead and
 * fragmentation and is noisier.
 *
 *   npx tsx bench/src/ws/deflate-memory.ts                      # 1000 connections, 4 × 1 KiB each way
 *   npx tsx bench/src/ws/deflate-memory.ts --connections 2000 --size 4096
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { jsonMessages } from './deflate-echo-messages.js';
import { type ServerConfig, startServer } from './deflate-servers.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '4' },
    size: { type: 'string', default: '1024' },
  },
});
const CONNECTIONS = Number(values.connections);
const MESSAGES = Number(values.messages);
const SIZE = Number(values.size);

interface Setting {
  name: string;
  compress: boolean;
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
}

const SETTINGS: Setting[] = [
  { name: 'no compression', compress: false, serverNoContextTakeover: false, clientNoContextTakeover: false },
  {
    name: 'takeover both ways (default)',
    compress: true,
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
  },
  {
    name: 'server_no_context_takeover',
    compress: true,
    serverNoContextTakeover: true,
    clientNoContextTakeover: false,
  },
  {
    name: 'client_no_context_takeover',
    compress: true,
    serverNoContextTakeover: false,
    clientNoContextTakeover: true,
  },
  {
    name: 'no takeover either way',
    compress: true,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
  },
];

interface Figure {
  perConnHeap: number;
  perConnRss: number;
}

async function measure(config: ServerConfig): Promise<Figure> {
  const server = await startServer(config);
  const messages = jsonMessages(SIZE, 64);
  const before = await server.usage();
  const clients: WebSocket[] = [];
  // Connect in batches: a burst of thousands of handshakes is not what is measured here.
  for (let i = 0; i < CONNECTIONS; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, CONNECTIONS - i) }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: true });
        await once(ws, 'open');
        return ws;
      }),
    );
    clients.push(...batch);
  }
  if (config.compress && !clients[0]!.extensions.includes('permessage-deflate'))
    throw new Error('compression was not negotiated');
  await Promise.all(
    clients.map(async (ws, c) => {
      for (let m = 0; m < MESSAGES; m++) {
        const echoed = once(ws, 'message');
        ws.send(messages[(c + m) % messages.length]!);
        await echoed;
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const after = await server.usage();
  for (const ws of clients) ws.terminate();
  await server.stop();
  return {
    perConnHeap: (after.heapUsed + after.external - before.heapUsed - before.external) / CONNECTIONS,
    perConnRss: (after.rss - before.rss) / CONNECTIONS,
  };
}

const KiB = (n: number): string => (n / 1024).toFixed(1);
const lines: string[] = [];
for (const s of SETTINGS) {
  const base = {
    compress: s.compress,
    level: 9,
    serverNoContextTakeover: s.serverNoContextTakeover,
    clientNoContextTakeover: s.clientNoContextTakeover,
    threshold: 0,
  };
  const corral = await measure({ system: 'corral', ...base });
  const hibernated = await measure({ system: 'corral', ...base, hibernate: true });
  const ws = await measure({ system: 'ws', ...base });
  const line = `| ${s.name} | ${KiB(corral.perConnHeap)} / ${KiB(corral.perConnRss)} | ${KiB(hibernated.perConnHeap)} / ${KiB(hibernated.perConnRss)} | ${KiB(ws.perConnHeap)} / ${KiB(ws.perConnRss)} |`;
  process.stderr.write(`${line}\n`);
  lines.push(line);
}
console.log(
  `\nMemory per idle connection after ${MESSAGES} × ${SIZE} B JSON-like messages each way (threshold 0, level 9), ` +
    `${CONNECTIONS} connections, Node ${process.version}; KiB, heap+external / RSS\n`,
);
console.log('| setting | corral | corral, handler hibernates | ws |');
console.log('| --- | ---: | ---: | ---: |');
for (const l of lines) console.log(l);
