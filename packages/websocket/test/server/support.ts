/**
 * Fixtures for the upgrade-layer and listener tests:
 *
 * - {@link testNode}: a node on a ManualClock with a capturing logger;
 * - {@link RawClient}: a TCP client that writes exact request bytes and reads exact response
 *   bytes (the head, everything until the server closes, or WebSocket frames through a
 *   client-role parser);
 * - {@link recorder}: a handler whose callbacks record what they saw, echoing text frames;
 * - {@link track}: remembers what a test opened, so `closeTracked()` (in `afterEach`) closes it.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  type CapturedRecord,
  captureLogger,
  createNode,
  ManualClock,
  type Node,
  type Pid,
} from '@corral/actor';
import WebSocket from 'ws';
import { FrameParser, type ParsedFrame } from '../../src/codec/frame-parser.js';
import { encodeCloseFrame, encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode } from '../../src/codec/opcodes.js';
import type { CallResult, Handler, InitResult } from '../../src/handler/handler.js';
import type { Req } from '../../src/handler/request.js';
import type { TerminateReason } from '../../src/handler/terminate-reason.js';
import { type Listener, listen } from '../../src/server/listener.js';
import { handleUpgrade, type UpgradeOptions } from '../../src/server/upgrade.js';
import { deferred } from '../connection/fixture.js';

/** One turn of the event loop. */
/**
 * One turn of the event loop, and the end-of-turn write of what it produced (the output flusher
 * writes in a `setImmediate` queued during the turn, so a second one runs after it).
 */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/** Turns the event loop until `done()` holds; the 5 s bound only turns a hang into a clear failure. */
export async function until(done: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached after 5 s`);
    await tick();
  }
}

export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** The RFC 6455 §1.2 sample request for `path`, with header lines added or replaced (`null` removes one). */
export function upgradeRequest(path = '/chat', headers: Record<string, string | null> = {}): string {
  const all: Record<string, string | null> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': SAMPLE_KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  let text = `GET ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(all)) if (value !== null) text += `${name}: ${value}\r\n`;
  return text + '\r\n';
}

/** The exact 101 for the sample key, with extra header lines (already formatted `Name: value`). */
export function switching(...lines: string[]): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}\r\n` +
    lines.map((l) => `${l}\r\n`).join('') +
    '\r\n'
  );
}

export interface TestNode {
  node: Node;
  clock: ManualClock;
  records: CapturedRecord[];
}

/** A node on a ManualClock whose log records are kept in `records`. */
export function testNode(name = 'ws'): TestNode {
  const logger = captureLogger();
  const clock = new ManualClock();
  const node = createNode({ name, logger, clock });
  opened.push(() => node.shutdown());
  return { node, clock, records: logger.records };
}

/** A TCP client speaking exact bytes. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | undefined;
  private readonly parser = new FrameParser({ role: 'client', validateUtf8: false });

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const client = new RawClient(socket);
    opened.push(() => socket.destroy());
    return client;
  }

  /** Whether the server closed the connection (and everything it sent was read into the buffer). */
  get closed(): boolean {
    return this.ended;
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  private async waitFor(done: () => boolean, what: string): Promise<void> {
    const deadline = setTimeout(() => this.waiter?.(), 5_000);
    try {
      while (!done()) {
        if (this.ended)
          throw new Error(`${what}: the server closed the connection; got ${JSON.stringify(this.text())}`);
        await new Promise<void>((resolve) => {
          this.waiter = resolve;
        });
        this.waiter = undefined;
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  private text(): string {
    return this.buffer.toString('latin1');
  }

  /** Reads a response head (through the blank line); what follows stays buffered. */
  async readHead(): Promise<string> {
    await this.waitFor(() => this.buffer.indexOf('\r\n\r\n') >= 0, 'a response head');
    const end = this.buffer.indexOf('\r\n\r\n') + 4;
    const head = this.buffer.subarray(0, end).toString('latin1');
    this.buffer = this.buffer.subarray(end);
    return head;
  }

  /** Everything the server sends until it closes the connection. */
  async readToClose(): Promise<string> {
    if (!this.ended) await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    const all = this.text();
    this.buffer = Buffer.alloc(0);
    return all;
  }

  /** Sends a masked frame, as a client must (RFC 6455 §5.3). */
  sendFrame(opcode: Opcode, payload: string | Buffer = ''): void {
    this.write(
      encodeFrame(opcode, typeof payload === 'string' ? Buffer.from(payload) : payload, { mask: true }),
    );
  }

  sendClose(code?: number): void {
    this.write(encodeCloseFrame(code, undefined, { mask: true }));
  }

  /** The next frame from the server. */
  async readFrame(): Promise<ParsedFrame> {
    for (;;) {
      if (this.buffer.length > 0) {
        this.parser.push(this.buffer);
        this.buffer = Buffer.alloc(0);
      }
      const r = this.parser.next();
      if (r.kind === 'frame') return r;
      if (r.kind === 'error') throw new Error(`bad frame from the server: ${r.error.message}`);
      await this.waitFor(() => this.buffer.length > 0, 'a frame');
    }
  }
}

/** What a {@link recorder} handler saw. */
export interface Recorder<S> {
  handler: Handler<S>;
  inits: Req[];
  terminations: { reason: TerminateReason; req: Req; state: S }[];
}

/**
 * A handler recording `init` calls and terminations; `init` is `onInit` (default: upgrade),
 * text frames are echoed, `websocketInit` is left out unless given.
 */
export function recorder<S>(
  onInit: (req: Req, state: S) => InitResult<S> | Promise<InitResult<S>> = (req, state) => [
    'websocket',
    req,
    state,
  ],
  more: Partial<Handler<S>> = {},
): Recorder<S> {
  const rec: Recorder<S> = { handler: undefined as never, inits: [], terminations: [] };
  rec.handler = {
    init(req, state) {
      rec.inits.push(req);
      return onInit(req, state);
    },
    websocketHandle(frame, state): CallResult<S> {
      return frame[0] === 'text' ? ['reply', ['text', frame[1]], state] : ['ok', state];
    },
    terminate(reason, req, state) {
      rec.terminations.push({ reason, req, state });
    },
    ...more,
  };
  return rec;
}

/** A {@link recorder} whose `init` upgrades only once `release()` is called: an upgrade caught mid-`init`. */
export function gatedRecorder<S>(): Recorder<S> & { release: () => void } {
  const gate = deferred();
  const rec = recorder<S>(async (req, s) => {
    await gate.promise;
    return ['websocket', req, s];
  });
  return { ...rec, release: () => gate.resolve() };
}

export { Opcode };

// ---- cleanup ----------------------------------------------------------------------------------

const opened: (() => unknown)[] = [];

/** Closes `server` (dropping its sockets) when the test ends. */
export function trackServer(server: Server): Server {
  opened.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return server;
}

/** Starts `server` on 127.0.0.1, port 0, closed when the test ends; resolves with its port. */
export async function serveLocal(server: Server): Promise<number> {
  trackServer(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A `ws` client, open; terminated when the test ends. */
export async function wsClient(url: string, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  track(() => ws.terminate());
  await once(ws, 'open');
  return ws;
}

/** The next `n` messages `ws` receives, as [data, isBinary]; rejects if it closes first. */
export function nextMessages(ws: WebSocket, n: number): Promise<[Buffer, boolean][]> {
  return new Promise((resolve, reject) => {
    const got: [Buffer, boolean][] = [];
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      got.push([data, isBinary]);
      if (got.length === n) {
        ws.off('message', onMessage);
        resolve(got);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => reject(new Error(`closed with ${code} after ${got.length} of ${n} messages`)));
  });
}

/** Registers any cleanup to run when the test ends (in reverse order of registration). */
export function track(cleanup: () => unknown): void {
  opened.push(cleanup);
}

/** Runs every cleanup registered since the last call, newest first. Call from `afterEach`. */
export async function closeTracked(): Promise<void> {
  while (opened.length > 0) await opened.pop()!();
}

/** A listener on 127.0.0.1 port 0, closed after the test (see {@link closeTracked}). */
export async function localListener(
  options: Omit<Parameters<typeof listen>[0], 'host' | 'port'>,
): Promise<Listener> {
  const listener = await listen({ ...options, host: '127.0.0.1', port: 0 });
  track(() => listener.close());
  return listener;
}

/**
 * An http.Server whose own 'upgrade' listener calls handleUpgrade for every request (the way
 * an Express or Fastify app uses it); `outcomes` collects what each call resolved to, `sockets`
 * the server-side sockets. Plain requests get `200 plain http`.
 */
export async function serveUpgrades<S>(
  node: Node,
  handler: Handler<S>,
  state: S,
  options: UpgradeOptions = {},
) {
  const outcomes: (Pid | undefined)[] = [];
  const sockets: Duplex[] = [];
  const server = trackServer(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('plain http');
    }),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.push(socket);
    void handleUpgrade(node, req, socket, head, handler, state, options).then((pid) => outcomes.push(pid));
  });
  // Upgraded sockets are no longer the server's: drop them before it closes.
  track(() => {
    for (const socket of sockets) socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { server, port, outcomes, sockets, connect: () => RawClient.connect(port) };
}
