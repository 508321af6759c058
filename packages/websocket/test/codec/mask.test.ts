import { describe, expect, it } from 'vitest';
import { keyAt, mask, unmask, unmaskCheckAscii, WORD_LOOP_THRESHOLD } from '../../src/codec/mask.js';
import { hex } from './hex.js';

const KEY = hex('37 fa 21 3d');

function naiveMask(source: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.alloc(source.length);
  for (let i = 0; i < source.length; i++) out[i] = source[i]! ^ key[i % 4]!;
  return out;
}

/** A buffer of `length` distinct-ish bytes starting `offset` bytes into a larger ArrayBuffer. */
function bytesAt(offset: number, length: number, seed = 1): Buffer {
  const backing = Buffer.alloc(offset + length + 8);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + seed * 17) & 0xff;
  return backing.subarray(offset, offset + length);
}

describe('unmask', () => {
  it('unmasks the RFC 6455 §5.7 masked "Hello" with key 37 fa 21 3d', () => {
    const payload = hex('7f 9f 4d 51 58');
    unmask(payload, KEY);
    expect(payload.toString()).toBe('Hello');
  });

  it('XORs octet i with key octet i MOD 4 for every length 0..70 at every alignment (RFC 6455 §5.3)', () => {
    const keys = [KEY, hex('00 00 00 00'), hex('ff ff ff ff'), hex('80 01 7f fe')];
    for (const key of keys) {
      for (let offset = 0; offset < 8; offset++) {
        for (let length = 0; length <= 70; length++) {
          const buffer = bytesAt(offset, length);
          const expected = naiveMask(buffer, key);
          unmask(buffer, key);
          expect(buffer, `key ${key.toString('hex')} offset ${offset} length ${length}`).toEqual(expected);
        }
      }
    }
  });

  it('touches no byte outside the buffer', () => {
    const backing = Buffer.alloc(200, 0xaa);
    unmask(backing.subarray(3, 3 + 150), KEY);
    expect(backing.subarray(0, 3)).toEqual(Buffer.alloc(3, 0xaa));
    expect(backing.subarray(153)).toEqual(Buffer.alloc(47, 0xaa));
  });

  it('masks a sub-range with key octet 0 on its first byte', () => {
    for (const [start, end] of [
      [0, 5],
      [3, 8],
      [5, 5 + WORD_LOOP_THRESHOLD * 3 + 1],
      [1, 199],
    ] as const) {
      const buffer = bytesAt(0, Math.max(200, end + 1));
      const expected = Buffer.from(buffer);
      naiveMask(buffer.subarray(start, end), KEY).copy(expected, start);
      unmask(buffer, KEY, start, end);
      expect(buffer, `${start}..${end}`).toEqual(expected);
    }
  });

  it('is its own inverse on a 64 KiB payload', () => {
    const original = bytesAt(1, 65536, 7);
    const buffer = Buffer.from(original);
    unmask(buffer, KEY);
    // Hex strings: a deep equality of 64 KiB byte by byte is slow.
    expect(buffer.toString('hex')).toBe(naiveMask(original, KEY).toString('hex'));
    unmask(buffer, KEY);
    expect(buffer.toString('hex')).toBe(original.toString('hex'));
  });
});

describe('mask', () => {
  it('masks "Hello" into the RFC 6455 §5.7 bytes', () => {
    const out = Buffer.alloc(7);
    mask(Buffer.from('Hello'), KEY, out, 2, 5);
    expect(out).toEqual(hex('00 00 7f 9f 4d 51 58'));
  });

  it('matches a byte loop for every length 0..70, source offset and output offset', () => {
    for (let sourceOffset = 0; sourceOffset < 4; sourceOffset++) {
      for (let outputOffset = 0; outputOffset < 4; outputOffset++) {
        for (let length = 0; length <= 70; length++) {
          const source = bytesAt(sourceOffset, length, 3);
          const before = Buffer.from(source);
          const output = Buffer.alloc(length + 10, 0xee);
          mask(source, KEY, output, outputOffset, length);
          const where = `source+${sourceOffset} output+${outputOffset} length ${length}`;
          expect(output.subarray(outputOffset, outputOffset + length), where).toEqual(naiveMask(source, KEY));
          expect(output.subarray(0, outputOffset), where).toEqual(Buffer.alloc(outputOffset, 0xee));
          expect(output.subarray(outputOffset + length), where).toEqual(
            Buffer.alloc(10 - outputOffset, 0xee),
          );
          expect(source, `${where}: source untouched`).toEqual(before);
        }
      }
    }
  });

  it('masks only the first `length` bytes of a longer source', () => {
    const source = bytesAt(0, 100);
    const output = Buffer.alloc(60);
    mask(source, KEY, output, 0, 60);
    expect(output).toEqual(naiveMask(source.subarray(0, 60), KEY));
  });

  it('masks in place when source and output are the same buffer at offset 0', () => {
    const buffer = bytesAt(2, 90);
    const expected = naiveMask(buffer, KEY);
    mask(buffer, KEY, buffer, 0, buffer.length);
    expect(buffer).toEqual(expected);
  });
});

describe('keyAt', () => {
  it('reads a masking key as one number, octet 0 in the top byte (wire order)', () => {
    expect(keyAt(hex('00 37 fa 21 3d'), 1)).toBe(0x37fa213d);
    expect(keyAt(hex('ff ff ff ff'), 0)).toBe(0xffffffff);
  });
});

describe('unmaskCheckAscii', () => {
  it('unmasks exactly as unmask does, for every length up to 3 thresholds at every alignment', () => {
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length <= 3 * WORD_LOOP_THRESHOLD; length += length < 140 ? 1 : 37) {
        const a = bytesAt(offset, length);
        const b = Buffer.from(a);
        unmaskCheckAscii(a, 0, length, keyAt(KEY, 0));
        unmask(b, KEY);
        expect(a, `offset ${offset} length ${length}`).toEqual(b);
      }
    }
  });

  it('says whether a small payload unmasked to ASCII only, byte by byte (a text payload that is, is valid UTF-8)', () => {
    const key = keyAt(KEY, 0);
    for (let length = 1; length < WORD_LOOP_THRESHOLD; length++) {
      const plain = Buffer.alloc(length, 'a');
      const ascii = Buffer.alloc(length);
      mask(plain, KEY, ascii, 0, length);
      expect(unmaskCheckAscii(ascii, 0, length, key)).toBe(true);
      for (const at of new Set([0, length >> 1, length - 1])) {
        const high = Buffer.from(plain);
        high[at] = 0xc3;
        const masked = Buffer.alloc(length);
        mask(high, KEY, masked, 0, length);
        expect(unmaskCheckAscii(masked, 0, length, key), `length ${length}, 0xc3 at ${at}`).toBe(false);
      }
    }
    expect(unmaskCheckAscii(Buffer.alloc(0), 0, 0, key)).toBe(true);
  });

  it('answers false (not looked at) from WORD_LOOP_THRESHOLD bytes on, where the UTF-8 check decides', () => {
    const plain = Buffer.alloc(WORD_LOOP_THRESHOLD, 'a');
    const masked = Buffer.alloc(WORD_LOOP_THRESHOLD);
    mask(plain, KEY, masked, 0, WORD_LOOP_THRESHOLD);
    expect(unmaskCheckAscii(masked, 0, WORD_LOOP_THRESHOLD, keyAt(KEY, 0))).toBe(false);
    expect(masked).toEqual(plain);
  });
});
