/**
 * The limits of a compressed connection under hostile or heavy load: a compression bomb is
 * refused at `maxFrameSize` (1009) while inflating, with memory bounded by the limit, never by
 * what the bomb would inflate to; and many connections compressing at once share the
 * process-wide zlib limiter, never running more jobs than it allows.
 */
import { once } from 'node:events';
import { constants, deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SYNC_DEFLATE_MAX_INPUT } from '../../src/deflate/deflater.js';
import { zlibLimiter } from '../../src/deflate/zlib-limiter.js';
import { closeTracked, track, until } from '../server/support.js';
import { bigText, clientFrame, deflateServer, echoHandler, WireClient } from './support.js';

afterEach(closeTracked);

/** `total` zeros as one compressed message: one compressed MiB (Z_FULL_FLUSH) repeated, the final tail stripped. */
function zeroBomb(total: number): Buffer {
  const MiB = 1 << 20;
  const block = deflateRawSync(Buffer.alloc(Math.min(total, MiB)), {
    level: 9,
    finishFlush: constants.Z_FULL_FLUSH,
  });
  const parts: Buffer[] = [];
  for (let n = 0; n < total; n += MiB) parts.push(block);
  const all = Buffer.concat(parts);
  return all.subarray(0, all.length - 4);
}

describe('compression bombs', () => {
  it('a 1 KiB frame inflating to 1 MB closes with 1009 under the default maxFrameSize (1,000,000)', async () => {
    const { handler, reasons, seen } = echoHandler();
    const server = await deflateServer(handler, null);
    const client = await WireClient.connect(server.port, 'permessage-deflate');
    const bomb = zeroBomb(1 << 20);
    expect(bomb.length).toBeLessThan(1100);
    client.send(clientFrame(0xc2, bomb));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1009 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badsize']]);
    expect(seen).toEqual([]);
  });

  it('a 1 MB frame inflating to 1 GiB closes with 1009 at the limit, the process never growing by the gigabyte', async () => {
    const { handler, reasons } = echoHandler({ maxFrameSize: 2_000_000 });
    const server = await deflateServer(handler, null);
    const client = await WireClient.connect(server.port, 'permessage-deflate');
    const bomb = zeroBomb(1 << 30);
    expect(bomb.length).toBeLessThan(2_000_000); // within maxFrameSize as sent: only inflating finds it out
    const before = process.resourceUsage().maxRSS; // KiB, the high-water mark
    client.send(clientFrame(0xc2, bomb));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1009 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badsize']]);
    expect(process.resourceUsage().maxRSS - before).toBeLessThan(128 * 1024);
  });
});

describe('the process-wide zlib limiter', () => {
  it('bounds the zlib jobs of 30 connections compressing large replies at once, every reply intact', async () => {
    const saved = zlibLimiter.concurrency;
    zlibLimiter.concurrency = 2;
    track(() => {
      zlibLimiter.concurrency = saved;
    });
    zlibLimiter.resetPeak();
    const { handler } = echoHandler();
    const server = await deflateServer(handler, null);
    const size = SYNC_DEFLATE_MAX_INPUT * 4;
    const clients = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: true });
        track(() => ws.terminate());
        await once(ws, 'open');
        return ws;
      }),
    );
    const replies = await Promise.all(
      clients.map(async (ws) => {
        const reply = once(ws, 'message') as Promise<[Buffer, boolean]>;
        ws.send(`big:${size}`);
        return (await reply)[0].toString();
      }),
    );
    expect(replies.every((r) => r === bigText(size))).toBe(true);
    expect(zlibLimiter.peak).toBe(2);
  });
});
