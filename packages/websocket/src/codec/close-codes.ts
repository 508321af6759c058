/**
 * Close status codes (RFC 6455 §7.4) and close frame payloads (§5.5.1).
 *
 * Which codes may be on the wire: 1000-1003 and 1007-1011 (RFC 6455 §7.4.1), 1012-1014 (added to
 * the IANA "WebSocket Close Code Number Registry" that §11.7 creates: Service Restart, Try Again
 * Later, Bad Gateway), and 3000-4999 (§7.4.2: registered libraries/frameworks and private use).
 * 1004 is reserved, and 1005, 1006 and 1015 are "designated for use in applications expecting a
 * status code to indicate" no code / abnormal closure / TLS failure: they "MUST NOT be set as a
 * status code in a Close control frame by an endpoint" (§7.4.1). 0-999, 1016-2999 and 5000+ are
 * unassigned or unused (§7.4.2).
 *
 * On 1012-1014 implementations differ: `ws` accepts them, cowlib (`cow_ws:validate_close_code`)
 * rejects anything over 1011, and the Autobahn test suite dropped them from its invalid set
 * (crossbario/autobahn-testsuite#52, #88). We accept them: they are registered codes that servers
 * behind proxies and during deploys really send.
 *
 * @example
 * ```ts
 * import { buildClosePayload, parseClosePayload, CloseCode } from '@corral/websocket';
 *
 * const payload = buildClosePayload(CloseCode.Normal, 'bye'); // 03 e8 62 79 65
 * parseClosePayload(payload); // { code: 1000, reason: <Buffer 62 79 65> }
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import { type ProtocolError, protocolError } from './protocol-error.js';
import { isValidUtf8 } from './utf8-validator.js';

/** Status codes named by RFC 6455 §7.4.1 and the IANA registry. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Never on the wire: a Close frame without a status code. */
  NoStatusReceived: 1005,
  /** Never on the wire: the connection closed without a Close frame. */
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  /** Never on the wire: the TLS handshake failed. */
  TlsHandshake: 1015,
} as const;

/** The longest close reason: a control frame payload is at most 125 bytes (§5.5), 2 are the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Whether `code` may appear in a Close frame, sent or received (see the module comment for the
 * list). A received Close frame with any other code is a protocol error (→ 1002).
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/** A parsed close frame payload. */
export interface ClosePayload {
  /** The status code, or 1005 (`NoStatusReceived`) when the payload was empty. */
  readonly code: number;
  /** The reason's UTF-8 bytes (empty if none), a view into the payload. */
  readonly reason: Buffer;
}

const EMPTY = Buffer.alloc(0);
const NO_STATUS: ClosePayload = Object.freeze({ code: CloseCode.NoStatusReceived, reason: EMPTY });

/**
 * Parses an (unmasked) close frame payload per §5.5.1: empty, or a 2-byte big-endian status code
 * followed by a UTF-8 reason. Returns the protocol error for a 1-byte payload, a code that may not
 * be sent, or a reason that is not UTF-8 (checked unless `validateUtf8` is false).
 */
export function parseClosePayload(payload: Buffer, validateUtf8 = true): ClosePayload | ProtocolError {
  // §5.5.1: "The Close frame MAY contain a body"; with no body there is no status code (1005).
  if (payload.length === 0) return NO_STATUS;
  // §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned
  // integer (in network byte order) representing a status code".
  if (payload.length === 1) return protocolError('WS_ERR_INVALID_CLOSE_PAYLOAD', 'a 1-byte payload');
  const code = (payload[0]! << 8) | payload[1]!;
  // §7.4: only defined, registered or application codes may be sent; 1005/1006/1015 never.
  if (!isValidCloseCode(code)) return protocolError('WS_ERR_INVALID_CLOSE_CODE', String(code));
  const reason = payload.subarray(2);
  // §5.5.1: "the data ... is not guaranteed to be human readable" but it MUST be UTF-8;
  // §8.1: invalid UTF-8 fails the connection (→ 1007).
  if (validateUtf8 && reason.length > 0 && !isValidUtf8(reason)) {
    return protocolError('WS_ERR_INVALID_UTF8', 'in the close reason');
  }
  return { code, reason };
}

/**
 * Builds a close frame payload. No `code` gives an empty payload (the peer sees 1005); a reason
 * needs a code. Throws a `RangeError` for a code that may not be sent ({@link isValidCloseCode}),
 * a reason given as bytes that are not UTF-8, or a reason over {@link MAX_CLOSE_REASON_BYTES}
 * bytes (reasons are never truncated: a cut could split a character and make the frame invalid).
 */
export function buildClosePayload(code?: number, reason?: string | Uint8Array): Buffer {
  if (code === undefined) {
    if (reason !== undefined && reason.length > 0) {
      throw new RangeError('A close reason needs a status code (RFC 6455 §5.5.1)');
    }
    return EMPTY;
  }
  if (!Number.isInteger(code) || !isValidCloseCode(code)) {
    throw new RangeError(`${code} is not a close code an endpoint may send (RFC 6455 §7.4)`);
  }
  const reasonLength =
    reason === undefined ? 0 : typeof reason === 'string' ? Buffer.byteLength(reason) : reason.length;
  if (reasonLength > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(
      `The close reason is ${reasonLength} bytes; at most ${MAX_CLOSE_REASON_BYTES} fit in a control frame (RFC 6455 §5.5)`,
    );
  }
  // §5.5.1: the reason is UTF-8; a string always encodes to valid UTF-8, bytes must be checked.
  if (reason !== undefined && typeof reason !== 'string' && !isValidUtf8(reason)) {
    throw new RangeError('The close reason is not valid UTF-8 (RFC 6455 §5.5.1)');
  }
  const payload = Buffer.allocUnsafe(2 + reasonLength);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  if (typeof reason === 'string') payload.write(reason, 2, 'utf8');
  else if (reason !== undefined) payload.set(reason, 2);
  return payload;
}
