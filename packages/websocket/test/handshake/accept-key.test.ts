import { describe, expect, it } from 'vitest';
import {
  computeAcceptKey,
  generateWebSocketKey,
  isValidWebSocketKey,
  WEBSOCKET_GUID,
} from '../../src/handshake/accept-key.js';

describe('computeAcceptKey', () => {
  it('answers the RFC 6455 §1.3 sample key dGhlIHNhbXBsZSBub25jZQ== with s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('answers x3JJHMbDL1EzLkh9GBhXDw== with HSmrc0sMlYUkAGmm5OPpG2HaGWk= (the handshake example widely quoted)', () => {
    expect(computeAcceptKey('x3JJHMbDL1EzLkh9GBhXDw==')).toBe('HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
  });

  it('uses the GUID of RFC 6455 §1.3', () => {
    expect(WEBSOCKET_GUID).toBe('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  });
});

describe('isValidWebSocketKey', () => {
  it('accepts base64 of 16 bytes (RFC 6455 §4.2.1)', () => {
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidWebSocketKey(Buffer.alloc(16, 0xff).toString('base64'))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['15 bytes', Buffer.alloc(15).toString('base64')],
    ['17 bytes', Buffer.alloc(17).toString('base64')],
    ['no padding', 'dGhlIHNhbXBsZSBub25jZQ'],
    ['a space inside', 'dGhlIHNhbXBsZSBub25jZ Q=='],
    ['surrounding spaces', ' dGhlIHNhbXBsZSBub25jZQ== '],
    ['base64url characters', 'dGhlIHNhbXBsZSBub25j-_=='],
    ['text', 'not a key at all!!!!!!=='],
  ])('rejects %s', (_name, key) => {
    expect(isValidWebSocketKey(key)).toBe(false);
  });

  it('accepts non-zero unused bits unless strict', () => {
    // "...ZR==" decodes to the same 16 bytes as "...ZQ==" but is not canonical base64.
    expect(Buffer.from('dGhlIHNhbXBsZSBub25jZR==', 'base64')).toHaveLength(16);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZR==')).toBe(true);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZR==', true)).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==', true)).toBe(true);
  });
});

describe('generateWebSocketKey', () => {
  it('makes valid, canonical, fresh keys of 16 random bytes (RFC 6455 §4.1)', () => {
    const keys = new Set(Array.from({ length: 16 }, () => generateWebSocketKey()));
    expect(keys.size).toBe(16);
    for (const key of keys) {
      expect(isValidWebSocketKey(key, true)).toBe(true);
      expect(Buffer.from(key, 'base64')).toHaveLength(16);
    }
  });
});
