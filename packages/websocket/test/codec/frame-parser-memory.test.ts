import { describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/codec/frame-parser.js';
import { encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode } from '../../src/codec/opcodes.js';

describe('FrameParser memory: what a peer declares is not what we reserve', () => {
  it('a frame declaring 1,000,000 bytes of which 10 arrived holds kilobytes, not a megabyte', () => {
    const parser = new FrameParser({ role: 'server', maxFrameSize: 1_000_000 });
    const frame = encodeFrame(Opcode.Binary, Buffer.alloc(1_000_000, 7), { mask: true });
    parser.push(frame.subarray(0, 14 + 10)); // 2 + 8 length bytes + 4 mask bytes, then 10 payload bytes
    expect(parser.next().kind).toBe('more');
    expect(parser.reservedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(parser.bufferedBytes).toBe(10);
  });

  it('grows with the bytes received and delivers the whole payload, exactly sized, at the end', () => {
    const parser = new FrameParser({ role: 'server', maxFrameSize: 1_000_000 });
    const payload = Buffer.alloc(1_000_000);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const frame = encodeFrame(Opcode.Binary, payload, { mask: true });
    let reservedAtHalf = 0;
    let delivered = 0;
    for (let at = 0; at < frame.length; at += 50_000) {
      parser.push(Buffer.from(frame.subarray(at, Math.min(frame.length, at + 50_000))));
      const r = parser.next();
      if (at === 500_000) reservedAtHalf = parser.reservedBytes;
      if (r.kind === 'frame') {
        expect(r.payload.length).toBe(1_000_000);
        expect(r.payload.equals(payload)).toBe(true);
        delivered++;
      } else expect(r.kind).toBe('more');
    }
    expect(delivered).toBe(1);
    expect(reservedAtHalf).toBeGreaterThan(500_000);
    expect(reservedAtHalf).toBeLessThanOrEqual(1_000_000);
  });
});
