import { describe, expect, it } from 'vitest';
import { FrameParser, type FrameParserOptions, frameText, toInFrame } from '../../src/codec/frame-parser.js';
import type { ProtocolErrorCode } from '../../src/codec/protocol-error.js';
import { cut, drain, expectEveryWay, frame, hex, type Outcome, parse } from './hex.js';

const SERVER: FrameParserOptions = { role: 'server' };
const CLIENT: FrameParserOptions = { role: 'client' };
const KEY = hex('37 fa 21 3d');

/**
 * Builds a frame byte by byte (independently of the serialiser under test elsewhere). `length`
 * forces the length form: 7, 16 or 64 bits.
 */
function raw(options: {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  rsv?: number;
  key?: Buffer | null;
  length?: 7 | 16 | 64;
  declared?: number;
}): Buffer {
  const payload =
    typeof options.payload === 'string' ? Buffer.from(options.payload) : (options.payload ?? hex(''));
  const key = options.key === undefined ? KEY : options.key;
  const declared = options.declared ?? payload.length;
  const form = options.length ?? (declared < 126 ? 7 : declared < 65536 ? 16 : 64);
  const head = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | options.opcode];
  const maskBit = key === null ? 0 : 0x80;
  if (form === 7) head.push(maskBit | declared);
  else if (form === 16) head.push(maskBit | 126, declared >> 8, declared & 0xff);
  else {
    const high = Math.floor(declared / 2 ** 32);
    head.push(maskBit | 127, high >>> 24, (high >> 16) & 0xff, (high >> 8) & 0xff, high & 0xff);
    head.push(declared >>> 24, (declared >> 16) & 0xff, (declared >> 8) & 0xff, declared & 0xff);
  }
  const body = Buffer.from(payload);
  if (key !== null) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), key === null ? hex('') : key, body]);
}

const text = (payload: string | Buffer, extra: Partial<Parameters<typeof raw>[0]> = {}) =>
  raw({ opcode: 1, payload, ...extra });
const binary = (payload: string | Buffer, extra: Partial<Parameters<typeof raw>[0]> = {}) =>
  raw({ opcode: 2, payload, ...extra });
const cont = (payload: string | Buffer, extra: Partial<Parameters<typeof raw>[0]> = {}) =>
  raw({ opcode: 0, payload, ...extra });
const ping = (payload: string | Buffer = '', extra: Partial<Parameters<typeof raw>[0]> = {}) =>
  raw({ opcode: 9, payload, ...extra });
const pong = (payload: string | Buffer = '', extra: Partial<Parameters<typeof raw>[0]> = {}) =>
  raw({ opcode: 10, payload, ...extra });
const close = (payload: string | Buffer = '', extra: Partial<Parameters<typeof raw>[0]> = {}) =>
  raw({ opcode: 8, payload, ...extra });

function failure(code: ProtocolErrorCode, closeCode: number, reason: string): Outcome {
  return { error: code, closeCode, reason };
}
const badframe = (code: ProtocolErrorCode) => failure(code, 1002, 'badframe');
const badencoding = () => failure('WS_ERR_INVALID_UTF8', 1007, 'badencoding');
const badsize = () => failure('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009, 'badsize');

describe('FrameParser: the examples of RFC 6455 §5.7', () => {
  it('parses a single-frame masked text message "Hello" from a client', () => {
    expectEveryWay(SERVER, hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), [frame('text', 'Hello')]);
  });

  it('parses a single-frame unmasked text message "Hello" from a server', () => {
    expectEveryWay(CLIENT, hex('81 05 48 65 6c 6c 6f'), [frame('text', 'Hello')]);
  });

  it('assembles the fragmented unmasked text message "Hel" + "lo" into one message', () => {
    expectEveryWay(CLIENT, hex('01 03 48 65 6c  80 02 6c 6f'), [frame('text', 'Hello')]);
  });

  it('parses an unmasked ping with payload "Hello"', () => {
    expectEveryWay(CLIENT, hex('89 05 48 65 6c 6c 6f'), [frame('ping', 'Hello')]);
  });

  it('parses a masked pong with payload "Hello"', () => {
    expectEveryWay(SERVER, hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'), [frame('pong', 'Hello')]);
  });

  it('parses a 256-byte binary message with a 16-bit length (7e 01 00)', () => {
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bytes = Buffer.concat([hex('82 7e 01 00'), payload]);
    expectEveryWay(CLIENT, bytes, [frame('binary', payload)]);
  });

  it('parses a 64 KiB binary message with a 64-bit length (7f 00 00 00 00 00 01 00 00)', () => {
    const payload = Buffer.alloc(65536, 0x5a);
    const bytes = Buffer.concat([hex('82 7f 00 00 00 00 00 01 00 00'), payload]);
    expectEveryWay(CLIENT, bytes, [frame('binary', payload)], [1, 2, 5, 9, 10, 11, 4096, 65535, 65545]);
  });
});

describe('FrameParser: frames split anywhere', () => {
  const stream = Buffer.concat([
    text('first'),
    ping('p'),
    text('frag-1 ', { fin: false }),
    pong('in the middle'),
    cont('frag-2 ', { fin: false }),
    ping(),
    cont('frag-3'),
    binary(Buffer.alloc(300, 7)),
    close(hex('03 e8 62 79 65')),
  ]);
  const expected = [
    frame('text', 'first'),
    frame('ping', 'p'),
    frame('pong', 'in the middle'),
    frame('ping'),
    frame('text', 'frag-1 frag-2 frag-3'),
    frame('binary', Buffer.alloc(300, 7)),
    frame('close', 'bye', { closeCode: 1000 }),
  ];

  it('returns every frame of a stream, whole, split at every offset, or one byte at a time', () => {
    expectEveryWay(SERVER, stream, expected);
  });

  it('returns the same frames from a stream cut into three at many pairs of offsets', () => {
    for (let a = 1; a < stream.length; a += 7) {
      for (let b = a; b < stream.length; b += 11) {
        expect(parse(SERVER, cut(stream, [a, b])), `cut at ${a}, ${b}`).toEqual(expected);
      }
    }
  });

  it('delivers control frames between fragments as they come, before the message they interrupt (RFC 6455 §5.4)', () => {
    const parser = new FrameParser(SERVER);
    expect(drain(parser, [text('a', { fin: false })])).toEqual([]);
    expect(parser.inMessage).toBe(true);
    expect(drain(parser, [ping('now')])).toEqual([frame('ping', 'now')]);
    expect(drain(parser, [cont('b')])).toEqual([frame('text', 'ab')]);
    expect(parser.inMessage).toBe(false);
  });

  it('parses several frames from one chunk and answers "more" only when the bytes run out', () => {
    const parser = new FrameParser(SERVER);
    parser.push(Buffer.concat([text('1'), text('2'), text('3').subarray(0, 6)]));
    expect(parser.next()).toMatchObject({ kind: 'frame', type: 'text', payload: Buffer.from('1') });
    expect(parser.next()).toMatchObject({ kind: 'frame', type: 'text', payload: Buffer.from('2') });
    expect(parser.next()).toEqual({ kind: 'more' });
    expect(parser.bufferedBytes).toBe(0); // the 2-byte header and the mask key of frame 3 are consumed
    parser.push(text('3').subarray(6));
    expect(parser.next()).toMatchObject({ kind: 'frame', type: 'text', payload: Buffer.from('3') });
    expect(parser.next()).toEqual({ kind: 'more' });
  });

  it('returns empty messages, empty control frames and empty fragments', () => {
    expectEveryWay(
      SERVER,
      Buffer.concat([
        text(''),
        binary(''),
        pong(),
        text('', { fin: false }),
        cont('x', { fin: false }),
        cont(''),
      ]),
      [frame('text', ''), frame('binary', ''), frame('pong'), frame('text', 'x')],
    );
  });

  it('unmasks payloads of every length up to 200 with their own key', () => {
    for (let length = 0; length <= 200; length++) {
      const payload = Buffer.from(Array.from({ length }, (_, i) => (i * 13 + length) & 0xff));
      const key = Buffer.from([length & 0xff, 0x80, 0x7f ^ length, 0xfe]);
      expect(parse(SERVER, [binary(payload, { key })]), `length ${length}`).toEqual([
        frame('binary', payload),
      ]);
    }
  });

  it('returns a payload that lies within one chunk as a view of that chunk, without copying', () => {
    const parser = new FrameParser(SERVER);
    const chunk = Buffer.concat([text('zero-copy'), ping('x')]);
    parser.push(chunk);
    const result = parser.next();
    if (result.kind !== 'frame') throw new Error(result.kind);
    expect(result.payload.buffer).toBe(chunk.buffer);
    expect(result.payload.byteOffset).toBe(chunk.byteOffset + 6);
    expect(result.payload.toString()).toBe('zero-copy');
  });

  it('copies a payload that spans chunks into one buffer', () => {
    const parser = new FrameParser(SERVER);
    const bytes = text('spanning');
    const [a, b] = cut(bytes, [9]);
    parser.push(a!);
    expect(parser.next().kind).toBe('more');
    parser.push(b!);
    const result = parser.next();
    if (result.kind !== 'frame') throw new Error(result.kind);
    a!.fill(0);
    b!.fill(0);
    expect(result.payload.toString()).toBe('spanning');
  });

  it('holds a payload dripped in 1-byte chunks in one buffer, not one object per chunk', () => {
    const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 0xff));
    const bytes = binary(payload);
    const parser = new FrameParser(SERVER);
    for (let i = 0; i < bytes.length - 1; i++) {
      parser.push(bytes.subarray(i, i + 1));
      expect(parser.next().kind).toBe('more');
    }
    // White-box: no chunk is queued while the payload is copied into place.
    const held = parser as unknown as { head: Buffer; rest: Buffer[] | undefined };
    expect(held.head).toHaveLength(0);
    expect(held.rest ?? []).toHaveLength(0);
    expect(parser.bufferedBytes).toBe(payload.length - 1);
    expect(drain(parser, [bytes.subarray(bytes.length - 1), text('next')])).toEqual([
      frame('binary', payload),
      frame('text', 'next'),
    ]);
  });

  it('keeps the bytes after a payload that completes inside a chunk', () => {
    const bytes = Buffer.concat([binary(Buffer.alloc(300, 9)), ping('after'), text('and more')]);
    expect(parse(SERVER, cut(bytes, [100, 200, 320]))).toEqual([
      frame('binary', Buffer.alloc(300, 9)),
      frame('ping', 'after'),
      frame('text', 'and more'),
    ]);
  });

  it('counts the buffered bytes not yet returned', () => {
    const parser = new FrameParser(SERVER);
    parser.push(text('hello').subarray(0, 8));
    expect(parser.next().kind).toBe('more');
    expect(parser.bufferedBytes).toBe(2); // 2 header bytes and 4 mask bytes consumed, 2 of 5 payload bytes
  });
});

describe('FrameParser: header rules (RFC 6455 §5.2)', () => {
  it('rejects RSV2 with WS_ERR_UNEXPECTED_RSV_2_3 → 1002', () => {
    expectEveryWay(SERVER, text('x', { rsv: 0b010 }), [badframe('WS_ERR_UNEXPECTED_RSV_2_3')]);
  });

  it('rejects RSV3 with WS_ERR_UNEXPECTED_RSV_2_3 → 1002, even when RSV1 is allowed', () => {
    expectEveryWay({ ...SERVER, rsv1Allowed: true }, text('x', { rsv: 0b001 }), [
      badframe('WS_ERR_UNEXPECTED_RSV_2_3'),
    ]);
  });

  it('rejects RSV1 when no extension was negotiated, with WS_ERR_UNEXPECTED_RSV_1 → 1002', () => {
    expectEveryWay(SERVER, text('x', { rsv: 0b100 }), [badframe('WS_ERR_UNEXPECTED_RSV_1')]);
  });

  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    it(`rejects the reserved opcode 0x${opcode.toString(16)} with WS_ERR_INVALID_OPCODE → 1002`, () => {
      expectEveryWay(SERVER, raw({ opcode, payload: 'x' }), [badframe('WS_ERR_INVALID_OPCODE')]);
    });
  }

  it('rejects a 16-bit length under 126 with WS_ERR_NON_MINIMAL_LENGTH → 1002 ("minimal number of bytes")', () => {
    expectEveryWay(SERVER, text('short', { length: 16 }), [badframe('WS_ERR_NON_MINIMAL_LENGTH')]);
  });

  it('rejects a 64-bit length under 65536 with WS_ERR_NON_MINIMAL_LENGTH → 1002', () => {
    expectEveryWay(SERVER, binary(Buffer.alloc(200), { length: 64 }), [
      badframe('WS_ERR_NON_MINIMAL_LENGTH'),
    ]);
  });

  it('accepts the smallest lengths of each form: 125 in 7 bits, 126 in 16 bits, 65536 in 64 bits', () => {
    for (const length of [125, 126, 65535, 65536]) {
      const payload = Buffer.alloc(length, 1);
      expect(parse(SERVER, [binary(payload)]), `length ${length}`).toEqual([frame('binary', payload)]);
    }
  });

  it('rejects a 64-bit length with the most significant bit set with WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH → 1002', () => {
    const bytes = hex('82 ff 80 00 00 00 00 00 00 01 37 fa 21 3d');
    expectEveryWay(SERVER, bytes, [badframe('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH')]);
  });

  it('rejects a 64-bit length beyond 2^53 - 1 as too big (→ 1009) even without a size limit', () => {
    const bytes = hex('82 ff 7f ff ff ff ff ff ff ff 37 fa 21 3d');
    expectEveryWay({ ...SERVER, maxFrameSize: Number.POSITIVE_INFINITY }, bytes, [badsize()]);
  });
});

describe('FrameParser: masking (RFC 6455 §5.1, §5.3)', () => {
  it('rejects an unmasked frame from a client with WS_ERR_EXPECTED_MASK → 1002', () => {
    expectEveryWay(SERVER, hex('81 05 48 65 6c 6c 6f'), [badframe('WS_ERR_EXPECTED_MASK')]);
  });

  it('rejects a masked frame from a server with WS_ERR_UNEXPECTED_MASK → 1002', () => {
    expectEveryWay(CLIENT, hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), [badframe('WS_ERR_UNEXPECTED_MASK')]);
  });

  it('accepts an all-zero masking key', () => {
    expectEveryWay(SERVER, text('plain', { key: hex('00 00 00 00') }), [frame('text', 'plain')]);
  });
});

describe('FrameParser: control frames (RFC 6455 §5.5)', () => {
  it('accepts a control frame with a payload of exactly 125 bytes', () => {
    const payload = Buffer.alloc(125, 0x61);
    expectEveryWay(SERVER, ping(payload), [frame('ping', payload)]);
  });

  it('rejects a control frame with a payload over 125 bytes with WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH → 1002', () => {
    expectEveryWay(SERVER, ping(Buffer.alloc(126)), [badframe('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH')]);
    expectEveryWay(
      SERVER,
      pong(Buffer.alloc(70000)),
      [badframe('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH')],
      [2],
    );
  });

  it('rejects a fragmented control frame with WS_ERR_FRAGMENTED_CONTROL → 1002', () => {
    expectEveryWay(SERVER, ping('x', { fin: false }), [badframe('WS_ERR_FRAGMENTED_CONTROL')]);
  });

  it('rejects RSV1 on a control frame even with permessage-deflate (RFC 7692 §6)', () => {
    expectEveryWay({ ...SERVER, rsv1Allowed: true }, ping('x', { rsv: 0b100 }), [
      badframe('WS_ERR_UNEXPECTED_RSV_1'),
    ]);
  });

  it('checks the header of a bad control frame before its payload arrives', () => {
    const parser = new FrameParser(SERVER);
    parser.push(hex('89 fe')); // ping, masked, 16-bit length follows
    expect(parser.next()).toMatchObject({
      kind: 'error',
      error: { code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH' },
    });
  });
});

describe('FrameParser: close frames (RFC 6455 §5.5.1)', () => {
  it('returns a close frame without payload with code 1005 (no status)', () => {
    expectEveryWay(SERVER, close(), [frame('close', '', { closeCode: 1005 })]);
  });

  it('returns the status code and the reason of a close frame', () => {
    expectEveryWay(SERVER, hex('88 85 37 fa 21 3d 34 12 43 44 52'), [
      frame('close', 'bye', { closeCode: 1000 }),
    ]);
  });

  it('rejects a close frame with a 1-byte payload with WS_ERR_INVALID_CLOSE_PAYLOAD → 1002', () => {
    expectEveryWay(SERVER, close(hex('03')), [badframe('WS_ERR_INVALID_CLOSE_PAYLOAD')]);
  });

  it('rejects a close frame with a code that may not be sent with WS_ERR_INVALID_CLOSE_CODE → 1002', () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000]) {
      expect(parse(SERVER, [close(Buffer.from([code >> 8, code & 0xff]))]), String(code)).toEqual([
        badframe('WS_ERR_INVALID_CLOSE_CODE'),
      ]);
    }
  });

  it('rejects a close reason that is not UTF-8 with WS_ERR_INVALID_UTF8 → 1007', () => {
    expectEveryWay(SERVER, close(hex('03 e8 c0 af')), [badencoding()]);
  });

  it('accepts a close reason that is not UTF-8 when validateUtf8 is off', () => {
    expectEveryWay({ ...SERVER, validateUtf8: false }, close(hex('03 e8 c0 af')), [
      frame('close', hex('c0 af'), { closeCode: 1000 }),
    ]);
  });
});

describe('FrameParser: fragmentation (RFC 6455 §5.4)', () => {
  it('rejects a continuation frame with no message in progress with WS_ERR_UNEXPECTED_CONTINUATION → 1002', () => {
    expectEveryWay(SERVER, cont('x'), [badframe('WS_ERR_UNEXPECTED_CONTINUATION')]);
  });

  it('rejects a continuation frame after a complete message', () => {
    expectEveryWay(SERVER, Buffer.concat([text('done'), cont('x')]), [
      frame('text', 'done'),
      badframe('WS_ERR_UNEXPECTED_CONTINUATION'),
    ]);
  });

  it('rejects a new data frame while a fragmented message is open with WS_ERR_EXPECTED_CONTINUATION → 1002', () => {
    expectEveryWay(SERVER, Buffer.concat([text('a', { fin: false }), binary('b')]), [
      badframe('WS_ERR_EXPECTED_CONTINUATION'),
    ]);
    expectEveryWay(SERVER, Buffer.concat([binary('a', { fin: false }), ping(), text('b', { fin: false })]), [
      frame('ping'),
      badframe('WS_ERR_EXPECTED_CONTINUATION'),
    ]);
  });

  it('assembles a binary message of many fragments with interleaved pings and pongs', () => {
    const parts: Buffer[] = [];
    const expected: Outcome[] = [];
    const whole: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const chunk = Buffer.alloc(i * 10, i);
      whole.push(chunk);
      parts.push(i === 0 ? binary(chunk, { fin: false }) : cont(chunk, { fin: i === 19 }));
      if (i % 3 === 1 && i < 19) {
        parts.push(ping(String(i)));
        expected.push(frame('ping', String(i)));
      }
    }
    expected.push(frame('binary', Buffer.concat(whole)));
    const stream = Buffer.concat(parts);
    expectEveryWay(SERVER, stream, expected, [1, 100, 500, 1000, stream.length - 1]);
  });

  it('rejects RSV1 on a continuation frame even with permessage-deflate (RFC 7692 §6)', () => {
    expectEveryWay(
      { ...SERVER, rsv1Allowed: true },
      Buffer.concat([text('a', { fin: false, rsv: 0b100 }), cont('b', { rsv: 0b100 })]),
      [badframe('WS_ERR_UNEXPECTED_RSV_1')],
    );
  });
});

describe('FrameParser: maxFrameSize (Cowboy max_frame_size → 1009)', () => {
  const limited = { ...SERVER, maxFrameSize: 100 };

  it('accepts a frame of exactly maxFrameSize bytes', () => {
    const payload = Buffer.alloc(100, 1);
    expectEveryWay(limited, binary(payload), [frame('binary', payload)]);
  });

  it('rejects a frame of maxFrameSize + 1 bytes with WS_ERR_UNSUPPORTED_MESSAGE_LENGTH → 1009', () => {
    expectEveryWay(limited, binary(Buffer.alloc(101, 1)), [badsize()]);
  });

  it('rejects an oversized frame on its declared length, before any payload is buffered', () => {
    const parser = new FrameParser({ ...SERVER, maxFrameSize: 1000 });
    parser.push(hex('82 ff 00 00 00 00 7f ff ff ff')); // declares ~2 GiB; no payload sent
    const result = parser.next();
    expect(result).toMatchObject({
      kind: 'error',
      error: { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 },
    });
    expect(parser.bufferedBytes).toBe(0);
  });

  it('accepts fragments whose sum is exactly maxFrameSize', () => {
    const bytes = Buffer.concat([
      binary(Buffer.alloc(40, 1), { fin: false }),
      cont(Buffer.alloc(40, 2), { fin: false }),
      cont(Buffer.alloc(20, 3)),
    ]);
    expectEveryWay(limited, bytes, [
      frame('binary', Buffer.concat([Buffer.alloc(40, 1), Buffer.alloc(40, 2), Buffer.alloc(20, 3)])),
    ]);
  });

  it('rejects the fragment that takes the message to maxFrameSize + 1, on its header', () => {
    const bytes = Buffer.concat([
      binary(Buffer.alloc(40, 1), { fin: false }),
      cont(Buffer.alloc(40, 2), { fin: false }),
      cont(Buffer.alloc(21, 3)),
    ]);
    expectEveryWay(limited, bytes, [badsize()]);
    const parser = new FrameParser(limited);
    expect(drain(parser, [bytes.subarray(0, 46 + 46 + 2)])).toEqual([badsize()]);
  });

  it('does not count control frames between fragments in the message size', () => {
    const bytes = Buffer.concat([
      binary(Buffer.alloc(60), { fin: false }),
      ping(Buffer.alloc(50)),
      cont(Buffer.alloc(40)),
    ]);
    expectEveryWay(limited, bytes, [frame('ping', Buffer.alloc(50)), frame('binary', Buffer.alloc(100))]);
  });

  it('applies to control frames too, as Cowboy does', () => {
    expectEveryWay({ ...SERVER, maxFrameSize: 10 }, ping(Buffer.alloc(11)), [badsize()]);
    expectEveryWay({ ...SERVER, maxFrameSize: 10 }, ping(Buffer.alloc(10)), [
      frame('ping', Buffer.alloc(10)),
    ]);
  });

  it('can be changed between frames (set_options)', () => {
    const parser = new FrameParser(limited);
    expect(drain(parser, [binary(Buffer.alloc(100))])).toEqual([frame('binary', Buffer.alloc(100))]);
    parser.setMaxFrameSize(50);
    expect(drain(parser, [binary(Buffer.alloc(51))])).toEqual([badsize()]);
  });

  it('defaults to 1,000,000 bytes', () => {
    const parser = new FrameParser(SERVER);
    parser.push(hex('82 ff 00 00 00 00 00 0f 42 41'));
    expect(parser.next()).toMatchObject({
      kind: 'error',
      error: { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' },
    });
    const exact = new FrameParser(SERVER);
    exact.push(hex('82 ff 00 00 00 00 00 0f 42 40 37 fa 21 3d'));
    expect(exact.next()).toEqual({ kind: 'more' });
  });

  it('refuses a negative or NaN limit', () => {
    expect(() => new FrameParser({ ...SERVER, maxFrameSize: -1 })).toThrow(RangeError);
    expect(() => new FrameParser(SERVER).setMaxFrameSize(Number.NaN)).toThrow(RangeError);
  });
});

describe('FrameParser: UTF-8 of text messages (RFC 6455 §5.6, §8.1)', () => {
  it('rejects an unfragmented text message that is not UTF-8 with WS_ERR_INVALID_UTF8 → 1007', () => {
    expectEveryWay(SERVER, text(hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64')), [
      badencoding(),
    ]);
  });

  it('accepts a text message whose characters are split across fragments', () => {
    const bytes = Buffer.concat([
      text(hex('ce'), { fin: false }),
      cont(hex('ba e1'), { fin: false }),
      cont(hex('bd'), { fin: false }),
      cont(hex('b9 cf 83 ce bc ce b5')),
    ]);
    expectEveryWay(SERVER, bytes, [frame('text', hex('ce ba e1 bd b9 cf 83 ce bc ce b5'))]);
  });

  it('fails at the first fragment with an invalid byte, before the message ends', () => {
    const parser = new FrameParser(SERVER);
    expect(drain(parser, [text('valid ', { fin: false })])).toEqual([]);
    expect(drain(parser, [cont(hex('f4 90 80 80'), { fin: false })])).toEqual([badencoding()]);
    expect(parser.error?.message).toMatch(/in fragment 2/);
  });

  it('fails at the fragment that cannot continue a character the previous fragment began', () => {
    const parser = new FrameParser(SERVER);
    expect(drain(parser, [text(hex('41 ed'), { fin: false })])).toEqual([]);
    expect(drain(parser, [cont(hex('a0 80'), { fin: false })])).toEqual([badencoding()]);
  });

  it('rejects a text message that ends inside a character', () => {
    expectEveryWay(SERVER, Buffer.concat([text('ok', { fin: false }), cont(hex('e1 bd'))]), [badencoding()]);
    expectEveryWay(SERVER, text(hex('e1 bd')), [badencoding()]);
  });

  it('does not check binary messages', () => {
    expectEveryWay(SERVER, binary(hex('ff fe c0 af')), [frame('binary', hex('ff fe c0 af'))]);
  });

  it('does not check text when validateUtf8 is off', () => {
    expectEveryWay({ ...SERVER, validateUtf8: false }, text(hex('ff fe')), [frame('text', hex('ff fe'))]);
  });
});

describe('FrameParser: permessage-deflate hook (RSV1, RFC 7692 §6)', () => {
  const deflate = { ...SERVER, rsv1Allowed: true };

  it('returns a message whose first frame has RSV1 with rsv1 set and its raw payload, UTF-8 unchecked', () => {
    // Compressed bytes are not text: the deflate layer validates after inflating.
    expectEveryWay(deflate, text(hex('f2 48 cd c9 c9 07 00'), { rsv: 0b100 }), [
      frame('text', hex('f2 48 cd c9 c9 07 00'), { rsv1: true }),
    ]);
  });

  it('joins the raw fragments of a compressed message and keeps rsv1 from its first frame', () => {
    const bytes = Buffer.concat([
      text(hex('f2 48'), { rsv: 0b100, fin: false }),
      ping(),
      cont(hex('cd c9 c9 07 00')),
    ]);
    expectEveryWay(deflate, bytes, [
      frame('ping'),
      frame('text', hex('f2 48 cd c9 c9 07 00'), { rsv1: true }),
    ]);
  });

  it('still checks uncompressed text messages on a deflate connection', () => {
    expectEveryWay(deflate, text(hex('c0 af')), [badencoding()]);
    expectEveryWay(deflate, text('plain'), [frame('text', 'plain')]);
  });
});

describe('FrameParser: state', () => {
  it('stays in the error state: every later call returns the same error and input is dropped', () => {
    const parser = new FrameParser(SERVER);
    parser.push(cont('x'));
    const first = parser.next();
    expect(first.kind).toBe('error');
    parser.push(text('after'));
    expect(parser.bufferedBytes).toBe(0);
    expect(parser.next()).toBe(first);
    expect(parser.next()).toBe(first);
    expect(parser.error?.code).toBe('WS_ERR_UNEXPECTED_CONTINUATION');
  });

  it('parses afresh after reset(), dropping buffered input, the message in progress and the error', () => {
    const parser = new FrameParser(SERVER);
    expect(drain(parser, [text('a', { fin: false }), cont('half').subarray(0, 3)])).toEqual([]);
    parser.reset();
    expect(parser.bufferedBytes).toBe(0);
    expect(parser.inMessage).toBe(false);
    expect(drain(parser, [text('fresh')])).toEqual([frame('text', 'fresh')]);
    expect(drain(parser, [cont('x')])).toEqual([badframe('WS_ERR_UNEXPECTED_CONTINUATION')]);
    parser.reset();
    expect(parser.error).toBeUndefined();
    expect(drain(parser, [text('again')])).toEqual([frame('text', 'again')]);
  });

  it('keeps a partial frame and the fragments of a message in progress across compact() (hibernation)', () => {
    const bytes = Buffer.concat([text('one ', { fin: false }), cont('two ', { fin: false }), cont('three')]);
    for (let point = 1; point < bytes.length; point++) {
      const parser = new FrameParser(SERVER);
      const [a, b] = cut(bytes, [point]);
      const before = drain(parser, [a!]);
      parser.compact();
      expect([...before, ...drain(parser, [b!])], `split at ${point}`).toEqual([
        frame('text', 'one two three'),
      ]);
    }
  });

  it('after compact(), holds its unread bytes in a buffer of their own, not the socket chunk', () => {
    const parser = new FrameParser(SERVER);
    const chunk = Buffer.concat([text('done'), text('partial').subarray(0, 9)]);
    parser.push(chunk);
    expect(parser.next().kind).toBe('frame');
    expect(parser.next().kind).toBe('more');
    parser.compact();
    chunk.fill(0); // the parser must not read the old chunk any more
    parser.push(text('partial').subarray(9));
    expect(parser.next()).toMatchObject({ kind: 'frame', payload: Buffer.from('partial') });
  });
});

describe('toInFrame', () => {
  it('turns parsed frames into the tuples handlers receive', () => {
    const [t, b, p, q] = parse(CLIENT, [hex('81 02 68 69  82 01 ff  89 01 61  8a 00')]);
    const frames = [t, b, p, q].map((outcome) => {
      if (outcome === undefined || !('type' in outcome)) throw new Error('expected a frame');
      return toInFrame({ kind: 'frame', ...outcome, payload: Buffer.from(outcome.payload, 'hex') });
    });
    expect(frames).toEqual([
      ['text', 'hi'],
      ['binary', hex('ff')],
      ['ping', Buffer.from('a')],
      ['pong', Buffer.alloc(0)],
    ]);
  });

  it('refuses close frames and compressed messages', () => {
    const base = { kind: 'frame', payload: Buffer.alloc(0), closeCode: 0 } as const;
    expect(() => toInFrame({ ...base, type: 'close', rsv1: false, closeCode: 1000 })).toThrow(TypeError);
    expect(() => toInFrame({ ...base, type: 'text', rsv1: true })).toThrow(/inflated/);
  });
});

describe('FrameParser: text messages decoded where they lie (frameText)', () => {
  it('decodes ASCII and UTF-8 text from a chunk of many frames, each as its own string', () => {
    const parser = new FrameParser(SERVER);
    const texts = ['plain', 'héllo wörld', '', 'x'.repeat(300), '€'.repeat(100), '😀'];
    parser.push(Buffer.concat(texts.map((t) => text(t))));
    const got: string[] = [];
    for (let r = parser.next(); r.kind === 'frame'; r = parser.next()) got.push(frameText(r));
    expect(got).toEqual(texts);
  });

  it('decodes a message assembled from fragments, and a frame made by hand', () => {
    const parser = new FrameParser(SERVER);
    parser.push(Buffer.concat([text('hé', { fin: false }), cont('llo')]));
    const r = parser.next();
    expect(r.kind === 'frame' && frameText(r)).toBe('héllo');
    const byHand = {
      kind: 'frame',
      type: 'text',
      payload: Buffer.from('ünï'),
      rsv1: false,
      closeCode: 0,
    } as const;
    expect(frameText(byHand)).toBe('ünï');
  });

  it('fails a large text frame whole in its chunk with one bad byte anywhere (1007): the word-wise unmask does not look, the UTF-8 check does', () => {
    for (const at of [0, 100, 255]) {
      const bytes = Buffer.alloc(256, 0x61);
      bytes[at] = 0xff;
      expect(parse(SERVER, [text(bytes)]), `0xff at ${at}`).toEqual([badencoding()]);
    }
    const valid = Buffer.from('é'.repeat(128));
    expect(parse(SERVER, [text(valid)])).toEqual([frame('text', valid)]);
  });

  it('fails a small non-ASCII text frame whole in its chunk that is not UTF-8 (1007), and passes it with validateUtf8 off', () => {
    const bad = text(hex('41 c3 28 42'));
    expect(parse(SERVER, [bad])).toEqual([badencoding()]);
    expect(parse({ ...SERVER, validateUtf8: false }, [bad])).toEqual([frame('text', hex('41 c3 28 42'))]);
  });
});
