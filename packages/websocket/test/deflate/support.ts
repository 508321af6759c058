/**
 * Fixtures for the permessage-deflate tests on the wire:
 *
 * - {@link deflateServer}: an `http.Server` on 127.0.0.1 port 0 whose `'upgrade'` listener
 *   calls `handleUpgrade` (so negotiation and the 101 are the real ones), recording every byte
 *   each connection writes after the 101 and every byte the client sent;
 * - {@link WireClient}: a TCP client that sends the handshake with the `Sec-WebSocket-Extensions`
 *   offer given, returns the 101 head as text, sends masked frames byte for byte (RSV1 and all),
 *   and reads what the server sends both as raw bytes (to compare with RFC 7692's examples) and
 *   as frames through a client-role parser that allows RSV1 (payloads still compressed);
 * - {@link echoHandler}: an echo with a few commands keyed by the text received.
 *
 * Everything opened is closed by `closeTracked()` from `test/server/support.ts` (use it in
 * `afterEach`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import {
  type CapturedRecord,
  captureLogger,
  createNode,
  ManualClock,
  type Node,
  type Pid,
} from '@corral/actor';
import { FrameParser, type ParsedFrame } from '../../src/codec/frame-parser.js';
import type { CallResult, Handler, WsOptions } from '../../src/handler/handler.js';
import type { TerminateReason } from '../../src/handler/terminate-reason.js';
import { handleUpgrade } from '../../src/server/upgrade.js';
import { SAMPLE_KEY, track, trackServer } from '../server/support.js';

/** Bytes from hex digits (spaces ignored). */
export const hex = (digits: string): Buffer => Buffer.from(digits.replace(/\s+/g, ''), 'hex');

const MASK_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/**
 * A masked client frame built byte by byte: `first` is the whole first byte (FIN, RSV1-3,
 * opcode), e.g. `0xc1` for a compressed final text frame; the payload is masked with a fixed key.
 */
export function clientFrame(first: number, payload: Buffer | string = ''): Buffer {
  const body = Buffer.from(payload);
  const n = body.length;
  const head = Buffer.alloc(n < 126 ? 2 : n < 0x10000 ? 4 : 10);
  head[0] = first;
  if (n < 126) head[1] = 0x80 | n;
  else if (n < 0x10000) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    head.writeUInt32BE(n >>> 0, 6);
  }
  for (let i = 0; i < n; i++) body[i]! ^= MASK_KEY[i % 4]!;
  return Buffer.concat([head, MASK_KEY, body]);
}

export interface DeflateServer {
  readonly node: Node;
  readonly clock: ManualClock;
  readonly records: CapturedRecord[];
  readonly port: number;
  /** Per connection, in order: what the server wrote after the 101. */
  readonly written: Buffer[][];
  /** Per connection: the pid `handleUpgrade` resolved with. */
  readonly pids: (Pid | undefined)[];
  /** Every `Sec-WebSocket-Extensions` request header seen, in order. */
  readonly offers: (string | undefined)[];
}

/** Listens on 127.0.0.1:0 and upgrades every request to `handler` with `defaults` under what `init` returns. */
export async function deflateServer<S>(
  handler: Handler<S>,
  state: S,
  defaults: WsOptions = {},
): Promise<DeflateServer> {
  const logger = captureLogger();
  const clock = new ManualClock();
  const node = createNode({ name: 'deflate', logger, clock });
  track(() => node.shutdown());
  const http = trackServer(createServer((_req, res) => res.writeHead(426).end()));
  const written: Buffer[][] = [];
  const pids: (Pid | undefined)[] = [];
  const offers: (string | undefined)[] = [];
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    track(() => socket.destroy());
    offers.push(req.headers['sec-websocket-extensions']);
    const out: Buffer[] = [];
    written.push(out);
    let headWritten = false;
    const write = socket.write;
    socket.write = function spied(this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
      if (headWritten) out.push(Buffer.from(chunk as Buffer));
      headWritten = true; // the first write is the 101
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Socket['write'];
    const index = pids.length;
    pids.push(undefined);
    void handleUpgrade(node, req, socket, head, handler, state, { defaults }).then((pid) => {
      pids[index] = pid;
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  return { node, clock, records: logger.records, port, written, pids, offers };
}

/** A frame the server sent: its header bits and raw (still compressed) payload. */
export interface WireFrame {
  readonly type: ParsedFrame['type'];
  readonly rsv1: boolean;
  readonly payload: Buffer;
  readonly closeCode: number;
}

/** A raw WebSocket client over TCP that speaks exact bytes. */
export class WireClient {
  private buffer = Buffer.alloc(0);
  private consumed = 0;
  private ended = false;
  private waiter: (() => void) | undefined;
  private readonly parser = new FrameParser({
    role: 'client',
    rsv1Allowed: true,
    validateUtf8: false,
    maxFrameSize: Number.POSITIVE_INFINITY,
  });
  private parsedUpTo = 0;
  private readonly frames: WireFrame[] = [];
  private taken = 0;

  private constructor(
    readonly socket: Socket,
    /** The server's 101 (or other) response head. */
    readonly head: string,
  ) {}

  /** Connects and sends the RFC 6455 §1.2 sample handshake with `extensions` (none if undefined). */
  static async connect(port: number, extensions: string | undefined): Promise<WireClient> {
    const socket = connect(port, '127.0.0.1');
    track(() => socket.destroy());
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(
      'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n` +
        (extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) +
        '\r\n',
    );
    let buffered = Buffer.alloc(0);
    let end = -1;
    while (end < 0) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      buffered = Buffer.concat([buffered, chunk]);
      end = buffered.indexOf('\r\n\r\n');
    }
    const client = new WireClient(socket, buffered.subarray(0, end + 4).toString('latin1'));
    client.buffer = buffered.subarray(end + 4);
    socket.on('data', (chunk: Buffer) => {
      client.buffer = Buffer.concat([client.buffer, chunk]);
      client.notify();
    });
    socket.on('close', () => {
      client.ended = true;
      client.notify();
    });
    return client;
  }

  /** The `Sec-WebSocket-Extensions` value of the response, if any. */
  get extensions(): string | undefined {
    const m = /\r\nSec-WebSocket-Extensions: ([^\r]*)\r\n/i.exec(this.head);
    return m?.[1];
  }

  /** Whether the server has closed the TCP connection. */
  get closed(): boolean {
    return this.ended;
  }

  send(...bytes: Buffer[]): void {
    this.socket.write(Buffer.concat(bytes));
  }

  /** The next `n` bytes the server sent, exactly. */
  async bytes(n: number): Promise<Buffer> {
    await this.wait(() => this.buffer.length - this.consumed >= n, `${n} bytes`);
    const out = this.buffer.subarray(this.consumed, this.consumed + n);
    this.consumed += n;
    return Buffer.from(out);
  }

  /** The next frame the server sent (reading from where {@link bytes} left off). */
  async frame(): Promise<WireFrame> {
    for (;;) {
      this.parse();
      if (this.taken < this.frames.length) return this.frames[this.taken++]!;
      const have = this.buffer.length;
      await this.wait(() => this.buffer.length > have, 'a frame');
    }
  }

  /** The next `n` frames. */
  async take(n: number): Promise<WireFrame[]> {
    const out: WireFrame[] = [];
    for (let i = 0; i < n; i++) out.push(await this.frame());
    return out;
  }

  /** Waits for the server to close the connection; returns every frame not yet taken. */
  async rest(): Promise<WireFrame[]> {
    await this.wait(() => this.ended, 'the server to close');
    this.parse();
    const out = this.frames.slice(this.taken);
    this.taken = this.frames.length;
    return out;
  }

  private parse(): void {
    if (this.parsedUpTo < this.consumed) this.parsedUpTo = this.consumed;
    if (this.buffer.length > this.parsedUpTo) {
      this.parser.push(Buffer.from(this.buffer.subarray(this.parsedUpTo)));
      this.parsedUpTo = this.buffer.length;
      this.consumed = this.buffer.length;
    }
    for (let r = this.parser.next(); r.kind !== 'more'; r = this.parser.next()) {
      if (r.kind === 'error') throw new Error(`bad frame from the server: ${r.error.message}`);
      this.frames.push({ type: r.type, rsv1: r.rsv1, payload: r.payload, closeCode: r.closeCode });
    }
  }

  private async wait(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      if (this.ended && !done()) throw new Error(`${what}: the server closed the connection`);
      if (Date.now() > deadline) throw new Error(`${what}: not received after 5 s`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/**
 * An echo handler with `compress: true` and `deflateOpts` (threshold 0 unless given), whose
 * texts may name a command: `'off'` → `['deflate', false]`, `'on'` → `['deflate', true]`,
 * `'hibernate'` → reply `zzz` with `'hibernate'`, `big:N` → a reply of N bytes of JSON-ish
 * text, `bye:N` → that and a close frame 4000, `limit:N` → `['set_options', { maxFrameSize: N }]`. Every frame the handler sees is in
 * `seen`, every terminate reason in `reasons`.
 */
export function echoHandler(opts: WsOptions = {}): {
  handler: Handler<null>;
  seen: [string, string | Buffer][];
  reasons: TerminateReason[];
} {
  const seen: [string, string | Buffer][] = [];
  const reasons: TerminateReason[] = [];
  const handler: Handler<null> = {
    init: (req, s) => [
      'websocket',
      req,
      s,
      { compress: true, ...opts, deflateOpts: { threshold: 0, ...opts.deflateOpts } },
    ],
    websocketHandle(frame, s): CallResult<null> {
      seen.push([frame[0], frame[1]]);
      if (frame[0] === 'text') {
        const t = frame[1];
        if (t === 'off') return [[['deflate', false]], s];
        if (t === 'on') return [[['deflate', true]], s];
        if (t === 'hibernate') return ['reply', ['text', 'zzz'], s, 'hibernate'];
        if (t.startsWith('big:')) return ['reply', ['text', bigText(Number(t.slice(4)))], s];
        if (t.startsWith('bye:'))
          return [
            'reply',
            [
              ['text', bigText(Number(t.slice(4)))],
              ['close', 4000],
            ],
            s,
          ];
        if (t.startsWith('limit:')) return [[['set_options', { maxFrameSize: Number(t.slice(6)) }]], s];
      }
      return frame[0] === 'text' || frame[0] === 'binary' ? ['reply', frame, s] : ['ok', s];
    },
    terminate(reason) {
      reasons.push(reason);
    },
  };
  return { handler, seen, reasons };
}

/** `n` bytes of repetitive JSON-ish ASCII text (compresses well, not trivially). */
export function bigText(n: number): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `{"id":${i},"name":"item ${i % 97}","ok":${i % 3 === 0}},`;
  return s.slice(0, n);
}
