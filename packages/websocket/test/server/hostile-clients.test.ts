/**
 * Clients that misbehave after the upgrade, through a real `listen()` listener: one that stops
 * reading while the server broadcasts to it (it must not grow the server's memory without bound,
 * nor hold back the others), and one that floods (it must not starve the others).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { type Pid, pg, self } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FrameParser } from '../../src/codec/frame-parser.js';
import { encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode } from '../../src/codec/opcodes.js';
import { DEFAULT_WS_OPTIONS, type Handler } from '../../src/handler/handler.js';
import type { TerminateReason } from '../../src/handler/terminate-reason.js';
import type { Listener } from '../../src/server/listener.js';
import {
  closeTracked,
  localListener,
  switching,
  testNode,
  tick,
  track,
  until,
  upgradeRequest,
  wsClient,
} from './support.js';

afterEach(closeTracked);

/** The server's end of each upgraded socket, in upgrade order (another 'upgrade' listener sees them too). */
function serverSockets(listener: Listener): Socket[] {
  const sockets: Socket[] = [];
  listener.server.on('upgrade', (_req: IncomingMessage, socket: Socket) => sockets.push(socket));
  return sockets;
}

/** A raw TCP client past the 101; what it reads after the 101 stays in the socket until it resumes. */
async function rawUpgrade(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  track(() => socket.destroy());
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(upgradeRequest('/feed'));
  let head = '';
  while (!head.includes('\r\n\r\n')) {
    const chunk = socket.read() as Buffer | null;
    if (chunk === null) await once(socket, 'readable');
    else head += chunk.toString('latin1');
  }
  expect(head).toBe(switching());
  return socket;
}

/**
 * A child process that upgrades on `/feed` and then writes `burst` over and over, as fast as its
 * socket drains, until it is killed (after the test).
 */
function spawnFlooder(port: number, burst: Buffer): ChildProcess {
  const script = `
    const net = require('node:net');
    const burst = Buffer.from(process.argv[1], 'base64');
    const socket = net.connect(${port}, '127.0.0.1', () => socket.write(${JSON.stringify(upgradeRequest('/feed'))}));
    socket.on('error', () => process.exit(0));
    socket.once('data', () => {
      const flood = () => { while (socket.write(burst)); };
      socket.on('drain', flood);
      flood();
    });`;
  const child = spawn(process.execPath, ['-e', script, burst.toString('base64')], { stdio: 'ignore' });
  track(() => child.kill('SIGKILL'));
  return child;
}

/** `promise`, or a clear failure if it has not settled after 5 s (a hang, not a slow run). */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after 5 s`)), 5_000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a client that stops reading (slow reader)', () => {
  it("cannot grow the server's send buffer past maxOutgoingBuffer plus one batch while it is broadcast to: it is closed with 1008 and ['error', 'slow_reader'], and the others keep receiving", async () => {
    const { node } = testNode();
    const groups = pg.startScope(node);
    const reasons: TerminateReason[] = [];
    const feed: Handler<null, Buffer> = {
      init: (req, s) => ['websocket', req, s],
      websocketInit(s) {
        groups.join('feed', self().pid);
        return ['ok', s];
      },
      websocketHandle: (_frame, s) => ['ok', s],
      websocketInfo: (payload, s) => ['reply', ['binary', payload], s],
      terminate: (reason) => void reasons.push(reason),
    };
    const limit = 256 * 1024;
    const listener = await localListener({
      node,
      routes: { '/feed': [feed, null, { maxOutgoingBuffer: limit }] },
    });
    const sockets = serverSockets(listener);
    const stalled = await rawUpgrade(listener.port);
    stalled.pause(); // never reads: the kernel's buffers fill, then the server's socket holds the rest
    const healthy = await wsClient(`ws://127.0.0.1:${listener.port}/feed`);
    let received = 0;
    healthy.on('message', () => received++);
    await until(() => groups.getMembers('feed').length === 2, 'both connections in the group');
    const [stalledPid] = groups.getMembers('feed') as Pid[];

    const payload = Buffer.alloc(60_000, 7); // one binary frame of 60,004 bytes per broadcast
    let sent = 0;
    let maxUnsent = 0;
    while (reasons.length === 0) {
      if (sent === 4000) throw new Error('the slow reader was never dropped');
      groups.broadcast('feed', payload);
      sent++;
      await tick();
      maxUnsent = Math.max(maxUnsent, sockets[0]!.writableLength);
    }
    expect(reasons).toEqual([['error', 'slow_reader']]);
    // The socket went past the cap (by the batch written while it was still under it), never further.
    expect(maxUnsent).toBeGreaterThan(limit);
    expect(maxUnsent).toBeLessThanOrEqual(limit + payload.length + 4);
    expect(node.isAlive(stalledPid!)).toBe(false);
    expect(groups.getMembers('feed')).toHaveLength(1); // pg: a member that exits leaves its groups

    // The healthy client got every broadcast, and its connection is still open.
    groups.broadcast('feed', payload);
    await until(() => received === sent + 1, 'every broadcast at the healthy client');
    expect(healthy.readyState).toBe(WebSocket.OPEN);

    // The stalled client, reading at last, finds the frames written before the cap, then close 1008.
    const parser = new FrameParser({ role: 'client', maxFrameSize: Number.POSITIVE_INFINITY });
    const frames: string[] = [];
    stalled.on('data', (chunk: Buffer) => {
      parser.push(Buffer.from(chunk));
      for (let r = parser.next(); r.kind === 'frame'; r = parser.next())
        frames.push(r.type === 'close' ? `close ${r.closeCode}` : `${r.type} ${r.payload.length}`);
    });
    stalled.resume();
    await once(stalled, 'end');
    expect(frames.at(-1)).toBe('close 1008');
    expect(frames.slice(0, -1).every((f) => f === 'binary 60000')).toBe(true);
    expect(frames.length - 1).toBeLessThan(sent);
  });
});

describe('a client that floods', () => {
  it('cannot starve another connection: 100 ping-pong round trips all complete while the flood goes on, each waiting behind a bounded amount of flood', async () => {
    const { node } = testNode();
    let flooded = 0; // flood frames handled by the server
    const handledAt: number[] = []; // `flooded` when each ping was handled
    const handler: Handler<null> = {
      init: (req, s) => ['websocket', req, s],
      websocketHandle(frame, s) {
        if (frame[0] === 'binary') {
          flooded++;
          return ['ok', s];
        }
        if (frame[0] === 'text') {
          handledAt.push(flooded);
          return ['reply', frame, s];
        }
        return ['ok', s];
      },
    };
    const listener = await localListener({ node, routes: { '/feed': [handler, null] } });

    // The flooder runs in a child process, so its writes do not share the server's event loop: 64 KiB
    // writes of 1008-byte masked binary frames, as fast as its socket takes them, until killed.
    const frame = encodeFrame(Opcode.Binary, Buffer.alloc(1000, 1), { mask: true });
    const framesPerWrite = Math.floor(65_536 / frame.length);
    const flooder = spawnFlooder(
      listener.port,
      Buffer.concat(Array.from({ length: framesPerWrite }, () => frame)),
    );
    await until(() => flooded > 100 * framesPerWrite, 'the flood under way');

    const pinger = await wsClient(`ws://127.0.0.1:${listener.port}/feed`);
    const sentAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      sentAt.push(flooded);
      pinger.send(`ping ${i}`);
      const [reply] = await within(once(pinger, 'message'), `round trip ${i}`);
      expect(String(reply)).toBe(`ping ${i}`);
    }
    const floodedDuringPings = flooded - sentAt[0]!;
    expect(flooder.exitCode).toBe(null); // still flooding

    // The flood went on throughout: flood frames were handled between round trips, by the thousand.
    const interleaved = sentAt.slice(1).filter((n, i) => n > sentAt[i]!).length;
    expect(interleaved).toBeGreaterThan(20);
    expect(floodedDuringPings).toBeGreaterThan(10 * framesPerWrite);
    // Fairness, counted in flood frames rather than milliseconds: between a ping leaving the client and
    // being handled, the server handles at most the chunks the flooder may have waiting in its mailbox
    // (maxPendingFrames; then its socket is paused) plus one event-loop turn of reads of its socket
    // (libuv reads a readable stream at most 32 times per turn, 64 KiB at a time); each chunk holds at
    // most framesPerWrite + 1 frames. Never "until the flood stops" (hundreds of thousands here).
    // The ping's own bytes may take more than one turn to reach the server on a loaded machine (the
    // client shares this process), so the bound is asserted on the median wait; the worst wait must
    // still be a small part of the flood handled meanwhile, never the flood itself.
    const chunksAhead = DEFAULT_WS_OPTIONS.maxPendingFrames + 32;
    const waits = handledAt.map((n, i) => n - sentAt[i]!).sort((a, b) => a - b);
    expect(waits[waits.length >> 1]!).toBeLessThanOrEqual(chunksAhead * (framesPerWrite + 1));
    expect(waits[waits.length - 1]!).toBeLessThan(floodedDuringPings / 4);
  });
});
