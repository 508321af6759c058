/**
 * UTF-8 text to and from bytes (`src/codec/text.ts`): the JavaScript ASCII path and Node's
 * encoder agree with `Buffer.from(s, 'utf8')` byte for byte, including lone surrogates (U+FFFD)
 * and strings around the ASCII scan limit.
 */
import { describe, expect, it } from 'vitest';
import { ASCII_SCAN_MAX, decodeUtf8, utf8Length, writeUtf8 } from '../../src/codec/text.js';

const SAMPLES = [
  '',
  'a',
  'Hello',
  'x'.repeat(ASCII_SCAN_MAX - 1),
  'x'.repeat(ASCII_SCAN_MAX),
  'x'.repeat(ASCII_SCAN_MAX + 1),
  `${'x'.repeat(ASCII_SCAN_MAX - 1)}é`,
  'abc€', // ASCII first, then a 3-byte character: the JavaScript loop hands over mid-string
  'é',
  '€'.repeat(50),
  '😀 emoji', // a surrogate pair: 4 bytes
  'lone \ud800 high',
  'lone \udc00 low',
  '\u007f\u0080\u07ff\u0800\uffff',
];

describe('utf8Length', () => {
  it.each(SAMPLES.map((s) => [s.length, s]))(
    'counts the UTF-8 bytes of a %i-unit string as Node does',
    (_, s) => {
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
    },
  );
});

describe('writeUtf8', () => {
  it.each(SAMPLES.map((s) => [s.length, s]))(
    'writes a %i-unit string as Buffer.from(s) does and returns its length',
    (_, s) => {
      const expected = Buffer.from(s, 'utf8');
      const target = Buffer.alloc(expected.length + 7, 0xaa);
      const n = writeUtf8(target, 3, s);
      expect(n).toBe(expected.length);
      expect(target.subarray(3, 3 + n).equals(expected)).toBe(true);
      // Nothing outside its place is touched.
      expect(target.subarray(0, 3)).toEqual(Buffer.alloc(3, 0xaa));
      expect(target.subarray(3 + n)).toEqual(Buffer.alloc(4, 0xaa));
    },
  );
});

describe('decodeUtf8', () => {
  it('decodes a range of a buffer in place, ASCII and not', () => {
    const bytes = Buffer.concat([
      Buffer.from('[['),
      Buffer.from('héllo'),
      Buffer.from('plain'),
      Buffer.from(']]'),
    ]);
    expect(decodeUtf8(bytes, 2, 8, false)).toBe('héllo');
    expect(decodeUtf8(bytes, 8, 13, true)).toBe('plain');
    expect(decodeUtf8(bytes, 8, 8, true)).toBe('');
  });
});
