import { describe, expect, it } from 'vitest';
import {
  buildClosePayload,
  CloseCode,
  isValidCloseCode,
  MAX_CLOSE_REASON_BYTES,
  parseClosePayload,
} from '../../src/codec/close-codes.js';
import { ProtocolError } from '../../src/codec/protocol-error.js';
import { hex } from './hex.js';

describe('isValidCloseCode', () => {
  it('accepts exactly 1000-1003, 1007-1014 and 3000-4999 (RFC 6455 §7.4.1, §7.4.2, IANA registry)', () => {
    const accepted: number[] = [];
    for (let code = 0; code <= 70000; code++) if (isValidCloseCode(code)) accepted.push(code);
    const expected = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (let code = 3000; code <= 4999; code++) expected.push(code);
    expect(accepted).toEqual(expected);
  });

  it('never accepts 1004, 1005, 1006 or 1015, which must not be on the wire (RFC 6455 §7.4.1)', () => {
    for (const code of [1004, CloseCode.NoStatusReceived, CloseCode.Abnormal, CloseCode.TlsHandshake]) {
      expect(isValidCloseCode(code), String(code)).toBe(false);
    }
  });
});

describe('parseClosePayload', () => {
  it('reads an empty payload as "no status code" 1005 with no reason (RFC 6455 §7.1.5)', () => {
    expect(parseClosePayload(Buffer.alloc(0))).toEqual({ code: 1005, reason: Buffer.alloc(0) });
  });

  it('reads a big-endian status code and a UTF-8 reason (RFC 6455 §5.5.1)', () => {
    const parsed = parseClosePayload(hex('03 e8 62 79 65'));
    expect(parsed).toEqual({ code: 1000, reason: Buffer.from('bye') });
  });

  it('reads a code with no reason', () => {
    expect(parseClosePayload(hex('0f a0'))).toEqual({ code: 4000, reason: Buffer.alloc(0) });
  });

  it('rejects a 1-byte payload with WS_ERR_INVALID_CLOSE_PAYLOAD → 1002 (RFC 6455 §5.5.1)', () => {
    const error = parseClosePayload(hex('03')) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect([error.code, error.closeCode, error.reason]).toEqual([
      'WS_ERR_INVALID_CLOSE_PAYLOAD',
      1002,
      'badframe',
    ]);
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535])(
    'rejects close code %i with WS_ERR_INVALID_CLOSE_CODE → 1002 (RFC 6455 §7.4)',
    (code) => {
      const payload = Buffer.from([code >> 8, code & 0xff]);
      const error = parseClosePayload(payload) as ProtocolError;
      expect(error).toBeInstanceOf(ProtocolError);
      expect([error.code, error.closeCode]).toEqual(['WS_ERR_INVALID_CLOSE_CODE', 1002]);
    },
  );

  it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999])(
    'accepts close code %i',
    (code) => {
      expect(parseClosePayload(Buffer.from([code >> 8, code & 0xff]))).toEqual({
        code,
        reason: Buffer.alloc(0),
      });
    },
  );

  it('rejects a reason that is not UTF-8 with WS_ERR_INVALID_UTF8 → 1007 (RFC 6455 §8.1)', () => {
    const error = parseClosePayload(hex('03 e8 ce ba ed a0 80')) as ProtocolError;
    expect([error.code, error.closeCode, error.reason]).toEqual(['WS_ERR_INVALID_UTF8', 1007, 'badencoding']);
  });

  it('accepts a reason that is not UTF-8 when validation is off', () => {
    expect(parseClosePayload(hex('03 e8 ff'), false)).toEqual({ code: 1000, reason: hex('ff') });
  });
});

describe('buildClosePayload', () => {
  it('is empty without a code', () => {
    expect(buildClosePayload()).toEqual(Buffer.alloc(0));
  });

  it('writes the code big-endian, then the reason as UTF-8', () => {
    expect(buildClosePayload(1000)).toEqual(hex('03 e8'));
    expect(buildClosePayload(4999, 'κ')).toEqual(hex('13 87 ce ba'));
    expect(buildClosePayload(1001, hex('62 79 65'))).toEqual(hex('03 e9 62 79 65'));
  });

  it(`accepts a reason of exactly ${MAX_CLOSE_REASON_BYTES} bytes, so the payload is 125 (RFC 6455 §5.5)`, () => {
    const payload = buildClosePayload(1000, 'a'.repeat(123));
    expect(payload.length).toBe(125);
    expect(payload.subarray(2).toString()).toBe('a'.repeat(123));
  });

  it('rejects a reason of 124 bytes instead of truncating it', () => {
    expect(() => buildClosePayload(1000, 'a'.repeat(124))).toThrow(RangeError);
    // 62 × "é" is 124 bytes though only 62 characters.
    expect(() => buildClosePayload(1000, 'é'.repeat(62))).toThrow(/124 bytes/);
  });

  it.each([999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5, Number.NaN])('rejects the code %s', (code) => {
    expect(() => buildClosePayload(code)).toThrow(RangeError);
  });

  it('rejects a reason without a code', () => {
    expect(() => buildClosePayload(undefined, 'why')).toThrow(/needs a status code/);
  });

  it('rejects a reason given as bytes that are not UTF-8', () => {
    expect(() => buildClosePayload(1000, hex('c0 af'))).toThrow(/UTF-8/);
  });

  it('round-trips through parseClosePayload', () => {
    expect(parseClosePayload(buildClosePayload(1012, 'restarting'))).toEqual({
      code: 1012,
      reason: Buffer.from('restarting'),
    });
  });
});
