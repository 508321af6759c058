/**
 * The `ws` server child for the self-contained WebSocket suites (see `server-ipc.ts`): a
 * `WebSocketServer` on 127.0.0.1:$PORT that sends every message back with its type, on any
 * path. `ws` 8 as installed here: without `bufferutil`, so masking is pure JavaScript as in
 * Corral (the shared load generator's `ws-plain`); UTF-8 is checked with `buffer.isUtf8`, as in
 * Corral. No permessage-deflate (`ws`'s server default, and Corral's).
 */
import { WebSocketServer } from 'ws';
import { serveQueries } from './server-ipc.js';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
  maxPayload: 16 * 1024 * 1024,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
});
wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string')
    throw new Error(`ws listens on ${address}, not a port`);
  serveQueries('ws', address.port, () => wss.clients.size);
});
