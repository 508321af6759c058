/**
 * permessage-deflate on one connection (RFC 7692 §6, §7.2): how a reply's frames are encoded —
 * RSV1 on compressed data messages only, never on control frames, the threshold, Cowboy's
 * `['deflate', boolean]` switch in command order, order kept around asynchronous compression —
 * and received messages inflated then checked UTF-8.
 */
import { describe, expect, it } from 'vitest';
import type { OutFrame } from '../../src/codec/opcodes.js';
import { ProtocolError } from '../../src/codec/protocol-error.js';
import type { DeflateOptions } from '../../src/deflate/deflate-options.js';
import { SYNC_DEFLATE_MAX_INPUT } from '../../src/deflate/deflater.js';
import { negotiateDeflate } from '../../src/deflate/negotiate.js';
import { type DeflateToggle, PerMessageDeflate } from '../../src/deflate/per-message-deflate.js';
import { parseExtensions } from '../../src/handshake/extensions.js';
import { bigText, hex } from './support.js';

function pmd(options: DeflateOptions = { threshold: 0 }, offer = 'permessage-deflate'): PerMessageDeflate {
  return new PerMessageDeflate(negotiateDeflate(parseExtensions(offer), options)!);
}

/** A sink that keeps what is queued. */
function sink(): { queueBuffer(b: Buffer): void; bytes(): string; parts: Buffer[] } {
  const parts: Buffer[] = [];
  return {
    parts,
    queueBuffer: (b) => parts.push(Buffer.from(b)),
    bytes: () => Buffer.concat(parts).toString('hex'),
  };
}

/** Encodes `frames` and returns the hex of what was queued (awaiting asynchronous compression). */
async function encode(p: PerMessageDeflate, frames: OutFrame[], toggles?: DeflateToggle[]): Promise<string> {
  const out = sink();
  await p.queueFrames(frames, toggles, out);
  return out.bytes();
}

/** First bytes of each frame in `hexBytes` (server frames: unmasked), as [b0, payload length]. */
function headers(bytes: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    let n = bytes[i + 1]! & 0x7f;
    let h = 2;
    if (n === 126) {
      n = bytes.readUInt16BE(i + 2);
      h = 4;
    } else if (n === 127) {
      n = Number(bytes.readBigUInt64BE(i + 2));
      h = 10;
    }
    out.push([b0, n]);
    i += h + n;
  }
  return out;
}

describe('PerMessageDeflate.queueFrames: what goes on the wire', () => {
  it('sends "Hello" as c1 07 f2 48 cd c9 c9 07 00 (RFC 7692 §7.2.3.1), then c1 05 f2 00 11 00 00 (§7.2.3.2)', async () => {
    const p = pmd();
    expect(await encode(p, [['text', 'Hello']])).toBe('c107f248cdc9c90700');
    expect(await encode(p, [['text', 'Hello']])).toBe('c105f200110000');
  });

  it('compresses binary messages too (c2), and an empty message as c1 01 00', async () => {
    expect(await encode(pmd(), [['binary', Buffer.from('Hello')]])).toBe('c207f248cdc9c90700');
    expect(await encode(pmd(), [['text', '']])).toBe('c10100');
  });

  it('never compresses control frames, nor sets RSV1 on them (§6)', async () => {
    const p = pmd();
    expect(await encode(p, ['ping', ['pong', 'x'], ['close', 1000, 'bye']])).toBe(
      `8900 8a0178 8805${Buffer.from([0x03, 0xe8]).toString('hex')}${Buffer.from('bye').toString('hex')}`.replace(
        / /g,
        '',
      ),
    );
  });

  it('sends messages under the threshold uncompressed (RSV1 clear), from the threshold on compressed', async () => {
    const p = pmd({ threshold: 8 });
    expect(await encode(p, [['text', 'seven77']])).toBe(`8107${Buffer.from('seven77').toString('hex')}`);
    const at = Buffer.from(await encode(p, [['text', 'eight888']]), 'hex');
    expect(at[0]).toBe(0xc1);
    // The threshold is in bytes: 3 characters of 3 UTF-8 bytes each are 9 bytes.
    expect(Buffer.from(await encode(p, [['text', '€€€']]), 'hex')[0]).toBe(0xc1);
    expect(Buffer.from(await encode(p, [['binary', Buffer.alloc(7)]]), 'hex')[0]).toBe(0x82);
  });

  it("defaults to ws's threshold of 1024 bytes", async () => {
    const p = pmd({});
    expect(Buffer.from(await encode(p, [['text', 'x'.repeat(1023)]]), 'hex')[0]).toBe(0x81);
    expect(Buffer.from(await encode(p, [['text', 'x'.repeat(1024)]]), 'hex')[0]).toBe(0xc1);
  });

  it("applies ['deflate', false] / ['deflate', true] at their place among the frames, and keeps the last for later replies", async () => {
    const p = pmd();
    const out = sink();
    await p.queueFrames(
      [
        ['text', 'Hello'],
        ['text', 'Hello'],
        ['text', 'Hello'],
      ],
      [
        { at: 1, on: false },
        { at: 2, on: true },
        { at: 3, on: false },
      ],
      out,
    );
    expect(headers(Buffer.concat(out.parts)).map(([b0]) => b0)).toEqual([0xc1, 0x81, 0xc1]);
    expect(p.enabled).toBe(false);
    expect(await encode(p, [['text', 'Hello']])).toBe(`8105${Buffer.from('Hello').toString('hex')}`);
    p.enabled = true;
    expect(Buffer.from(await encode(p, [['text', 'Hello']]), 'hex')[0]).toBe(0xc1);
  });

  it('keeps the order of a reply around a message compressed asynchronously, frames after it waiting', async () => {
    const p = pmd();
    const big = bigText(SYNC_DEFLATE_MAX_INPUT * 3);
    const out = sink();
    const queued = p.queueFrames(
      [['text', 'first'], ['text', big], 'ping', ['text', 'last']],
      undefined,
      out,
    );
    expect(queued).toBeInstanceOf(Promise);
    expect(headers(Buffer.concat(out.parts)).map(([b0]) => b0)).toEqual([0xc1]); // only what came before
    await queued;
    expect(headers(Buffer.concat(out.parts)).map(([b0]) => b0)).toEqual([0xc1, 0xc1, 0x89, 0xc1]);
  });

  it('throws for an invalid frame before queueing any frame of the reply', () => {
    const p = pmd();
    const out = sink();
    expect(() =>
      p.queueFrames(
        [
          ['text', 'ok'],
          ['ping', 'x'.repeat(126)],
        ],
        undefined,
        out,
      ),
    ).toThrow(RangeError);
    expect(() =>
      p.queueFrames(
        [
          ['text', 'ok'],
          ['text', 42 as never],
        ],
        undefined,
        out,
      ),
    ).toThrow(TypeError);
    expect(out.parts).toEqual([]);
  });

  it('hibernate drops the history it sends from and trims the one it inflates with', async () => {
    const p = pmd();
    for (let i = 0; i < 10; i++) await encode(p, [['text', bigText(3000)]]);
    p.inflateMessage('text', hex('f2 48 cd c9 c9 07 00'), 100, true);
    expect(p.deflater.retainedBytes).toBeGreaterThan(30_000);
    p.hibernate();
    expect(p.deflater.retainedBytes).toBe(0);
    expect(p.inflater.retainedBytes).toBe(5);
  });
});

describe('PerMessageDeflate.inflateMessage', () => {
  it('inflates and returns the bytes', () => {
    expect((pmd().inflateMessage('text', hex('f2 48 cd c9 c9 07 00'), 100, true) as Buffer).toString()).toBe(
      'Hello',
    );
  });

  it('checks inflated text is UTF-8 (→ 1007, RFC 6455 §8.1), unless validateUtf8 is off; binary is never checked', async () => {
    const { deflateRawSync, constants } = await import('node:zlib');
    const bad = deflateRawSync(hex('48 c0 af'), { finishFlush: constants.Z_SYNC_FLUSH });
    const payload = bad.subarray(0, bad.length - 4);
    const r = pmd().inflateMessage('text', payload, 100, true) as ProtocolError;
    expect(r).toBeInstanceOf(ProtocolError);
    expect([r.code, r.closeCode, r.reason]).toEqual(['WS_ERR_INVALID_UTF8', 1007, 'badencoding']);
    expect(pmd().inflateMessage('text', payload, 100, false)).toEqual(hex('48 c0 af'));
    expect(pmd().inflateMessage('binary', payload, 100, true)).toEqual(hex('48 c0 af'));
  });

  it('reports a message over the limit as 1009', () => {
    const r = pmd().inflateMessage('binary', hex('f2 48 cd c9 c9 07 00'), 4, true) as ProtocolError;
    expect([r.code, r.closeCode]).toEqual(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009]);
  });
});
