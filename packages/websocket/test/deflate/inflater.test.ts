/**
 * Inflating received messages (RFC 7692 §7.2.2): the examples of §7.2.3, context takeover and
 * its absence, window sizes, and the limit on the inflated size — checked while inflating, so
 * a bomb stops at the limit — on both the synchronous and the asynchronous path.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/codec/protocol-error.js';
import {
  type InflateResult,
  Inflater,
  SYNC_INFLATE_MAX_INPUT,
  SYNC_INFLATE_MAX_OUTPUT,
} from '../../src/deflate/inflater.js';
import { ZlibLimiter } from '../../src/deflate/zlib-limiter.js';
import { bigText, hex } from './support.js';
import { PeerDeflater } from './zlib-peer.js';

const TAKEOVER = { windowBits: 15, noContextTakeover: false };
const peers: PeerDeflater[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
});
function peer(options?: ConstructorParameters<typeof PeerDeflater>[0]): PeerDeflater {
  const p = new PeerDeflater(options);
  peers.push(p);
  return p;
}

const text = (r: InflateResult): string => {
  if (r instanceof ProtocolError) throw r;
  return r.toString();
};

/** `totalBytes` zeros as one raw DEFLATE message, built from one compressed megabyte repeated (Z_FULL_FLUSH makes each the same). */
function zeroBomb(totalBytes: number): Buffer {
  const MiB = 1 << 20;
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const parts: Buffer[] = [];
  for (let n = 0; n < totalBytes; n += MiB) parts.push(block);
  const all = Buffer.concat(parts);
  return all.subarray(0, all.length - 4); // the last full flush ends with 00 00 ff ff: §7.2.1 strips it
}

describe('Inflater: the examples of RFC 7692 §7.2.3', () => {
  it('§7.2.3.1: f2 48 cd c9 c9 07 00 is "Hello", inflated synchronously', () => {
    const r = new Inflater(TAKEOVER).inflate(hex('f2 48 cd c9 c9 07 00'), 1000);
    expect(r).toBeInstanceOf(Buffer);
    expect(text(r as InflateResult)).toBe('Hello');
  });

  it('§7.2.3.2: with context takeover the second "Hello" is f2 00 11 00 00, a reference into the first', () => {
    const inflater = new Inflater(TAKEOVER);
    expect(text(inflater.inflate(hex('f2 48 cd c9 c9 07 00'), 1000) as InflateResult)).toBe('Hello');
    expect(text(inflater.inflate(hex('f2 00 11 00 00'), 1000) as InflateResult)).toBe('Hello');
  });

  it('with client_no_context_takeover nothing is kept: the same reference is invalid data (1007)', () => {
    const inflater = new Inflater({ windowBits: 15, noContextTakeover: true });
    expect(text(inflater.inflate(hex('f2 48 cd c9 c9 07 00'), 1000) as InflateResult)).toBe('Hello');
    const r = inflater.inflate(hex('f2 00 11 00 00'), 1000) as ProtocolError;
    expect([r.code, r.closeCode, r.reason]).toEqual(['WS_ERR_INVALID_COMPRESSED_DATA', 1007, 'badencoding']);
    expect(inflater.retainedBytes).toBe(0);
  });

  it('§7.2.3.3: a DEFLATE block with no compression (00 05 00 fa ff "Hello" 00)', () => {
    expect(
      text(new Inflater(TAKEOVER).inflate(hex('00 05 00 fa ff 48 65 6c 6c 6f 00'), 1000) as InflateResult),
    ).toBe('Hello');
  });

  it('§7.2.3.4: a block with BFINAL set (f3 48 cd c9 c9 07 00 00)', () => {
    expect(text(new Inflater(TAKEOVER).inflate(hex('f3 48 cd c9 c9 07 00 00'), 1000) as InflateResult)).toBe(
      'Hello',
    );
  });

  it('§7.2.3.5: two DEFLATE blocks in one message', () => {
    const payload = hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00');
    expect(text(new Inflater(TAKEOVER).inflate(payload, 1000) as InflateResult)).toBe('Hello');
  });

  it('an empty message: 00 (an empty stored block begun), or no bytes at all', () => {
    expect(text(new Inflater(TAKEOVER).inflate(hex('00'), 1000) as InflateResult)).toBe('');
    expect(text(new Inflater(TAKEOVER).inflate(Buffer.alloc(0), 1000) as InflateResult)).toBe('');
  });

  it('bytes that are not DEFLATE data are WS_ERR_INVALID_COMPRESSED_DATA (1007)', () => {
    const r = new Inflater(TAKEOVER).inflate(hex('ff ff ff ff'), 1000) as ProtocolError;
    expect(r).toBeInstanceOf(ProtocolError);
    expect([r.code, r.closeCode]).toEqual(['WS_ERR_INVALID_COMPRESSED_DATA', 1007]);
  });
});

describe('Inflater: context takeover against a long-lived zlib stream', () => {
  it('inflates 200 messages of a client that keeps its context (back-references across messages)', async () => {
    const client = peer();
    const inflater = new Inflater(TAKEOVER);
    for (let i = 0; i < 200; i++) {
      const message = `${bigText(50 + ((i * 37) % 3000))} #${i % 7}`;
      const r = inflater.inflate(await client.deflate(message), 1 << 20);
      expect(text(r as InflateResult)).toBe(message);
    }
    expect(inflater.retainedBytes).toBeLessThanOrEqual(32768 + 8192);
  });

  it('inflates a client using a 512-byte window (client_max_window_bits=9) keeping only 512 bytes', async () => {
    const client = peer({ windowBits: 9 });
    const inflater = new Inflater({ windowBits: 9, noContextTakeover: false });
    for (let i = 0; i < 50; i++) {
      const message = bigText(100 + i * 13);
      expect(text(inflater.inflate(await client.deflate(message), 1 << 20) as InflateResult)).toBe(message);
    }
    expect(inflater.retainedBytes).toBeLessThanOrEqual(512 + 128);
  });

  it('release (hibernate) keeps the history, trimmed, so the next message still inflates', async () => {
    const client = peer();
    const inflater = new Inflater(TAKEOVER);
    for (let i = 0; i < 40; i++) inflater.inflate(await client.deflate(bigText(1000 + i)), 1 << 20);
    inflater.release();
    expect(inflater.retainedBytes).toBe(32768);
    const again = bigText(1000);
    expect(text(inflater.inflate(await client.deflate(again), 1 << 20) as InflateResult)).toBe(again);
  });
});

describe('Inflater: the limit on the inflated size (maxFrameSize, 1009)', () => {
  it('accepts a message of exactly the limit, refuses one byte more with WS_ERR_UNSUPPORTED_MESSAGE_LENGTH (1009)', async () => {
    const client = peer();
    const inflater = new Inflater(TAKEOVER);
    expect(text(inflater.inflate(await client.deflate('x'.repeat(100)), 100) as InflateResult)).toHaveLength(
      100,
    );
    const r = inflater.inflate(await client.deflate('y'.repeat(101)), 100) as ProtocolError;
    expect([r.code, r.closeCode, r.reason]).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009, 'badsize']);
  });

  it('a limit of 0 lets only empty messages through', () => {
    expect(text(new Inflater(TAKEOVER).inflate(hex('00'), 0) as InflateResult)).toBe('');
    expect(new Inflater(TAKEOVER).inflate(hex('f2 48 cd c9 c9 07 00'), 0)).toBeInstanceOf(ProtocolError);
  });

  it('a 1 KiB message that inflates to 1 MB stops at the limit, synchronously', () => {
    const bomb = zeroBomb(1 << 20);
    expect(bomb.length).toBeLessThan(1100);
    const r = new Inflater(TAKEOVER).inflate(bomb, 64 * 1024) as ProtocolError;
    expect([r.code, r.closeCode]).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
  });

  it('a 1 MB message that inflates to 1 GiB closes with 1009 at the limit, never allocating the gigabyte', async () => {
    const bomb = zeroBomb(1 << 30);
    expect(bomb.length).toBeGreaterThan(SYNC_INFLATE_MAX_INPUT); // the asynchronous path
    const before = process.resourceUsage().maxRSS; // KiB, the high-water mark
    const started = performance.now();
    const pending = new Inflater(TAKEOVER).inflate(bomb, 2_000_000);
    expect(pending).toBeInstanceOf(Promise);
    const r = (await pending) as ProtocolError;
    expect([r.code, r.closeCode]).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
    // Stopped near 2 MB: nowhere near the gigabyte in memory or in time.
    expect(process.resourceUsage().maxRSS - before).toBeLessThan(128 * 1024);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a small message that legitimately inflates past the synchronous cap is inflated asynchronously, history intact', async () => {
    const client = peer({ level: 9 });
    const inflater = new Inflater(TAKEOVER);
    const first = bigText(10_000);
    expect(text(inflater.inflate(await client.deflate(first), 4 << 20) as InflateResult)).toBe(first);
    const big = `${'z'.repeat(SYNC_INFLATE_MAX_OUTPUT * 3)}${first}`;
    const compressed = await client.deflate(big);
    expect(compressed.length).toBeLessThan(SYNC_INFLATE_MAX_INPUT);
    const pending = inflater.inflate(compressed, 4 << 20);
    expect(pending).toBeInstanceOf(Promise);
    expect(text(await pending)).toBe(big);
    // The retry started from the same history, and the history now ends with the big message.
    const next = `${first}!`;
    expect(text(inflater.inflate(await client.deflate(next), 4 << 20) as InflateResult)).toBe(next);
  });
});

describe('Inflater: the asynchronous path and the zlib limiter', () => {
  it('inflates large messages off the main thread, at most `concurrency` at a time', async () => {
    const limiter = new ZlibLimiter(2);
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        // Pseudo-random bytes (xorshift): they do not compress, so the payload is over the sync limit.
        const message = Buffer.alloc(SYNC_INFLATE_MAX_INPUT * 2);
        let x = 0x9e3779b9 ^ i;
        for (let j = 0; j < message.length; j++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          message[j] = x & 0xff;
        }
        const compressed = deflateRawSync(message, { level: 1, finishFlush: constants.Z_SYNC_FLUSH });
        const payload = compressed.subarray(0, compressed.length - 4);
        expect(payload.length).toBeGreaterThan(SYNC_INFLATE_MAX_INPUT);
        const r = await new Inflater({ windowBits: 15, noContextTakeover: true }, limiter).inflate(
          payload,
          1 << 20,
        );
        return (r as Buffer).equals(message);
      }),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(limiter.peak).toBe(2);
    expect(limiter.running).toBe(0);
  });

  it('a job still queued when its connection closes does no work', async () => {
    const limiter = new ZlibLimiter(1);
    let release!: () => void;
    limiter.run((done) => {
      release = done;
    });
    const payload = zeroBomb(1 << 27);
    const inflater = new Inflater(TAKEOVER, limiter);
    const pending = inflater.inflate(payload, 1 << 30);
    inflater.close();
    release();
    const r = await pending;
    expect(r).toEqual(Buffer.alloc(0));
    expect(limiter.running).toBe(0);
  });
});
