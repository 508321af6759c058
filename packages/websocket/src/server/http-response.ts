/**
 * HTTP/1.1 responses written straight to a socket: the 101 that switches to WebSocket and the
 * plain answers (400, 404, 426, 500, a handler's `req.reply(...)`) given instead of it. After
 * Node emits `'upgrade'` the socket is ours, so there is no `ServerResponse` to help.
 *
 * The output is deterministic (no `Date`, no `Server`): the same arguments give the same
 * bytes, so tests compare responses byte for byte. Header names are written in their usual
 * spelling whatever case they were given in (`sec-websocket-protocol` →
 * `Sec-WebSocket-Protocol`, `x-request-id` → `X-Request-Id`): names are case-insensitive
 * (RFC 9110 §5.1) and `Req` keeps them in lower case.
 *
 * @example
 * ```ts
 * import { buildHttpResponse, buildUpgradeResponse } from '@corral/websocket';
 *
 * buildUpgradeResponse('dGhlIHNhbXBsZSBub25jZQ==', { 'sec-websocket-protocol': 'chat' }).toString();
 * // 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
 * // 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n'
 * buildHttpResponse(404, {}, 'no such route').toString();
 * // 'HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\nConnection: close\r\n\r\nno such route'
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import { computeAcceptKey } from '../handshake/accept-key.js';
import { hasToken, isToken } from '../handshake/header-tokens.js';

/** Header values as `OutgoingHttpHeaders` holds them; an array gives one line per element, `undefined` none. */
export type ResponseHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** A response header that could not be written as given (a name that is not a token, CR/LF in a value...). */
export class InvalidHeaderError extends TypeError {
  override readonly name = 'InvalidHeaderError';
}

// The usual spelling of names whose word-by-word capitalisation is not the usual one.
const SPECIAL_NAMES: Record<string, string> = {
  'sec-websocket-accept': 'Sec-WebSocket-Accept',
  'sec-websocket-extensions': 'Sec-WebSocket-Extensions',
  'sec-websocket-key': 'Sec-WebSocket-Key',
  'sec-websocket-protocol': 'Sec-WebSocket-Protocol',
  'sec-websocket-version': 'Sec-WebSocket-Version',
  'www-authenticate': 'WWW-Authenticate',
  etag: 'ETag',
  te: 'TE',
};

/** `x-request-id` → `X-Request-Id`; `sec-websocket-protocol` → `Sec-WebSocket-Protocol`. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  const special = SPECIAL_NAMES[lower];
  if (special !== undefined) return special;
  let out = '';
  let upper = true;
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    out += upper ? c.toUpperCase() : c;
    upper = c === '-';
  }
  return out;
}

// field-value = *( VCHAR / obs-text / SP / HTAB ) (RFC 9110 §5.5): no CR, LF, NUL or other
// controls, so a value can never end the header line early (response splitting).
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function headerLine(name: string, value: string | number): string {
  if (!isToken(name)) throw new InvalidHeaderError(`Invalid header name ${JSON.stringify(name)}`);
  const text = String(value);
  if (BAD_VALUE.test(text))
    throw new InvalidHeaderError(
      `Invalid character in the value of the ${name} header: ${JSON.stringify(text)}`,
    );
  return `${canonicalHeaderName(name)}: ${text}\r\n`;
}

/** Header lines for `headers`, leaving out the names in `skip` (lower case): ours to write. */
function headerLines(headers: ResponseHeaders, skip: ReadonlySet<string>): string {
  let out = '';
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || skip.has(name.toLowerCase())) continue;
    if (typeof value === 'string' || typeof value === 'number') out += headerLine(name, value);
    else for (const v of value) out += headerLine(name, v);
  }
  return out;
}

// The 101's own headers: a handler's response headers must not replace them.
const UPGRADE_OWN = new Set(['upgrade', 'connection', 'sec-websocket-accept']);

/**
 * The exact bytes of the `101 Switching Protocols` answer to a valid opening handshake (RFC
 * 6455 §4.2.2 step 5): `Upgrade`, `Connection`, `Sec-WebSocket-Accept` computed from `key`,
 * then `respHeaders` (the selected sub-protocol and whatever `init` set; `Upgrade`,
 * `Connection` and `Sec-WebSocket-Accept` among them are ignored), then the negotiated
 * extensions, if any. Throws an {@link InvalidHeaderError} for a header that cannot be written.
 */
export function buildUpgradeResponse(
  key: string,
  respHeaders: ResponseHeaders = {},
  extensionsHeader?: string,
): Buffer {
  let head =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n` +
    headerLines(respHeaders, UPGRADE_OWN);
  if (extensionsHeader !== undefined && extensionsHeader.length > 0)
    head += headerLine('sec-websocket-extensions', extensionsHeader);
  return Buffer.from(head + '\r\n', 'latin1');
}

// Framing headers are computed here (the body is sent whole, then the connection closes).
const PLAIN_OWN = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * The exact bytes of a plain HTTP/1.1 response on a raw socket that is closed right after:
 * status line (reason phrase from `node:http`'s table), `headers` in the order given, then
 * `Content-Length` (none for 204 and 304, which have no content: RFC 9110 §8.6) and
 * `Connection: close` — merged with a `Connection` header given, so a 426 can say
 * `Connection: Upgrade, close` (RFC 9110 §7.8) — then the body. No `Date`, so the output is
 * deterministic.
 *
 * Throws a `RangeError` for a status outside 200-599 or a body on a 204/304, and an
 * {@link InvalidHeaderError} for a header that cannot be written.
 */
export function buildHttpResponse(
  status: number,
  headers: ResponseHeaders = {},
  body: string | Uint8Array = '',
): Buffer {
  if (!Number.isInteger(status) || status < 200 || status > 599)
    throw new RangeError(`A plain HTTP reply needs a status from 200 to 599, got ${status}`);
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const noContent = status === 204 || status === 304;
  if (noContent && bytes.length > 0) throw new RangeError(`A ${status} response has no body`);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n` + headerLines(headers, PLAIN_OWN);
  if (!noContent) head += `Content-Length: ${bytes.length}\r\n`;
  head += headerLine('connection', connectionValue(headers));
  const headBytes = Buffer.from(head + '\r\n', 'latin1');
  return bytes.length === 0 ? headBytes : Buffer.concat([headBytes, bytes]);
}

/** `close`, or the `Connection` value given with `close` added. */
function connectionValue(headers: ResponseHeaders): string {
  let given: string | undefined;
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (name.toLowerCase() !== 'connection' || v === undefined) continue;
    given = typeof v === 'string' || typeof v === 'number' ? String(v) : v.join(', ');
  }
  if (given === undefined || given.trim().length === 0) return 'close';
  return hasToken(given, 'close') ? given : `${given}, close`;
}
