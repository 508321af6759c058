/**
 * Bytes per idle WebSocket connection, measured inside the server child (never in the process
 * holding the clients): `IDLE_CONNECTIONS` `ws` clients connect, each sends one message and gets
 * its echo, then all stay open and silent. The server child is asked for its memory after a
 * full GC before and after (see `server-ipc.ts`); the figure is the difference ÷ connections.
 *
 * - `heap`: V8 heap in use (`heapUsed`): the connection's objects, steady from round to round;
 * - `rss`: resident set size, what the shared load generator reports (at 10k connections);
 *   RSS does not shrink when connections close, so each round starts a fresh server child.
 *
 * Neither counts the kernel's socket buffers.
 */
import type { WebSocket } from 'ws';
import type { HeapCase } from '../suite.js';
import { closeClients, connectClients, echoLoad } from './echo-client.js';
import { type ServerChild, type ServerName, startServer } from './server-child.js';

export const IDLE_CONNECTIONS = 1_000;
/** The one message each connection sends and gets back before going idle. */
export const IDLE_MESSAGE_BYTES = 1024;

export interface IdleWorld {
  name: ServerName;
  /** The route the clients connect to. */
  path: string;
  server: ServerChild;
  sockets: WebSocket[];
}

interface IdleShape {
  label: string;
  path: string;
  measure: 'heapUsed' | 'rss';
  /** A fresh server child for each round (RSS never gives memory back). */
  fresh: boolean;
  target?: number;
}

/** Waits until the server holds `n` connections (closing ones take a close handshake to go). */
async function serverHolds(server: ServerChild, n: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if ((await server.query('memory')).connections === n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the ${server.name} server still holds connections after 5 s (expected ${n})`);
}

/** One idle-memory case against the server `name`. */
export function idleCase(name: ServerName, shape: IdleShape): HeapCase<IdleWorld> {
  return {
    label: shape.label,
    kind: 'heap',
    unit: 'bytes/conn',
    count: IDLE_CONNECTIONS,
    params: { messageBytes: IDLE_MESSAGE_BYTES, measure: shape.measure, freshServerPerRound: shape.fresh },
    ...(shape.target === undefined ? {} : { target: shape.target }),
    prepare: async () => ({ name, path: shape.path, server: await startServer(name), sockets: [] }),
    async fill(w, count) {
      w.sockets = await connectClients(w.server.url(w.path), count);
      await echoLoad(w.sockets, { messages: count, inFlight: 1, bytes: IDLE_MESSAGE_BYTES, binary: false });
    },
    usage: async (w) => (await w.server.query('memory'))[shape.measure],
    alive: async (w) => (await w.server.query('memory')).connections,
    async clear(w) {
      await closeClients(w.sockets);
      w.sockets = [];
      if (shape.fresh) {
        await w.server.stop();
        w.server = await startServer(name);
      } else {
        await serverHolds(w.server, 0);
      }
    },
    async dispose(w) {
      await closeClients(w.sockets);
      await w.server.stop();
    },
  };
}
