/**
 * Validation of a client's opening handshake (RFC 6455 §4.2.1), pure: it reads a request head
 * and says either "upgrade, with this key" or which plain HTTP answer to give instead. The
 * upgrade layer writes that answer with {@link buildHttpResponse} and closes the socket.
 *
 * Every rejection is a 400 with a one-line reason, except a missing or unsupported
 * `Sec-WebSocket-Version`, which answers 426 Upgrade Required naming the version we speak
 * (§4.4). (Cowboy answers 426 to a request that is not an upgrade at all, and 400 to a bad
 * version; see docs/decisions.md.)
 *
 * @example
 * ```ts
 * import { checkHandshake } from '@corral/websocket';
 *
 * checkHandshake({
 *   method: 'GET',
 *   httpVersionMajor: 1,
 *   httpVersionMinor: 1,
 *   headers: {
 *     host: 'example.com',
 *     upgrade: 'websocket',
 *     connection: 'Upgrade',
 *     'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
 *     'sec-websocket-version': '13',
 *   },
 * });
 * // { ok: true, key: 'dGhlIHNhbXBsZSBub25jZQ==' }
 * ```
 *
 * @module
 */

import type { IncomingHttpHeaders } from 'node:http';
import { isValidWebSocketKey } from '../handshake/accept-key.js';
import { parseExtensions } from '../handshake/extensions.js';
import { HeaderSyntaxError, hasToken, parseSubprotocols } from '../handshake/header-tokens.js';

/** The part of an `IncomingMessage` the check reads (so tests and other servers can pass a plain object). */
export interface RequestHead {
  method?: string | undefined;
  httpVersionMajor: number;
  httpVersionMinor: number;
  headers: IncomingHttpHeaders;
}

/** The plain HTTP answer to give instead of upgrading. */
export interface HandshakeRejection {
  ok: false;
  status: 400 | 426;
  headers: Record<string, string>;
  /** One line saying what was wrong (also useful in logs). */
  body: string;
}

/** A valid handshake (with the client's key, for the accept) or the answer to a bad one. */
export type HandshakeCheck = { ok: true; key: string } | HandshakeRejection;

/** The only protocol version this server speaks (RFC 6455 §4.1 item 9). */
export const WEBSOCKET_VERSION = '13';

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

function badRequest(reason: string): HandshakeRejection {
  return { ok: false, status: 400, headers: { ...TEXT }, body: reason };
}

/**
 * Checks an opening handshake against RFC 6455 §4.2.1, in the order the RFC lists its
 * requirements, and stops at the first failure:
 *
 * 1. a GET of HTTP/1.1 or later; 2. a `Host` header; 3. `Upgrade` holding the token
 * `websocket` (case-insensitive); 4. `Connection` holding the token `upgrade`
 * (case-insensitive); 5. `Sec-WebSocket-Key`, base64 of 16 bytes; 6. `Sec-WebSocket-Version:
 * 13` — otherwise 426 with `Sec-WebSocket-Version: 13` (§4.4), `Upgrade: websocket` and
 * `Connection: Upgrade` (a 426 must name the protocol to upgrade to: RFC 9110 §15.5.22, §7.8);
 * then the optional `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`, which must follow
 * their grammar (§4.1, §9.1) — a malformed one is a 400.
 */
export function checkHandshake(req: RequestHead): HandshakeCheck {
  const h = req.headers;
  // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
  if (req.method !== 'GET') return badRequest(`The method must be GET, not ${req.method ?? 'none'}`);
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1))
    return badRequest(
      `HTTP/1.1 or later is required, not HTTP/${req.httpVersionMajor}.${req.httpVersionMinor}`,
    );
  // Item 2: "A |Host| header field containing the server's authority."
  if (h.host === undefined || h.host.length === 0) return badRequest('Missing Host header');
  // Item 3: "An |Upgrade| header field containing the value "websocket", treated as an ASCII
  // case-insensitive value."
  if (!hasToken(h.upgrade, 'websocket')) return badRequest('The Upgrade header must name websocket');
  // Item 4: "A |Connection| header field that includes the token "Upgrade", treated as an
  // ASCII case-insensitive value."
  if (!hasToken(h.connection, 'upgrade')) return badRequest('The Connection header must include upgrade');
  // Item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when decoded,
  // is 16 bytes in length." (Node joins repeated lines with ", ", which no valid key contains.)
  const key = h['sec-websocket-key'];
  if (typeof key !== 'string' || !isValidWebSocketKey(key))
    return badRequest('Missing or invalid Sec-WebSocket-Key header (base64 of 16 bytes)');
  // Item 6 and §4.4: a version we do not speak gets 426 naming the one we do.
  if (h['sec-websocket-version'] !== WEBSOCKET_VERSION) {
    return {
      ok: false,
      status: 426,
      headers: {
        'Sec-WebSocket-Version': WEBSOCKET_VERSION,
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        ...TEXT,
      },
      body: 'Unsupported or missing Sec-WebSocket-Version (this server speaks 13)',
    };
  }
  // Items 8 and 9 (optional headers): a value outside the grammar fails the handshake (§4.1, §9.1).
  // (Checked only when present: most requests send neither, and each parse allocates.)
  const protocols = h['sec-websocket-protocol'];
  const extensions = h['sec-websocket-extensions'];
  try {
    if (protocols !== undefined) parseSubprotocols(protocols);
    if (extensions !== undefined) parseExtensions(extensions);
  } catch (e) {
    if (e instanceof HeaderSyntaxError) return badRequest(e.message);
    throw e;
  }
  return { ok: true, key };
}
