/**
 * A `node:http` server that answers every upgrade with a 101 and then ignores the socket: no
 * WebSocket processing at all. It is the floor that `node:http`'s upgrade path sets for the
 * idle-memory comparison of the shared load generator (docs/benchmarks.md, "What is left").
 * Plain JavaScript: no build step.
 *
 *   export CORRAL_CMD='node bench/src/ws/bare-http-upgrade.mjs'
 *   ../shared/bench/compare.sh -r 3 -s "corral raw-node-js" -n idle-bare-http -- -mode connect -c 10000 -hold 5
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const server = createServer();
server.on('upgrade', (req, socket) => {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.on('error', () => {});
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  socket.on('data', () => {});
});
server.listen(Number(process.env.PORT ?? 9109), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
