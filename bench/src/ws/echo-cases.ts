/**
 * The WebSocket echo cases, the same for every server: `CONNECTIONS` `ws` client connections
 * in the bench child drive a server child (`server-child.ts`) on `/echo`; each case is one
 * message size and depth. The figure is messages echoed (and checked) per second. The server
 * and the clients each have a process, hence a core, of their own; on a 2-core machine a
 * Node.js client may be the limit for small messages, so the ratio between servers, measured
 * under the same client in the same run, is the figure to read (see docs/benchmarks.md).
 */
import type { WebSocket } from 'ws';
import type { TimedCase } from '../suite.js';
import { closeClients, connectClients, type EchoLoad, echoLoad } from './echo-client.js';
import { type ServerChild, type ServerName, startServer } from './server-child.js';

export const CONNECTIONS = 50;

export interface EchoContext {
  server: ServerChild;
  sockets: WebSocket[];
}

export interface EchoShape {
  label: string;
  /** Messages per round in a full run (aim for 0.2–0.5 s). */
  size: number;
  /** Messages per round in the bench's own tests. */
  testSize: number;
  load: Omit<EchoLoad, 'messages'>;
}

/** The shapes measured: small and medium messages pipelined, large ones one at a time. */
export const SHAPES = {
  '32b-w16': {
    label: '32-byte text, 16 in flight per connection',
    size: 40_000,
    testSize: 2_000,
    load: { bytes: 32, inFlight: 16, binary: false },
  },
  '1kib-w16': {
    label: '1 KiB binary, 16 in flight per connection',
    size: 20_000,
    testSize: 2_000,
    load: { bytes: 1024, inFlight: 16, binary: true },
  },
  '64kib-w1': {
    label: '64 KiB binary, 1 in flight per connection',
    size: 800,
    testSize: 100,
    load: { bytes: 65536, inFlight: 1, binary: true },
  },
} as const satisfies Record<string, EchoShape>;

/** One echo case against the server `name`: messages echoed per second (wall clock). */
export function echoCase(name: ServerName, shape: EchoShape): TimedCase<EchoContext> {
  return {
    label: shape.label,
    kind: 'rate',
    unit: 'msgs/s',
    size: shape.size,
    testSize: shape.testSize,
    params: { connections: CONNECTIONS, ...shape.load },
    setup: () => openEcho(name),
    round: (messages, ctx) => () => echoLoad(ctx.sockets, { messages, ...shape.load }),
    teardown: closeEcho,
  };
}

/**
 * The same load, timed by the server child's CPU clock: the server's CPU seconds per echoed
 * message. It does not depend on how fast the client is or on what else shares the machine
 * (as long as the server is not starved), so it is the steadier comparison of two servers.
 */
export function echoCpuCase(name: ServerName, shape: EchoShape): TimedCase<EchoContext> {
  return {
    ...echoCase(name, shape),
    label: `${shape.label}: server CPU per message`,
    kind: 'latency',
    unit: 's/msg',
    clock: async (ctx) => (await ctx.server.query('cpu')).cpuMicros / 1e6,
  };
}

async function openEcho(name: ServerName): Promise<EchoContext> {
  const server = await startServer(name);
  try {
    return { server, sockets: await connectClients(server.url('/echo'), CONNECTIONS) };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

async function closeEcho(ctx: EchoContext): Promise<void> {
  await closeClients(ctx.sockets);
  await ctx.server.stop();
}

type Shape = keyof typeof SHAPES;

/** Every shape as a case against `name`, keyed by shape (the same keys for every server, so rows pair up). */
export function echoCases(
  name: ServerName,
  make: (name: ServerName, shape: EchoShape) => TimedCase<EchoContext> = echoCase,
): Record<Shape, TimedCase<EchoContext>> {
  return {
    '32b-w16': make(name, SHAPES['32b-w16']),
    '1kib-w16': make(name, SHAPES['1kib-w16']),
    '64kib-w1': make(name, SHAPES['64kib-w1']),
  };
}
