/**
 * Compressing sent messages (RFC 7692 §7.2.1): the exact bytes of §7.2.3, the context reset of
 * server_no_context_takeover, and — since each message is compressed by a fresh zlib context
 * primed with the history — proof that a client keeping one long-lived inflate stream (as
 * browsers and ws do) inflates every message, for every window size, on both paths.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Deflater, type DeflaterParams, SYNC_DEFLATE_MAX_INPUT } from '../../src/deflate/deflater.js';
import { ZlibLimiter } from '../../src/deflate/zlib-limiter.js';
import { bigText, hex } from './support.js';
import { PeerInflater } from './zlib-peer.js';

const params = (over: Partial<DeflaterParams> = {}): DeflaterParams => ({
  windowBits: 15,
  noContextTakeover: false,
  level: 9,
  memLevel: 8,
  strategy: 'default',
  ...over,
});

const peers: PeerInflater[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
});
function peer(windowBits = 15): PeerInflater {
  const p = new PeerInflater(windowBits);
  peers.push(p);
  return p;
}

const deflated = async (d: Deflater, message: string | Buffer): Promise<Buffer> =>
  d.deflate(Buffer.from(message));

describe('Deflater: the bytes of RFC 7692 §7.2.3', () => {
  it('§7.2.3.1: "Hello" compresses to f2 48 cd c9 c9 07 00 (the 00 00 ff ff tail stripped), synchronously', () => {
    const out = new Deflater(params()).deflate(Buffer.from('Hello'));
    expect(out).toBeInstanceOf(Buffer);
    expect((out as Buffer).toString('hex')).toBe('f248cdc9c90700');
  });

  it('§7.2.3.2: with context takeover the second "Hello" is f2 00 11 00 00', () => {
    const d = new Deflater(params());
    expect((d.deflate(Buffer.from('Hello')) as Buffer).toString('hex')).toBe('f248cdc9c90700');
    expect((d.deflate(Buffer.from('Hello')) as Buffer).toString('hex')).toBe('f200110000');
  });

  it('with server_no_context_takeover every message is compressed on its own: the second "Hello" is the first again', () => {
    const d = new Deflater(params({ noContextTakeover: true }));
    expect((d.deflate(Buffer.from('Hello')) as Buffer).toString('hex')).toBe('f248cdc9c90700');
    expect((d.deflate(Buffer.from('Hello')) as Buffer).toString('hex')).toBe('f248cdc9c90700');
    expect(d.retainedBytes).toBe(0);
  });

  it('an empty message compresses to the single octet 00', () => {
    expect(new Deflater(params()).deflate(Buffer.alloc(0))).toEqual(hex('00'));
  });
});

describe('Deflater: what a client with one long-lived inflate stream receives', () => {
  it('inflates 300 messages of every size, the large ones compressed asynchronously', async () => {
    const d = new Deflater(params());
    const client = peer();
    let asyncCount = 0;
    for (let i = 0; i < 300; i++) {
      const size = i % 25 === 0 ? SYNC_DEFLATE_MAX_INPUT + 1 + i * 100 : 20 + ((i * 97) % 5000);
      const message = `${bigText(size)}|${i}`;
      const out = d.deflate(Buffer.from(message));
      if (out instanceof Promise) asyncCount++;
      expect((await client.inflate(await out)).toString()).toBe(message);
    }
    expect(asyncCount).toBe(12);
  });

  it.each([9, 10, 12, 15])(
    'never refers further back than a %i-bit window (server_max_window_bits)',
    async (bits) => {
      const d = new Deflater(params({ windowBits: bits }));
      const client = peer(bits);
      for (let i = 0; i < 60; i++) {
        const message = bigText(200 + ((i * 131) % (3 << bits)));
        expect((await client.inflate(await deflated(d, message))).toString()).toBe(message);
      }
    },
  );

  it('release (hibernate) drops the history; the next message is still valid for the client', async () => {
    const d = new Deflater(params());
    const client = peer();
    for (let i = 0; i < 20; i++) await client.inflate(await deflated(d, bigText(2000)));
    expect(d.retainedBytes).toBeGreaterThan(0);
    d.release();
    expect(d.retainedBytes).toBe(0);
    const message = bigText(2000);
    expect((await client.inflate(await deflated(d, message))).toString()).toBe(message);
  });

  it.each([3000, 20_000])(
    'compresses against the history: a %i-byte message sent again costs a few bytes (a stream of snapshots)',
    async (size) => {
      const d = new Deflater(params());
      const message = `${bigText(size - 10)}${'0123456789'}`;
      const first = await deflated(d, message);
      const second = await deflated(d, message);
      expect(second.length).toBeLessThan(first.length / 10);
    },
  );
});

describe('Deflater: the asynchronous path and the zlib limiter', () => {
  it('compresses large messages at most `concurrency` at a time', async () => {
    const limiter = new ZlibLimiter(3);
    const clients = Array.from({ length: 10 }, () => peer());
    await Promise.all(
      clients.map(async (client, i) => {
        const d = new Deflater(params({ level: 1 }), limiter);
        const message = bigText(SYNC_DEFLATE_MAX_INPUT * 4 + i);
        const out = d.deflate(Buffer.from(message));
        expect(out).toBeInstanceOf(Promise);
        expect((await client.inflate(await out)).toString()).toBe(message);
      }),
    );
    expect(limiter.peak).toBe(3);
  });

  it('a job still queued when its connection closes does no work', async () => {
    const limiter = new ZlibLimiter(1);
    let release!: () => void;
    limiter.run((done) => {
      release = done;
    });
    const d = new Deflater(params(), limiter);
    const pending = d.deflate(Buffer.from(bigText(SYNC_DEFLATE_MAX_INPUT * 2)));
    d.close();
    release();
    expect(await pending).toEqual(Buffer.alloc(0));
  });
});
