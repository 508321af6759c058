import { describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/codec/frame-parser.js';
import {
  COPY_THRESHOLD,
  EMPTY_CLOSE_FRAME,
  EMPTY_PING_FRAME,
  EMPTY_PONG_FRAME,
  encodeCloseFrame,
  encodeFrame,
  encodeFrameHeader,
  encodeFrameParts,
  encodeOutFrame,
  encodeOutFrames,
  frameHeaderLength,
  writeFrameHeader,
} from '../../src/codec/frame-serializer.js';
import { unmask } from '../../src/codec/mask.js';
import { Opcode, type OutFrame } from '../../src/codec/opcodes.js';
import { cut, drain, frame, hex, type Outcome } from './hex.js';

const KEY = hex('37 fa 21 3d');

describe('encodeFrame: the examples of RFC 6455 §5.7', () => {
  it('encodes an unmasked text "Hello" as 81 05 48 65 6c 6c 6f', () => {
    expect(encodeFrame(Opcode.Text, 'Hello')).toEqual(hex('81 05 48 65 6c 6c 6f'));
    expect(encodeFrame(Opcode.Text, Buffer.from('Hello'))).toEqual(hex('81 05 48 65 6c 6c 6f'));
  });

  it('encodes a masked text "Hello" with key 37 fa 21 3d as 81 85 37 fa 21 3d 7f 9f 4d 51 58', () => {
    expect(encodeFrame(Opcode.Text, 'Hello', { maskKey: KEY })).toEqual(
      hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'),
    );
    expect(encodeFrame(Opcode.Text, Buffer.from('Hello'), { mask: true, maskKey: KEY })).toEqual(
      hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'),
    );
  });

  it('encodes the fragments "Hel" and "lo" as 01 03 48 65 6c and 80 02 6c 6f', () => {
    expect(encodeFrame(Opcode.Text, 'Hel', { fin: false })).toEqual(hex('01 03 48 65 6c'));
    expect(encodeFrame(Opcode.Continuation, 'lo')).toEqual(hex('80 02 6c 6f'));
  });

  it('encodes a ping "Hello" as 89 05 48 65 6c 6c 6f and a masked pong as 8a 85 37 fa 21 3d 7f 9f 4d 51 58', () => {
    expect(encodeFrame(Opcode.Ping, 'Hello')).toEqual(hex('89 05 48 65 6c 6c 6f'));
    expect(encodeFrame(Opcode.Pong, 'Hello', { maskKey: KEY })).toEqual(
      hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'),
    );
  });

  it('encodes 256 bytes of binary with the 16-bit length 7e 01 00', () => {
    const payload = Buffer.alloc(256, 0xab);
    expect(encodeFrame(Opcode.Binary, payload)).toEqual(Buffer.concat([hex('82 7e 01 00'), payload]));
  });

  it('encodes 64 KiB of binary with the 64-bit length 7f 00 00 00 00 00 01 00 00', () => {
    const payload = Buffer.alloc(65536, 0xab);
    const encoded = encodeFrame(Opcode.Binary, payload);
    expect(encoded.subarray(0, 10)).toEqual(hex('82 7f 00 00 00 00 00 01 00 00'));
    expect(encoded.length).toBe(65546);
    expect(encoded.subarray(10).equals(payload)).toBe(true);
  });
});

describe('encodeFrame: the length uses the minimal number of bytes (RFC 6455 §5.2)', () => {
  it.each([
    [0, '82 00'],
    [1, '82 01'],
    [125, '82 7d'],
    [126, '82 7e 00 7e'],
    [65535, '82 7e ff ff'],
    [65536, '82 7f 00 00 00 00 00 01 00 00'],
    [1 << 20, '82 7f 00 00 00 00 00 10 00 00'],
  ])('a payload of %i bytes starts with %s', (length, header) => {
    const encoded = encodeFrame(Opcode.Binary, Buffer.alloc(length));
    expect(encoded.subarray(0, hex(header).length)).toEqual(hex(header));
    expect(encoded.length).toBe(hex(header).length + length);
    expect(frameHeaderLength(length, false)).toBe(hex(header).length);
    expect(frameHeaderLength(length, true)).toBe(hex(header).length + 4);
  });

  it('counts the UTF-8 bytes of a string, not its characters', () => {
    expect(encodeFrame(Opcode.Text, 'κόσμε')).toEqual(Buffer.concat([hex('81 0a'), Buffer.from('κόσμε')]));
  });

  it('writes a 64-bit length above 2^32 correctly in the header', () => {
    expect(encodeFrameHeader(Opcode.Binary, 2 ** 32 + 5)).toEqual(hex('82 7f 00 00 00 01 00 00 00 05'));
    expect(encodeFrameHeader(Opcode.Binary, 2 ** 53 - 1)).toEqual(hex('82 7f 00 1f ff ff ff ff ff ff'));
  });
});

describe('encodeFrame: flags and masking', () => {
  it('sets RSV1 for a compressed message (RFC 7692 §6)', () => {
    expect(encodeFrame(Opcode.Text, hex('f2 48'), { rsv1: true })).toEqual(hex('c1 02 f2 48'));
    expect(encodeFrame(Opcode.Binary, hex('f2'), { rsv1: true, fin: false })).toEqual(hex('42 01 f2'));
  });

  it('masks with a fresh random key when no key is given, and the payload unmasks back (RFC 6455 §5.3)', () => {
    const payload = Buffer.from('a payload long enough for the word loop: 0123456789');
    const keys = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const encoded = encodeFrame(Opcode.Binary, payload, { mask: true });
      expect(encoded[0]).toBe(0x82);
      expect(encoded[1]).toBe(0x80 | payload.length);
      const key = encoded.subarray(2, 6);
      keys.add(key.toString('hex'));
      const body = Buffer.from(encoded.subarray(6));
      unmask(body, key);
      expect(body).toEqual(payload);
    }
    expect(keys.size).toBeGreaterThan(1);
  });

  it('does not modify the payload it masks', () => {
    const payload = Buffer.from('do not touch me, I am the caller’s');
    const copy = Buffer.from(payload);
    encodeFrame(Opcode.Binary, payload, { maskKey: KEY });
    expect(payload).toEqual(copy);
  });

  it('rejects frames that must never be sent', () => {
    expect(() => encodeFrame(Opcode.Ping, Buffer.alloc(126))).toThrow(/125 bytes/);
    expect(() => encodeFrame(Opcode.Pong, 'x'.repeat(126))).toThrow(RangeError);
    expect(() => encodeFrame(Opcode.Close, '', { fin: false })).toThrow(/fragmented/);
    expect(() => encodeFrame(Opcode.Ping, '', { rsv1: true })).toThrow(/RSV1/);
    expect(() => encodeFrame(3 as Opcode, 'x')).toThrow(/reserved/);
    expect(() => encodeFrame(Opcode.Text, 'x', { maskKey: hex('01 02 03') })).toThrow(/4 bytes/);
    expect(() => encodeFrame(Opcode.Text, 'x', { mask: false, maskKey: KEY })).toThrow(TypeError);
  });

  it('accepts a control payload of exactly 125 bytes', () => {
    expect(encodeFrame(Opcode.Ping, Buffer.alloc(125)).subarray(0, 2)).toEqual(hex('89 7d'));
  });
});

describe('encodeFrameHeader and encodeFrameParts', () => {
  it('encodes a header alone, masked with a given key', () => {
    expect(encodeFrameHeader(Opcode.Text, 5)).toEqual(hex('81 05'));
    expect(encodeFrameHeader(Opcode.Text, 5, { maskKey: KEY })).toEqual(hex('81 85 37 fa 21 3d'));
    expect(encodeFrameHeader(Opcode.Binary, 300, { fin: false })).toEqual(hex('02 7e 01 2c'));
  });

  it('writes a header in place (writeFrameHeader) as encodeFrameHeader encodes it, at each length form', () => {
    for (const length of [0, 125, 126, 65535, 65536, 2 ** 32 + 5]) {
      const target = Buffer.alloc(14, 0xaa);
      const end = writeFrameHeader(target, 2, 0x82, length);
      const expected = encodeFrameHeader(Opcode.Binary, length);
      expect(end - 2, String(length)).toBe(expected.length);
      expect(target.subarray(2, end), String(length)).toEqual(expected);
      expect(target.subarray(0, 2)).toEqual(hex('aa aa'));
    }
    const masked = Buffer.alloc(4);
    expect(writeFrameHeader(masked, 0, 0x81, 300, 0x80)).toBe(4);
    expect(masked).toEqual(hex('81 fe 01 2c'));
  });

  it('rejects a length that cannot be encoded', () => {
    for (const length of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => encodeFrameHeader(Opcode.Binary, length), String(length)).toThrow(RangeError);
    }
  });

  it(`returns [header, payload] without copying a payload of ${COPY_THRESHOLD} bytes or more`, () => {
    const payload = Buffer.alloc(COPY_THRESHOLD, 1);
    const parts = encodeFrameParts(Opcode.Binary, payload);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual(hex('82 7e 04 00'));
    expect(parts[1]).toBe(payload);
  });

  it('wraps a Uint8Array payload as a Buffer over the same memory', () => {
    const payload = new Uint8Array(COPY_THRESHOLD * 2);
    const parts = encodeFrameParts(Opcode.Binary, payload);
    expect(Buffer.isBuffer(parts[1])).toBe(true);
    expect(parts[1]!.buffer).toBe(payload.buffer);
  });

  it('returns one buffer for a small payload, a string, or a masked payload', () => {
    expect(encodeFrameParts(Opcode.Binary, Buffer.alloc(COPY_THRESHOLD - 1))).toHaveLength(1);
    expect(encodeFrameParts(Opcode.Text, 'x'.repeat(COPY_THRESHOLD * 4))).toHaveLength(1);
    const masked = encodeFrameParts(Opcode.Binary, Buffer.alloc(COPY_THRESHOLD * 4), { maskKey: KEY });
    expect(masked).toHaveLength(1);
    expect(masked[0]!.subarray(0, 8)).toEqual(hex('82 fe 10 00 37 fa 21 3d'));
  });
});

describe('encodeCloseFrame', () => {
  it('encodes an empty close as 88 00, a shared constant', () => {
    expect(encodeCloseFrame()).toBe(EMPTY_CLOSE_FRAME);
    expect(EMPTY_CLOSE_FRAME).toEqual(hex('88 00'));
    expect(EMPTY_PING_FRAME).toEqual(hex('89 00'));
    expect(EMPTY_PONG_FRAME).toEqual(hex('8a 00'));
  });

  it('encodes a code and a reason (RFC 6455 §5.5.1)', () => {
    expect(encodeCloseFrame(1000, 'bye')).toEqual(hex('88 05 03 e8 62 79 65'));
    expect(encodeCloseFrame(1001)).toEqual(hex('88 02 03 e9'));
    expect(encodeCloseFrame(1000, 'bye', { maskKey: KEY })).toEqual(hex('88 85 37 fa 21 3d 34 12 43 44 52'));
  });

  it('masks an empty close from a client', () => {
    const encoded = encodeCloseFrame(undefined, undefined, { maskKey: KEY });
    expect(encoded).toEqual(hex('88 80 37 fa 21 3d'));
  });

  it('rejects an invalid code and a reason over 123 bytes', () => {
    expect(() => encodeCloseFrame(1005)).toThrow(RangeError);
    expect(() => encodeCloseFrame(1000, 'x'.repeat(124))).toThrow(RangeError);
  });
});

describe('encodeOutFrame / encodeOutFrames', () => {
  it('encodes each kind of OutFrame a handler may return', () => {
    const cases: [OutFrame, string][] = [
      ['ping', '89 00'],
      ['pong', '8a 00'],
      ['close', '88 00'],
      [['close'], '88 00'],
      [['close', 1000], '88 02 03 e8'],
      [['close', 4000, 'x'], '88 03 0f a0 78'],
      [['text', 'hi'], '81 02 68 69'],
      [['text', Buffer.from('hi')], '81 02 68 69'],
      [['binary', new Uint8Array([1, 2])], '82 02 01 02'],
      [['binary', 'hi'], '82 02 68 69'],
      [['ping', 'p'], '89 01 70'],
      [['pong', Buffer.from('q')], '8a 01 71'],
    ];
    for (const [out, expected] of cases) {
      expect(Buffer.concat(encodeOutFrame(out)), JSON.stringify(out)).toEqual(hex(expected));
      expect(Buffer.concat(encodeOutFrames([out])), JSON.stringify(out)).toEqual(hex(expected));
    }
  });

  it('returns the shared constants for bare control frames of a server', () => {
    expect(encodeOutFrame('ping')[0]).toBe(EMPTY_PING_FRAME);
    expect(encodeOutFrame('close')[0]).toBe(EMPTY_CLOSE_FRAME);
  });

  it('packs small frames into one buffer and passes large byte payloads by reference', () => {
    const big = Buffer.alloc(COPY_THRESHOLD, 0xbb);
    const bigger = Buffer.alloc(70000, 0xcc);
    const out = encodeOutFrames([['text', 'a'], ['binary', big], ['binary', bigger], 'ping', ['text', 'κ']]);
    expect(out).toHaveLength(5);
    expect(out[0]).toEqual(hex('81 01 61  82 7e 04 00'));
    expect(out[1]).toBe(big);
    expect(out[2]).toEqual(hex('82 7f 00 00 00 00 00 01 11 70'));
    expect(out[3]).toBe(bigger);
    expect(out[4]).toEqual(hex('89 00  81 02 ce ba'));
  });

  it('ends with the last large payload when nothing follows it', () => {
    const big = Buffer.alloc(COPY_THRESHOLD * 2);
    const out = encodeOutFrames([['binary', big]]);
    expect(out).toEqual([hex('82 7e 08 00'), big]);
    expect(out[1]).toBe(big);
  });

  it('returns nothing for no frames', () => {
    expect(encodeOutFrames([])).toEqual([]);
  });

  it('masks every frame with its own key for a client, copying payloads', () => {
    const big = Buffer.alloc(COPY_THRESHOLD * 2, 0x11);
    const out = encodeOutFrames([['text', 'one'], ['binary', big], 'close'], { mask: true });
    expect(out).toHaveLength(1);
    const parser = new FrameParser({ role: 'server', maxFrameSize: Number.POSITIVE_INFINITY });
    expect(drain(parser, out)).toEqual([frame('text', 'one'), frame('binary', big), frame('close')]);
    expect(big).toEqual(Buffer.alloc(COPY_THRESHOLD * 2, 0x11));
  });

  it('throws before encoding anything when one frame of the list is invalid', () => {
    expect(() =>
      encodeOutFrames([
        ['text', 'fine'],
        ['ping', 'x'.repeat(126)],
      ]),
    ).toThrow(/125 bytes/);
    expect(() => encodeOutFrames([['close', 1006]])).toThrow(RangeError);
    expect(() => encodeOutFrames(['hello' as OutFrame])).toThrow(TypeError);
    expect(() => encodeOutFrames([['shout', 'x'] as unknown as OutFrame])).toThrow(/Not an OutFrame type/);
    expect(() => encodeOutFrames([['text', 42] as unknown as OutFrame])).toThrow(/string or bytes/);
    expect(() => encodeOutFrame(null as unknown as OutFrame)).toThrow(TypeError);
  });
});

describe('round trips: serialiser → parser', () => {
  const SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20];

  function payloadOf(size: number): Buffer {
    const payload = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 7 + (i >> 8)) & 0xff;
    return payload;
  }

  /** Delivers `bytes` whole, in 1000-byte chunks and in 7-byte chunks (small inputs only). */
  function deliveries(bytes: Buffer): Buffer[][] {
    const ways: Buffer[][] = [[bytes]];
    ways.push(
      cut(
        bytes,
        Array.from({ length: Math.ceil(bytes.length / 1000) - 1 }, (_, i) => (i + 1) * 1000),
      ),
    );
    if (bytes.length < 70000)
      ways.push(
        cut(
          bytes,
          Array.from({ length: Math.ceil(bytes.length / 7) - 1 }, (_, i) => (i + 1) * 7),
        ),
      );
    return ways;
  }

  for (const size of SIZES) {
    it(`carries a ${size}-byte binary message from a client (masked) to a server parser`, () => {
      const payload = payloadOf(size);
      const bytes = encodeFrame(Opcode.Binary, payload, { mask: true });
      for (const chunks of deliveries(bytes)) {
        const parser = new FrameParser({ role: 'server', maxFrameSize: 1 << 20 });
        expect(drain(parser, chunks), `${chunks.length} chunks`).toEqual([frame('binary', payload)]);
      }
    });

    it(`carries a ${size}-byte text message from a server (unmasked) to a client parser`, () => {
      const payload = 'é'.repeat(size >> 1) + (size & 1 ? 'a' : '');
      const bytes = Buffer.concat(encodeFrameParts(Opcode.Text, payload));
      expect(bytes.length).toBe(frameHeaderLength(size, false) + size);
      for (const chunks of deliveries(bytes)) {
        const parser = new FrameParser({ role: 'client', maxFrameSize: 1 << 20 });
        expect(drain(parser, chunks), `${chunks.length} chunks`).toEqual([frame('text', payload)]);
      }
    });
  }

  it('carries a fragmented text message with pings between the fragments, split at every byte', () => {
    const bytes = Buffer.concat([
      encodeFrame(Opcode.Text, 'Grüße, ', { fin: false, mask: true }),
      encodeFrame(Opcode.Ping, 'are you there?', { mask: true }),
      encodeFrame(Opcode.Continuation, Buffer.from('κόσμε').subarray(0, 3), { fin: false, mask: true }),
      encodeFrame(Opcode.Pong, '', { mask: true }),
      encodeFrame(Opcode.Continuation, Buffer.concat([Buffer.from('κόσμε').subarray(3), Buffer.from('!')]), {
        mask: true,
      }),
      encodeCloseFrame(1001, 'going', { mask: true }),
    ]);
    const expected: Outcome[] = [
      frame('ping', 'are you there?'),
      frame('pong'),
      frame('text', 'Grüße, κόσμε!'),
      frame('close', 'going', { closeCode: 1001 }),
    ];
    for (let point = 0; point <= bytes.length; point++) {
      const parser = new FrameParser({ role: 'server' });
      expect(drain(parser, cut(bytes, [point])), `split at ${point}`).toEqual(expected);
    }
  });

  it('carries a reply list encoded for one write, frame for frame', () => {
    const replies: OutFrame[] = [
      ['text', 'hello'],
      ['binary', payloadOf(5000)],
      'ping',
      ['pong', 'x'],
      ['close', 1000, 'bye'],
    ];
    const parser = new FrameParser({ role: 'client' });
    expect(drain(parser, encodeOutFrames(replies))).toEqual([
      frame('text', 'hello'),
      frame('binary', payloadOf(5000)),
      frame('ping'),
      frame('pong', 'x'),
      frame('close', 'bye', { closeCode: 1000 }),
    ]);
  });
});
