/**
 * Fixtures for the connection process tests, independent of the server layer:
 *
 * - {@link testEnv}: a node on a {@link ManualClock} with a capturing logger, and listeners on
 *   127.0.0.1 port 0 whose `'upgrade'` handler writes the 101 itself and calls
 *   `startConnection` (optionally linked to a parent process), recording the server's side of
 *   each connection (pid, socket, every write);
 * - {@link RawClient}: a TCP client that performs the handshake with exact bytes, sends masked
 *   frames built by the codec (or any bytes), and parses what the server sends with a
 *   client-role `FrameParser`, so tests assert exact frames and close codes;
 * - {@link recording}: a handler whose callbacks record what they saw and how it terminated;
 * - {@link probe}: a process that keeps every message it gets (a monitor / link / parent end).
 *
 * Every environment is closed by {@link closeAll} (call it from `afterEach`): node shutdown,
 * sockets destroyed, listeners closed.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import {
  type CapturedRecord,
  captureLogger,
  createNode,
  ManualClock,
  type Node,
  type Pid,
  type Self,
  type SpawnOptions,
} from '@corral/actor';
import { FrameParser } from '../../src/codec/frame-parser.js';
import { type EncodeOptions, encodeCloseFrame, encodeFrame } from '../../src/codec/frame-serializer.js';
import { type InFrame, Opcode } from '../../src/codec/opcodes.js';
import type { ProtocolError } from '../../src/codec/protocol-error.js';
import { startConnection } from '../../src/connection/connection.js';
import {
  type CallResult,
  DEFAULT_WS_OPTIONS,
  type Handler,
  type WsOptions,
} from '../../src/handler/handler.js';
import { Req } from '../../src/handler/request.js';
import type { TerminateReason } from '../../src/handler/terminate-reason.js';
import { computeAcceptKey, generateWebSocketKey } from '../../src/handshake/accept-key.js';

// ---- waiting without sleeping -------------------------------------------------------------

/** One turn of the event loop (I/O callbacks, microtasks and so scheduler drains included). */
/**
 * One turn of the event loop, and the end-of-turn write of what it produced (the output flusher
 * writes in a `setImmediate` queued during the turn, so a second one runs after it).
 */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Turns the event loop until `done()` holds. Waits on a condition, not on time: the 5 s bound
 * only turns a hang into a clear failure.
 */
export async function until(done: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached after 5 s`);
    await tick();
  }
}

/** A promise with its resolve and reject functions. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// ---- the server side ----------------------------------------------------------------------

/** What each upgraded connection runs: `startConnection`'s handler, state and options. */
export interface Route<S> {
  handler: Handler<S>;
  state: S;
  /** Overrides of {@link DEFAULT_WS_OPTIONS}; each connection gets `{ ...DEFAULT_WS_OPTIONS, ...opts }`. */
  opts?: WsOptions;
  /** One options object handed to every connection as is (to check no connection changes it). */
  sharedOpts?: Required<WsOptions>;
  /** Link each connection to this process: its parent, as a listener's supervisor would be. */
  parent?: Self;
}

/** The server's end of one connection. */
export interface ServerSide {
  readonly pid: Pid;
  readonly socket: Socket;
  /** Every buffer the connection passed to `socket.write` after the 101, in order. */
  readonly writes: Buffer[];
  /** The most bytes the socket held unsent right after one of those writes. */
  maxWritableLength: number;
}

/** A listener and the connections it upgraded, by the client's `Sec-WebSocket-Key`. */
export class TestServer {
  readonly sides: ServerSide[] = [];
  readonly byKey = new Map<string, ServerSide>();

  constructor(
    readonly http: Server,
    readonly port: number,
  ) {}
}

const RESPONSE_101 = (accept: string): string =>
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${accept}\r\n\r\n`;

// ---- the environment ----------------------------------------------------------------------

export interface TestEnv {
  readonly node: Node;
  readonly clock: ManualClock;
  readonly records: CapturedRecord[];
  /** Starts a listener on 127.0.0.1 port 0 that upgrades every request to `route`. */
  listen<S>(route: Route<S>): Promise<TestServer>;
  /** Opens a raw client to `server` and completes the handshake (`early`: bytes sent in the request's write). */
  connect(server: TestServer, path?: string, early?: Buffer): Promise<RawClient>;
  /** Node shutdown, every socket destroyed, every listener closed. */
  close(): Promise<void>;
}

const envs: TestEnv[] = [];

/** Closes every environment made since the last call (use as `afterEach(closeAll)`). */
export async function closeAll(): Promise<void> {
  const all = envs.splice(0);
  await Promise.all(all.map((env) => env.close()));
}

/** A node on a ManualClock with a capturing logger, plus listeners and clients closed together. */
export function testEnv(name = 't'): TestEnv {
  const logger = captureLogger();
  const clock = new ManualClock();
  const node = createNode({ name, logger, clock });
  const servers: TestServer[] = [];
  const sockets = new Set<Socket>();
  const env: TestEnv = {
    node,
    clock,
    records: logger.records,
    async listen<S>(route: Route<S>): Promise<TestServer> {
      const http = createServer((_req, res) => res.writeHead(426).end());
      let server!: TestServer;
      http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
        sockets.add(socket);
        const key = String(req.headers['sec-websocket-key']);
        socket.write(RESPONSE_101(computeAcceptKey(key)));
        socket.setNoDelay(true); // as handleUpgrade does before it starts a connection
        const side = spyWrites(socket);
        const pid = startConnection(
          {
            node,
            socket,
            head,
            req: new Req(req),
            handler: route.handler,
            state: route.state,
            opts: route.sharedOpts ?? { ...DEFAULT_WS_OPTIONS, ...route.opts },
          },
          route.parent,
        );
        const full: ServerSide = Object.assign(side, { pid });
        server.sides.push(full);
        server.byKey.set(key, full);
      });
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      const address = http.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      server = new TestServer(http, address.port);
      servers.push(server);
      return server;
    },
    async connect(server: TestServer, path = '/', early?: Buffer): Promise<RawClient> {
      const client = await RawClient.connect(server, path, early);
      sockets.add(client.socket);
      return client;
    },
    async close(): Promise<void> {
      node.shutdown();
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.http.close(() => resolve()))));
    },
  };
  envs.push(env);
  return env;
}

/** Records every write the connection makes on `socket` (the 101 is written before). */
function spyWrites(socket: Socket): Omit<ServerSide, 'pid'> {
  const side = { socket, writes: [] as Buffer[], maxWritableLength: 0 };
  const write = socket.write;
  socket.write = function spiedWrite(this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
    side.writes.push(chunk as Buffer);
    const ok = (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    side.maxWritableLength = Math.max(side.maxWritableLength, this.writableLength);
    return ok;
  } as Socket['write'];
  return side;
}

// ---- the raw client -------------------------------------------------------------------------

/** A frame as the client received it: close frames as `['close']` (no code) or `['close', code, reason]`. */
export type WireFrame =
  | ['text', string]
  | ['binary', Buffer]
  | ['ping', Buffer]
  | ['pong', Buffer]
  | ['close']
  | ['close', number, string];

/**
 * A WebSocket client on a bare TCP socket (half-open allowed, so it can leave the server's
 * close unanswered). Everything after the 101 goes through a client-role {@link FrameParser}.
 */
export class RawClient {
  /** Every chunk received after the 101, as TCP delivered it. */
  readonly chunks: Buffer[] = [];
  /** Every frame received, in order. */
  readonly frames: WireFrame[] = [];
  /** The protocol error the server's bytes broke, if any. */
  error: ProtocolError | undefined = undefined;
  /** The server sent FIN. */
  ended = false;
  /** The socket is closed. */
  closed = false;
  private readonly parser = new FrameParser({ role: 'client', maxFrameSize: Number.POSITIVE_INFINITY });
  private taken = 0;
  private wake: (() => void) | undefined = undefined;

  private constructor(
    readonly socket: Socket,
    readonly key: string,
    /** The server's end of this connection. */
    readonly server: ServerSide,
  ) {}

  /**
   * Connects, sends the handshake request byte for byte (with `early` bytes right after it, in
   * the same write: the server gets them as the upgrade's `head`) and checks the 101.
   */
  static async connect(server: TestServer, path = '/', early?: Buffer): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
    await once(socket, 'connect');
    const key = generateWebSocketKey();
    const request = Buffer.from(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    socket.write(early === undefined ? request : Buffer.concat([request, early]));
    const [head, rest] = await readHead(socket);
    const expected = RESPONSE_101(computeAcceptKey(key));
    if (head !== expected) throw new Error(`unexpected handshake response: ${JSON.stringify(head)}`);
    const side = server.byKey.get(key);
    if (side === undefined) throw new Error('the server did not record the connection');
    const client = new RawClient(socket, key, side);
    socket.on('data', (chunk: Buffer) => client.onData(chunk));
    socket.on('end', () => {
      client.ended = true;
      client.notify();
    });
    socket.on('close', () => {
      client.closed = true;
      client.notify();
    });
    socket.on('error', () => {});
    if (rest.length > 0) client.onData(rest);
    return client;
  }

  /** The pid of the connection process. */
  get pid(): Pid {
    return this.server.pid;
  }

  /** Bytes received after the 101. */
  get received(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Writes bytes as they are (one `write`). */
  send(...bytes: Buffer[]): void {
    this.socket.write(bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes));
  }

  /** A masked frame, as a client must send it. */
  frame(opcode: Opcode, payload: string | Uint8Array, options: EncodeOptions = {}): Buffer {
    return encodeFrame(opcode, payload, { mask: true, ...options });
  }

  text(payload: string): void {
    this.send(this.frame(Opcode.Text, payload));
  }

  binary(payload: Uint8Array): void {
    this.send(this.frame(Opcode.Binary, payload));
  }

  /** Sends a close frame (no code: an empty one). */
  close(code?: number, reason?: string): void {
    this.send(encodeCloseFrame(code, reason, { mask: true }));
  }

  /** The next frame not yet taken; waits for it. Rejects if the socket ends first. */
  async next(): Promise<WireFrame> {
    for (;;) {
      if (this.taken < this.frames.length) return this.frames[this.taken++]!;
      if (this.ended || this.closed || this.error !== undefined)
        throw new Error(`no more frames: ${this.error?.message ?? 'the server ended the socket'}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** The next `n` frames. */
  async take(n: number): Promise<WireFrame[]> {
    const out: WireFrame[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** Waits for the server's FIN. */
  async waitEnd(): Promise<void> {
    while (!this.ended && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** Waits until the socket is closed. */
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.parser.push(Buffer.from(chunk));
    for (let r = this.parser.next(); r.kind !== 'more'; r = this.parser.next()) {
      if (r.kind === 'error') {
        this.error = r.error;
        break;
      }
      if (r.type === 'close')
        this.frames.push(r.closeCode === 1005 ? ['close'] : ['close', r.closeCode, r.payload.toString()]);
      else if (r.type === 'text') this.frames.push(['text', r.payload.toString()]);
      else this.frames.push([r.type, r.payload]);
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Reads the response head (up to the blank line); returns it and the bytes after it. */
function readHead(socket: Socket): Promise<[string, Buffer]> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve([buffered.subarray(0, end + 4).toString('latin1'), buffered.subarray(end + 4)]);
    };
    const onClose = (): void => reject(new Error('closed during the handshake'));
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * A masked frame built byte by byte, for frames the codec refuses to build: `first` is the
 * whole first byte (FIN, RSV1-3, opcode); `masked: false` sends the payload in clear.
 */
export function rawFrame(first: number, payload: Buffer | string = '', masked = true): Buffer {
  const body = Buffer.from(payload);
  const n = body.length;
  const head = [first];
  const maskBit = masked ? 0x80 : 0;
  if (n < 126) head.push(maskBit | n);
  else if (n < 0x10000) head.push(maskBit | 126, n >> 8, n & 0xff);
  else head.push(maskBit | 127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  if (masked) for (let i = 0; i < n; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), masked ? key : Buffer.alloc(0), body]);
}

// ---- handlers and processes -------------------------------------------------------------------

/** A handler with recording around its callbacks. */
export interface Recording<S> {
  readonly handler: Handler<S>;
  /** Every frame `websocketHandle` got. */
  readonly frames: InFrame[];
  /** Every message `websocketInfo` got. */
  readonly infos: unknown[];
  /** Every terminate reason (a correct connection calls terminate once). */
  readonly reasons: TerminateReason[];
  /** The handler state terminate got. */
  readonly finalStates: S[];
  /** Resolves with the first terminate reason. */
  readonly terminated: Promise<TerminateReason>;
}

/** The echo callback: text and binary back as they came, ping and pong acknowledged. */
export function echo<S>(frame: InFrame, state: S): CallResult<S> {
  return frame[0] === 'text' || frame[0] === 'binary' ? ['reply', frame, state] : ['ok', state];
}

/**
 * Wraps `callbacks` (default `websocketHandle`: {@link echo}) so that every frame, info and
 * terminate reason is recorded. Callbacks not given stay absent (no `websocketInfo` unless given).
 */
export function recording<S>(callbacks: Partial<Handler<S>> = {}): Recording<S> {
  const frames: InFrame[] = [];
  const infos: unknown[] = [];
  const reasons: TerminateReason[] = [];
  const finalStates: S[] = [];
  const done = deferred<TerminateReason>();
  const handle = callbacks.websocketHandle ?? echo;
  const handler: Handler<S> = {
    init: (req, state) => ['websocket', req, state],
    websocketHandle(frame, state) {
      frames.push(frame);
      return handle(frame, state);
    },
    terminate(reason, req, state) {
      reasons.push(reason);
      finalStates.push(state);
      done.resolve(reason);
      callbacks.terminate?.(reason, req, state);
    },
  };
  if (callbacks.websocketInit !== undefined) handler.websocketInit = callbacks.websocketInit;
  const info = callbacks.websocketInfo;
  if (info !== undefined) {
    handler.websocketInfo = (msg, state) => {
      infos.push(msg);
      return info(msg, state);
    };
  }
  return { handler, frames, infos, reasons, finalStates, terminated: done.promise };
}

/** A process that keeps every message it gets, for monitors, links and parents in tests. */
export interface Probe {
  readonly pid: Pid;
  readonly self: Self;
  /** Messages received and not yet taken by {@link Probe.next}. */
  readonly inbox: unknown[];
  /** Takes the first message matching `match` (default: any), waiting for one. */
  next(match?: (m: unknown) => boolean): Promise<unknown>;
}

export async function probe(node: Node, opts?: SpawnOptions): Promise<Probe> {
  const inbox: unknown[] = [];
  let wake: (() => void) | undefined;
  const started = deferred<Self>();
  const pid = node.spawn<unknown, null>(
    {
      name: 'probe',
      init(self) {
        started.resolve(self);
        return null;
      },
      handle(msg, state) {
        inbox.push(msg);
        const w = wake;
        wake = undefined;
        w?.();
        return state;
      },
    },
    opts,
  );
  const self = await started.promise;
  return {
    pid,
    self,
    inbox,
    async next(match = () => true) {
      for (;;) {
        const i = inbox.findIndex(match);
        if (i >= 0) return inbox.splice(i, 1)[0];
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** The DOWN message for `pid` a probe got, waiting for it. */
export async function downOf(p: Probe, pid: Pid): Promise<unknown> {
  const m = (await p.next((m) => Array.isArray(m) && m[0] === 'DOWN' && m[3] === pid)) as unknown[];
  return m[4];
}
