/**
 * Comma-separated token lists in handshake headers: `Connection: keep-alive, Upgrade`,
 * `Upgrade: websocket`, `Sec-WebSocket-Protocol: chat, superchat` (RFC 6455 §4.1, §11.3.4;
 * list syntax and tokens per RFC 9110 §5.6.1-5.6.2).
 *
 * As RFC 9110 §5.6.1 asks of recipients, empty list elements (`a, , b`) are skipped, and several
 * header lines (given as an array) form one list.
 *
 * @example
 * ```ts
 * import { hasToken, parseSubprotocols } from '@corral/websocket';
 *
 * hasToken('keep-alive, Upgrade', 'upgrade'); // true
 * parseSubprotocols('chat, superchat'); // ['chat', 'superchat']
 * ```
 *
 * @module
 */

/** A handshake header that does not follow its grammar. `index` points into the joined value. */
export class HeaderSyntaxError extends SyntaxError {
  override readonly name = 'HeaderSyntaxError';
  /** The header's name, lower case. */
  readonly header: string;
  /** Where in the value (header lines joined with `', '`) parsing stopped. */
  readonly index: number;

  constructor(header: string, index: number, message: string) {
    super(`Invalid ${header} header at index ${index}: ${message}`);
    this.header = header;
    this.index = index;
  }
}

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
//       / DIGIT / ALPHA  (RFC 9110 §5.6.2)
const TOKEN_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN_CHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_CHAR[c] = 1;

/** Whether the character code `code` may appear in a token. */
export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHAR[code] === 1;
}

/** Whether `value` is a non-empty token (RFC 9110 §5.6.2). */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/** Skips optional whitespace (SP / HTAB) from `i`; returns the first other index. */
export function skipOws(value: string, i: number): number {
  let at = i;
  while (at < value.length) {
    const c = value.charCodeAt(at);
    if (c !== 0x20 && c !== 0x09) break;
    at++;
  }
  return at;
}

/** Scans a token starting at `i`; returns the index after it (`i` if there is none). */
export function scanToken(value: string, i: number): number {
  let at = i;
  while (at < value.length && isTokenChar(value.charCodeAt(at))) at++;
  return at;
}

/** A header value as Node gives it: a string, lines as an array, or absent. */
export type HeaderValue = string | readonly string[] | undefined;

/** Joins several header lines into one list value (RFC 9110 §5.3). */
export function joinHeader(value: HeaderValue): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(', ');
}

/**
 * Parses `1#token` (`token *( OWS "," OWS token )`), keeping case and order, skipping empty
 * elements. Throws a {@link HeaderSyntaxError} naming `header` on anything else.
 */
export function parseTokenList(value: HeaderValue, header = 'token list'): string[] {
  const text = joinHeader(value);
  const tokens: string[] = [];
  let i = 0;
  for (;;) {
    i = skipOws(text, i);
    if (i === text.length) return tokens;
    if (text.charCodeAt(i) === 0x2c) {
      i++; // an empty element
      continue;
    }
    const end = scanToken(text, i);
    if (end === i)
      throw new HeaderSyntaxError(header, i, `expected a token, found ${JSON.stringify(text[i])}`);
    tokens.push(text.slice(i, end));
    i = skipOws(text, end);
    if (i === text.length) return tokens;
    if (text.charCodeAt(i) !== 0x2c) {
      throw new HeaderSyntaxError(header, i, `expected "," after a token, found ${JSON.stringify(text[i])}`);
    }
    i++;
  }
}

/**
 * Whether the list header `value` holds `token`, compared case-insensitively (`Connection` and
 * `Upgrade` values are case-insensitive: RFC 9110 §7.6.1, §7.8). Lenient: splits on commas and
 * trims, so an unrelated malformed element does not hide the token (as `ws` and Cowboy accept
 * `Connection: keep-alive, Upgrade` from every browser).
 */
export function hasToken(value: HeaderValue, token: string): boolean {
  const wanted = token.toLowerCase();
  for (const element of joinHeader(value).split(',')) {
    if (element.trim().toLowerCase() === wanted) return true;
  }
  return false;
}

/**
 * Parses `Sec-WebSocket-Protocol` from a client: sub-protocol names in order of preference, case
 * kept (they are compared case-sensitively). RFC 6455 §4.1: the elements "MUST be non-empty
 * strings with characters in the range U+0021 to U+007E not including separator characters ...
 * and MUST all be unique strings". Throws a {@link HeaderSyntaxError} otherwise.
 */
export function parseSubprotocols(value: HeaderValue): string[] {
  const protocols = parseTokenList(value, 'sec-websocket-protocol');
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (seen.has(protocol)) {
      throw new HeaderSyntaxError(
        'sec-websocket-protocol',
        joinHeader(value).lastIndexOf(protocol),
        `the sub-protocol ${JSON.stringify(protocol)} is listed twice`,
      );
    }
    seen.add(protocol);
  }
  return protocols;
}
