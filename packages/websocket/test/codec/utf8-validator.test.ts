import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { isValidUtf8, Utf8Validator } from '../../src/codec/utf8-validator.js';
import { cut, hex } from './hex.js';

interface Vector {
  readonly name: string;
  readonly bytes: Buffer;
  /** Index of the first byte after which no valid text can follow; absent if never. */
  readonly failsAt?: number;
  /** True if valid as a whole. */
  readonly valid: boolean;
}

const v = (name: string, digits: string, valid: boolean, failsAt?: number): Vector =>
  failsAt === undefined ? { name, bytes: hex(digits), valid } : { name, bytes: hex(digits), valid, failsAt };

// Autobahn TestSuite cases 6.x (UTF-8 handling) and the boundaries of Unicode Table 3-7.
const VECTORS: readonly Vector[] = [
  v('6.2 κόσμε', 'ce ba e1 bd b9 cf 83 ce bc ce b5', true),
  v(
    '6.3.1 κόσμε with a surrogate inside',
    'ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64',
    false,
    12,
  ),
  v('empty', '', true),
  v('U+0000', '00', true),
  v('U+007F', '7f', true),
  v('U+0080', 'c2 80', true),
  v('U+07FF', 'df bf', true),
  v('U+0800', 'e0 a0 80', true),
  v('U+D7FF, last before the surrogates', 'ed 9f bf', true),
  v('U+E000, first after the surrogates', 'ee 80 80', true),
  v('U+FFFD', 'ef bf bd', true),
  v('U+FFFF', 'ef bf bf', true),
  v('U+10000', 'f0 90 80 80', true),
  v('U+10FFFF, the last code point', 'f4 8f bf bf', true),
  v('U+110000 is past the maximum (6.3.x)', 'f4 90 80 80', false, 1),
  v('a lead byte past F4', 'f5 80 80 80', false, 0),
  v('overlong "/" in 2 bytes (6.8.x)', 'c0 af', false, 0),
  v('overlong U+007F in 2 bytes', 'c1 bf', false, 0),
  v('overlong "/" in 3 bytes', 'e0 80 af', false, 1),
  v('overlong U+07FF in 3 bytes', 'e0 9f bf', false, 1),
  v('overlong "/" in 4 bytes', 'f0 80 80 af', false, 1),
  v('overlong U+FFFF in 4 bytes', 'f0 8f bf bf', false, 1),
  v('a high surrogate U+D800 (6.10.x)', 'ed a0 80', false, 1),
  v('a low surrogate U+DFFF', 'ed bf bf', false, 1),
  v('a surrogate pair U+D800 U+DC00', 'ed a0 80 ed b0 80', false, 1),
  v('a lone continuation byte 80 (6.6.x)', '80', false, 0),
  v('a lone continuation byte bf', 'bf', false, 0),
  v('continuation bytes after an ASCII letter', '41 80 80', false, 1),
  v('fe never appears', 'fe', false, 0),
  v('ff never appears', 'ff', false, 0),
  v('the 5-byte form f8 88 80 80 80', 'f8 88 80 80 80', false, 0),
  v('a 2-byte sequence cut by ASCII', 'c2 41', false, 1),
  v('a 3-byte sequence cut by ASCII', 'e1 80 41', false, 2),
  v('a 4-byte sequence cut by ASCII', 'f1 80 80 41', false, 3),
  v('a 2-byte sequence open at the end', 'ce', false),
  v('a 3-byte sequence open at the end', '41 e1 bd', false),
  v('a 4-byte sequence open at the end', 'f0 90 80', false),
  v('an E0 sequence open at the end', 'e0 a0', false),
];

describe('isValidUtf8', () => {
  it.each(VECTORS)('$name', ({ bytes, valid }) => {
    expect(isValidUtf8(bytes)).toBe(valid);
    // Ground truth: Node's own strict validator agrees.
    expect(isUtf8(bytes)).toBe(valid);
  });

  it('checks long inputs (the native path) as strictly as short ones', () => {
    const padding = Buffer.alloc(100, 0x61);
    for (const { name, bytes, valid } of VECTORS) {
      expect(isValidUtf8(Buffer.concat([padding, bytes, padding])), name).toBe(valid);
    }
  });
});

describe('Utf8Validator', () => {
  it.each(VECTORS)('$name: same verdict when split at every byte', ({ bytes, valid }) => {
    for (let point = 0; point <= bytes.length; point++) {
      const validator = new Utf8Validator();
      const ok = cut(bytes, [point]).every((chunk) => validator.write(chunk));
      expect(ok && validator.end(), `split at ${point}`).toBe(valid);
    }
  });

  it.each(VECTORS)(
    '$name: fails on the very byte that makes it invalid, fed one byte at a time',
    ({ bytes, valid, failsAt }) => {
      const validator = new Utf8Validator();
      let failedAt: number | undefined;
      for (let i = 0; i < bytes.length; i++) {
        if (!validator.write(bytes.subarray(i, i + 1))) {
          failedAt = i;
          break;
        }
      }
      expect(failedAt).toBe(failsAt);
      expect(validator.failed).toBe(failsAt !== undefined);
      expect(validator.end()).toBe(valid);
    },
  );

  it('reports an open sequence as pending and an incomplete message as invalid at the end', () => {
    const validator = new Utf8Validator();
    expect(validator.write(hex('e1 bd'))).toBe(true);
    expect(validator.pending).toBe(true);
    expect(validator.end()).toBe(false);
    expect(validator.write(hex('b9'))).toBe(true);
    expect(validator.pending).toBe(false);
    expect(validator.end()).toBe(true);
  });

  it('stays failed after an invalid byte until reset', () => {
    const validator = new Utf8Validator();
    expect(validator.write(hex('ff'))).toBe(false);
    expect(validator.write(hex('41'))).toBe(false);
    expect(validator.end()).toBe(false);
    validator.reset();
    expect(validator.write(hex('41'))).toBe(true);
    expect(validator.end()).toBe(true);
  });

  it('validates a sub-range of a chunk', () => {
    const validator = new Utf8Validator();
    const bytes = hex('ff 41 ce ba ff');
    expect(validator.write(bytes, 1, 4)).toBe(true);
    expect(validator.end()).toBe(true);
  });

  it('carries multi-byte characters across long chunks (native path) split at every offset', () => {
    const text = Buffer.from('Grüße, κόσμε, 世界, 🎉🎉 — '.repeat(4));
    for (let point = 0; point <= text.length; point++) {
      const validator = new Utf8Validator();
      expect(validator.write(text.subarray(0, point)), `first part, split at ${point}`).toBe(true);
      expect(validator.write(text.subarray(point)), `second part, split at ${point}`).toBe(true);
      expect(validator.end(), `split at ${point}`).toBe(true);
    }
  });

  it('rejects the long chunk (native path) that holds an invalid byte, not a later one', () => {
    const good = Buffer.from('κόσμε '.repeat(20));
    const validator = new Utf8Validator();
    expect(validator.write(good)).toBe(true);
    expect(validator.write(Buffer.concat([good, hex('ed a0 80'), good]))).toBe(false);
    expect(validator.failed).toBe(true);
  });

  it('rejects a chunk whose first byte cannot continue the sequence the previous chunk opened', () => {
    const validator = new Utf8Validator();
    expect(validator.write(Buffer.concat([Buffer.from('κόσμε '.repeat(10)), hex('ed')]))).toBe(true);
    expect(validator.pending).toBe(true);
    expect(validator.write(Buffer.concat([hex('a0 80'), Buffer.from('x'.repeat(64))]))).toBe(false);
  });

  it('agrees with buffer.isUtf8 on random inputs split at random points', () => {
    // Deterministic xorshift; inputs mix ASCII, valid multi-byte characters and random bytes.
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pieces = ['a', 'é', '€', '𝄞', 'κ'].map((s) => Buffer.from(s));
    for (let round = 0; round < 3000; round++) {
      const parts: Buffer[] = [];
      const count = random(40);
      for (let i = 0; i < count; i++) {
        parts.push(random(8) === 0 ? Buffer.from([random(256)]) : pieces[random(pieces.length)]!);
      }
      const bytes = Buffer.concat(parts);
      const points = [random(bytes.length + 1), random(bytes.length + 1)].sort((a, b) => a - b);
      const validator = new Utf8Validator();
      const ok = cut(bytes, points).every((chunk) => validator.write(chunk)) && validator.end();
      expect(ok, bytes.toString('hex')).toBe(isUtf8(bytes));
      expect(isValidUtf8(bytes), bytes.toString('hex')).toBe(isUtf8(bytes));
    }
  });
});
