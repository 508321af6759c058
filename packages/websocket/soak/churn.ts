/**
 * Churn soak: thousands of connect / send / close cycles against a `listen()` server in this
 * process, with hostile endings (sockets destroyed mid-handshake, mid-frame, right after a close
 * frame; silent clients left to the handshake timeout; bad frames; upgrades past the connection
 * cap), under handlers that register names, join pg groups and set timers. Afterwards everything
 * a connection holds must be back at its baseline: processes, registered names, pg groups and
 * members, node timers, sockets and handles, connection slots, and the heap (after GC).
 * Prints a table; exits 1 on a leak (or an unexpected error record), 0 otherwise.
 *
 *   npx tsx packages/websocket/soak/churn.ts          (or: npm run soak)
 *
 * Bounded: SOAK_CYCLES (default 20,000) cycles, SOAK_CONCURRENCY (default 64) at a time, and
 * SOAK_SECONDS (default 90) at most, whichever ends first; SOAK_SEED picks the random choices.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type CapturedRecord, captureLogger, createNode, type Logger, pg, self } from '@corral/actor';
import { FrameParser } from '../src/codec/frame-parser.js';
import { encodeCloseFrame, encodeFrame } from '../src/codec/frame-serializer.js';
import { Opcode } from '../src/codec/opcodes.js';
import type { Handler } from '../src/handler/handler.js';
import type { TerminateReason } from '../src/handler/terminate-reason.js';
import { listen } from '../src/server/listener.js';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 20_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 64);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const SEED = Number(process.env.SOAK_SEED ?? 42);
const WARMUP = Math.min(500, Math.floor(CYCLES / 10));
/** Connections the listener admits: half of CONCURRENCY, so some upgrades meet the cap (503). */
const MAX_CONNECTIONS = Math.max(1, CONCURRENCY >> 1);
/** The heap, and the memory of Buffers, may end this much above their baseline (JIT code, caches, pools). */
const MEMORY_TOLERANCE = 4 * 1024 * 1024;

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();

/** A small seeded PRNG (mulberry32), so a run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);

// ---- the server ---------------------------------------------------------------------------------

const records: CapturedRecord[] = [];
const logger: Logger = captureLogger(records);
const node = createNode({ name: 'soak', logger });
const groups = pg.startScope(node);
const reasons = new Map<string, number>();
let nextId = 0;

interface ConnState {
  id: number;
}

/** Registers a name, joins two pg groups, sets a timer, echoes text, stops on "stop". */
const handler: Handler<ConnState, 'broadcast'> = {
  init: (req, state) => ['websocket', req, state],
  websocketInit() {
    const me = self();
    const id = nextId++;
    me.register(`conn-${id}`);
    groups.join('all', me.pid);
    groups.join(['room', id % 16], me.pid);
    me.sendAfter(600_000, me.pid, 'broadcast'); // a timer that must die with the process
    return ['reply', ['text', 'welcome'], { id }];
  },
  websocketHandle(frame, state) {
    if (frame[0] === 'text') return frame[1] === 'stop' ? ['stop', state] : ['reply', frame, state];
    return ['ok', state];
  },
  websocketInfo: (_info, state) => ['reply', ['text', 'news'], state],
  terminate(reason: TerminateReason) {
    const key = Array.isArray(reason)
      ? `${reason[0]} ${typeof reason[1] === 'number' ? reason[1] : String(reason[1])}`
      : String(reason);
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  },
};

const listener = await listen({
  node,
  host: '127.0.0.1',
  port: 0,
  routes: { '/soak': [handler, { id: -1 }] },
  defaults: { closeTimeout: 300, idleTimeout: 5_000 },
  handshakeTimeout: 400,
  maxConnections: MAX_CONNECTIONS,
});
const port = listener.port;

// ---- the clients ----------------------------------------------------------------------------------

const REQUEST =
  'GET /soak HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A raw client: reads the response head, then frames; every wait ends when the socket closes. */
class Client {
  readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  private head: string | undefined;
  private readonly parser = new FrameParser({ role: 'client', validateUtf8: false });
  readonly texts: string[] = [];
  closed = false;
  private wake: (() => void) | undefined;

  constructor() {
    this.socket = connect({ host: '127.0.0.1', port, allowHalfOpen: false });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.head === undefined) {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = this.buffered.subarray(0, end).toString('latin1');
      chunk = this.buffered.subarray(end + 4);
      this.buffered = Buffer.alloc(0);
      if (!this.head.startsWith('HTTP/1.1 101')) {
        this.notify();
        return;
      }
    }
    this.parser.push(Buffer.from(chunk));
    for (let r = this.parser.next(); r.kind === 'frame'; r = this.parser.next())
      if (r.type === 'text') this.texts.push(r.payload.toString());
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Waits until `done()` or the socket closes; false if it closed first. */
  async until(done: () => boolean): Promise<boolean> {
    while (!done()) {
      if (this.closed) return false;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return true;
  }

  async connected(): Promise<boolean> {
    if (this.socket.connecting)
      await Promise.race([once(this.socket, 'connect'), once(this.socket, 'close')]);
    return !this.closed;
  }

  /** The response status (101, 503, 408...), or 0 if the socket closed without one. */
  async status(): Promise<number> {
    await this.until(() => this.head !== undefined);
    return this.head === undefined ? 0 : Number(this.head.slice(9, 12));
  }

  frame(opcode: Opcode, payload: string | Buffer): Buffer {
    return encodeFrame(opcode, typeof payload === 'string' ? Buffer.from(payload) : payload, { mask: true });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

type Kind =
  | 'clean'
  | 'hold'
  | 'stop'
  | 'destroy_after_open'
  | 'destroy_mid_frame'
  | 'destroy_mid_handshake'
  | 'destroy_after_close'
  | 'bad_frame'
  | 'silent';

const KINDS: [Kind, number][] = [
  ['clean', 30],
  ['hold', 10],
  ['stop', 10],
  ['destroy_after_open', 15],
  ['destroy_mid_frame', 15],
  ['destroy_mid_handshake', 12],
  ['destroy_after_close', 10],
  ['bad_frame', 6],
  ['silent', 2],
];
const TOTAL_WEIGHT = KINDS.reduce((n, [, w]) => n + w, 0);

function pick(): Kind {
  let r = random() * TOTAL_WEIGHT;
  for (const [kind, w] of KINDS) if ((r -= w) < 0) return kind;
  return 'clean';
}

const outcomes = new Map<string, number>();
const count = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

/** One cycle; resolves when the client's socket is closed (a guard destroys it after 5 s). */
async function cycle(kind: Kind): Promise<void> {
  const c = new Client();
  const guard = setTimeout(() => {
    count('stuck (destroyed by the soak after 5 s)');
    c.destroy();
  }, 5_000);
  try {
    if (!(await c.connected())) return count('connect failed');
    if (kind === 'destroy_mid_handshake') {
      c.socket.write(REQUEST.slice(0, 1 + Math.floor(random() * (REQUEST.length - 2))));
      await new Promise((resolve) => setImmediate(resolve));
      c.destroy();
      return count(kind);
    }
    if (kind === 'silent') {
      const status = await c.status(); // the handshake timeout answers 408
      return count(`silent → ${status}`);
    }
    c.socket.write(REQUEST);
    const status = await c.status();
    if (status !== 101) {
      count(`${kind} → ${status}`);
      return;
    }
    await c.until(() => c.texts.length >= 1); // websocketInit's welcome
    const n = 1 + Math.floor(random() * 4);
    switch (kind) {
      case 'clean': {
        for (let i = 0; i < n; i++) c.socket.write(c.frame(Opcode.Text, `m${i}`));
        await c.until(() => c.texts.length >= 1 + n);
        c.socket.write(encodeCloseFrame(1000, undefined, { mask: true }));
        break;
      }
      case 'hold':
        // Stays open a while, so that connections pile up to the cap and later upgrades get 503.
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(random() * 200)));
        c.socket.write(encodeCloseFrame(1001, undefined, { mask: true }));
        break;
      case 'stop':
        c.socket.write(c.frame(Opcode.Text, 'stop'));
        break;
      case 'destroy_after_open':
        c.socket.write(c.frame(Opcode.Text, 'bye'));
        c.destroy();
        break;
      case 'destroy_mid_frame': {
        const f = c.frame(Opcode.Binary, Buffer.alloc(200 + Math.floor(random() * 2000), 1));
        c.socket.write(f.subarray(0, 1 + Math.floor(random() * (f.length - 1))));
        await new Promise((resolve) => setImmediate(resolve));
        c.destroy();
        break;
      }
      case 'destroy_after_close':
        c.socket.write(encodeCloseFrame(1000, undefined, { mask: true }));
        c.destroy();
        break;
      case 'bad_frame':
        c.socket.write(encodeFrame(Opcode.Text, 'unmasked')); // a client must mask: 1002
        break;
    }
    count(kind);
    await c.until(() => false); // until the socket closes
  } finally {
    clearTimeout(guard);
    c.destroy();
  }
}

async function run(cycles: number, deadline: number): Promise<number> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < cycles && Date.now() < deadline) {
      started++;
      await cycle(pick());
      if (started % 97 === 0) groups.broadcast('all', 'broadcast');
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return started;
}

// ---- measuring ------------------------------------------------------------------------------------

interface Snapshot {
  processes: number;
  registered: number;
  groups: number;
  members: number;
  nodeTimers: number;
  serverSockets: number;
  handles: number;
  heap: number;
  buffers: number;
}

function serverSockets(): Promise<number> {
  return new Promise((resolve, reject) =>
    listener.server.getConnections((e, n) => (e === null ? resolve(n) : reject(e))),
  );
}

async function snapshot(): Promise<Snapshot> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const resources = process.getActiveResourcesInfo();
  return {
    processes: node.processCount(),
    registered: node.registered().length,
    groups: groups.whichGroups().length,
    members: groups.whichGroups().reduce<number>((n, g) => n + groups.getMembers(g).length, 0),
    nodeTimers: node.timerCount(),
    serverSockets: await serverSockets(),
    // TCP handles and timers of the whole process (the clients' sockets included).
    handles: resources.filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length,
    heap: process.memoryUsage().heapUsed,
    buffers: process.memoryUsage().arrayBuffers,
  };
}

/** Waits (at most 10 s) for the connection processes and sockets to drain back to the baseline. */
async function settle(base: Snapshot): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (node.processCount() === base.processes && (await serverSockets()) === base.serverSockets) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** All `maxConnections` slots are free again: that many upgrades in a row all get 101. */
async function slotsFree(): Promise<boolean> {
  const clients = Array.from({ length: MAX_CONNECTIONS }, () => new Client());
  try {
    for (const c of clients) c.socket.write(REQUEST);
    const statuses = await Promise.all(clients.map((c) => c.status()));
    return statuses.every((s) => s === 101);
  } finally {
    for (const c of clients) c.destroy();
  }
}

// ---- the run -------------------------------------------------------------------------------------

const t0 = Date.now();
const deadline = t0 + SECONDS * 1000;
await run(WARMUP, deadline); // JIT, pools and caches warm up before the baseline is taken
const base = await snapshot();
const cycles = await run(CYCLES, deadline);
const churnMs = Date.now() - t0;
await settle(base);
const after = await snapshot();
const slots = await slotsFree();
await settle(base);

const rows: [string, number, number, number, string][] = [];
let leak = false;
const row = (name: keyof Snapshot, tolerance: number, unit = ''): void => {
  const ok = after[name] - base[name] <= tolerance;
  leak ||= !ok;
  const show = (n: number): number => (unit === 'MB' ? Math.round((n / 1048576) * 10) / 10 : n);
  rows.push([
    name,
    show(base[name]),
    show(after[name]),
    show(after[name] - base[name]),
    `${tolerance === 0 ? '0' : `${show(tolerance)} ${unit}`} ${ok ? 'ok' : 'LEAK'}`,
  ]);
};
row('processes', 0);
row('registered', 0);
row('groups', 0);
row('members', 0);
row('nodeTimers', 0);
row('serverSockets', 0);
row('handles', 0);
row('heap', MEMORY_TOLERANCE, 'MB');
row('buffers', MEMORY_TOLERANCE, 'MB');
const errors = records.filter((r) => r.level === 'error');
if (!slots) leak = true;

console.log(
  `churn soak: ${cycles} cycles (+${WARMUP} warm-up) in ${(churnMs / 1000).toFixed(1)} s, ` +
    `concurrency ${CONCURRENCY}, maxConnections ${MAX_CONNECTIONS}, seed ${SEED}, node ${process.version}`,
);
console.table(
  rows.map(([metric, baseline, end, delta, tolerance]) => ({
    metric,
    baseline,
    after: end,
    delta,
    tolerance,
  })),
);
console.log(`connection slots all free again (${MAX_CONNECTIONS} upgrades → 101): ${slots ? 'yes' : 'NO'}`);
console.log('client outcomes:', Object.fromEntries([...outcomes].sort()));
console.log('terminate reasons:', Object.fromEntries([...reasons].sort()));
const labels = new Map<string, number>();
for (const r of records)
  labels.set(
    `${r.level} ${String(r.label ?? r.msg)}`,
    (labels.get(`${r.level} ${String(r.label ?? r.msg)}`) ?? 0) + 1,
  );
console.log('log records:', Object.fromEntries(labels));
if (errors.length > 0) console.log('unexpected error records, first:', errors[0]);

await listener.close();
const failed =
  leak || errors.length > 0 || (outcomes.get('stuck (destroyed by the soak after 5 s)') ?? 0) > 0;
console.log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
