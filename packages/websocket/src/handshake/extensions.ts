/**
 * The `Sec-WebSocket-Extensions` header (RFC 6455 §9.1, §11.3.2): parsing a client's offers in
 * order of preference, and formatting a server's answer.
 *
 * Grammar (RFC 6455 §9.1, with RFC 2616's implied linear whitespace, which RFC 9110 writes as
 * OWS):
 * ```
 * Sec-WebSocket-Extensions = extension-list
 * extension-list = 1#extension
 * extension = extension-token *( ";" extension-param )
 * extension-param = token [ "=" (token | quoted-string) ]
 *     ; When using the quoted-string syntax variant, the value
 *     ; after quoted-string unescaping MUST conform to the 'token' ABNF.
 * ```
 * "If a value is received by either the client or the server during negotiation that does not
 * conform to the ABNF below, the recipient of such malformed data MUST immediately _Fail the
 * WebSocket Connection_" — so {@link parseExtensions} throws a {@link HeaderSyntaxError}. Empty
 * list elements are skipped (RFC 9110 §5.6.1). A parameter without a value is `true`.
 *
 * @example
 * ```ts
 * import { parseExtensions, formatExtensions } from '@corral/websocket';
 *
 * parseExtensions('permessage-deflate; client_max_window_bits');
 * // [{ name: 'permessage-deflate', params: [['client_max_window_bits', true]] }]
 * formatExtensions([{ name: 'permessage-deflate', params: [['server_max_window_bits', '10']] }]);
 * // 'permessage-deflate; server_max_window_bits=10'
 * ```
 *
 * @module
 */

import {
  HeaderSyntaxError,
  type HeaderValue,
  isToken,
  joinHeader,
  scanToken,
  skipOws,
} from './header-tokens.js';

/** A parameter of an extension: `name=value` or a bare `name` (`true`). */
export type ExtensionParam = [name: string, value: string | true];

/** One extension of the list, with its parameters in the order given. */
export interface ExtensionOffer {
  readonly name: string;
  readonly params: ExtensionParam[];
}

const HEADER = 'sec-websocket-extensions';

/**
 * Parses a `Sec-WebSocket-Extensions` value (several header lines may be given as an array) into
 * the ordered list of extensions with their parameters. The same extension may be offered more
 * than once (alternatives, most preferred first). Throws a {@link HeaderSyntaxError} for any value
 * outside the grammar, including a quoted value that is not a token once unescaped.
 */
export function parseExtensions(value: HeaderValue): ExtensionOffer[] {
  const text = joinHeader(value);
  const offers: ExtensionOffer[] = [];
  let i = 0;
  for (;;) {
    i = skipOws(text, i);
    if (i === text.length) return offers;
    if (text.charCodeAt(i) === 0x2c) {
      i++; // an empty list element
      continue;
    }
    const nameEnd = scanToken(text, i);
    if (nameEnd === i) throw unexpected(text, i, 'an extension name');
    const offer: ExtensionOffer = { name: text.slice(i, nameEnd), params: [] };
    offers.push(offer);
    i = skipOws(text, nameEnd);
    while (i < text.length && text.charCodeAt(i) === 0x3b) {
      i = skipOws(text, i + 1);
      const paramEnd = scanToken(text, i);
      if (paramEnd === i) throw unexpected(text, i, 'a parameter name');
      const name = text.slice(i, paramEnd);
      i = skipOws(text, paramEnd);
      if (i < text.length && text.charCodeAt(i) === 0x3d) {
        i = skipOws(text, i + 1);
        let paramValue: string;
        if (i < text.length && text.charCodeAt(i) === 0x22) {
          const start = i;
          [paramValue, i] = scanQuotedString(text, i);
          // §9.1: the unescaped value "MUST conform to the 'token' ABNF".
          if (!isToken(paramValue)) {
            throw new HeaderSyntaxError(
              HEADER,
              start,
              `the quoted value ${JSON.stringify(paramValue)} of ${name} is not a token (RFC 6455 §9.1)`,
            );
          }
        } else {
          const valueEnd = scanToken(text, i);
          if (valueEnd === i) throw unexpected(text, i, `a value for ${name}`);
          paramValue = text.slice(i, valueEnd);
          i = valueEnd;
        }
        offer.params.push([name, paramValue]);
        i = skipOws(text, i);
      } else {
        offer.params.push([name, true]);
      }
    }
    if (i === text.length) return offers;
    if (text.charCodeAt(i) !== 0x2c) throw unexpected(text, i, '";" or ","');
    i++;
  }
}

/**
 * Scans `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 9110 §5.6.4) at `i`;
 * returns the unescaped content and the index after the closing quote.
 */
function scanQuotedString(text: string, start: number): [string, number] {
  let i = start + 1;
  let content = '';
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return [content, i + 1];
    if (c === 0x5c) {
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      const next = text.charCodeAt(i + 1);
      if (!(next === 0x09 || (next >= 0x20 && next !== 0x7f && next <= 0xff))) {
        throw new HeaderSyntaxError(HEADER, i, 'a backslash must escape a visible character');
      }
      content += text[i + 1];
      i += 2;
      continue;
    }
    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
    if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff))) {
      throw new HeaderSyntaxError(HEADER, i, `control character 0x${c.toString(16)} in a quoted string`);
    }
    content += text[i];
    i++;
  }
  throw new HeaderSyntaxError(HEADER, start, 'unterminated quoted string');
}

function unexpected(text: string, i: number, expected: string): HeaderSyntaxError {
  const found = i < text.length ? JSON.stringify(text[i]) : 'the end';
  return new HeaderSyntaxError(HEADER, i, `expected ${expected}, found ${found}`);
}

/**
 * Formats extensions for a `Sec-WebSocket-Extensions` header: `name; param; param=value, ...`.
 * Values are written as tokens (the grammar requires every value to be one). Throws a `TypeError`
 * for a name or value that is not a token, since it could not be parsed back.
 */
export function formatExtensions(extensions: readonly ExtensionOffer[]): string {
  let out = '';
  for (const extension of extensions) {
    if (!isToken(extension.name)) {
      throw new TypeError(`Extension name ${JSON.stringify(extension.name)} is not a token`);
    }
    if (out.length > 0) out += ', ';
    out += extension.name;
    for (const [name, value] of extension.params) {
      if (!isToken(name)) throw new TypeError(`Parameter name ${JSON.stringify(name)} is not a token`);
      if (value === true) {
        out += `; ${name}`;
      } else if (isToken(value)) {
        out += `; ${name}=${value}`;
      } else {
        throw new TypeError(
          `Parameter value ${JSON.stringify(value)} of ${name} is not a token (RFC 6455 §9.1)`,
        );
      }
    }
  }
  return out;
}
