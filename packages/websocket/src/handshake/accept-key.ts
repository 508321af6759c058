/**
 * The `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` pair of the opening handshake
 * (RFC 6455 §1.3, §4.1, §4.2.1, §4.2.2).
 *
 * @example
 * ```ts
 * import { computeAcceptKey, isValidWebSocketKey } from '@corral/websocket';
 *
 * isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ=='); // true
 * computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ=='); // 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
 * ```
 *
 * @module
 */

import { createHash, randomBytes } from 'node:crypto';

/** The GUID RFC 6455 §1.3 appends to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// Base64 of exactly 16 bytes: 22 characters (132 bits, the last 4 unused) and "==".
const KEY_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
const LENIENT_KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Whether `key` is a valid `Sec-WebSocket-Key`: "a base64-encoded value that, when decoded, is 16
 * bytes in length" (RFC 6455 §4.2.1 item 4). Base64 of 16 bytes is 24 characters ending in `==`.
 * By default the 22nd character may carry non-zero unused bits, which decoders ignore (as `ws`
 * and common decoders accept); `strict` also requires them to be zero (canonical base64, RFC 4648
 * §3.5).
 */
export function isValidWebSocketKey(key: string, strict = false): boolean {
  return (strict ? KEY_PATTERN : LENIENT_KEY_PATTERN).test(key);
}

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64 of the SHA-1 of the key (as
 * received, untrimmed) followed by {@link WEBSOCKET_GUID} (RFC 6455 §4.2.2 step 5.4).
 */
export function computeAcceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID, 'latin1')
    .digest('base64');
}

/** A fresh `Sec-WebSocket-Key` for a client request: 16 random bytes, base64 (RFC 6455 §4.1). */
export function generateWebSocketKey(): string {
  return randomBytes(16).toString('base64');
}
