/**
 * permessage-deflate negotiation, server side (RFC 7692 §5, §7.1), pure: the client's offers
 * from `Sec-WebSocket-Extensions`, in its order of preference, go in; the parameters both ends
 * will use and the response header come out, or `undefined` when no offer is acceptable (the
 * connection then goes on without compression: a declined offer never fails the handshake).
 *
 * Each `permessage-deflate` offer is taken or declined on its own; the first one taken wins
 * (§5: "The order of elements is important as it specifies the client's preference"). Other
 * extensions are ignored. An offer is declined (§7) when it has
 * - a parameter not defined for an offer (anything but the four below),
 * - a parameter with an invalid value (`*_no_context_takeover` with a value,
 *   `server_max_window_bits` without one, window bits outside 8-15 or with a leading zero),
 * - the same parameter twice,
 * - or a configuration the server does not support: `server_max_window_bits=8` (zlib cannot
 *   compress with a 256-byte window), or no `client_max_window_bits` while
 *   `clientMaxWindowBits` is below 15 (the client cannot be told to use a smaller window, and
 *   the option bounds what the server keeps per connection; `ws` declines these too).
 *
 * The response (§7.1.1, §7.1.2):
 * - `server_no_context_takeover` when the client asked for it (accepting it means saying it) or
 *   `serverContextTakeover` is false (§7.1.1.1: the server MAY say it unasked);
 * - `client_no_context_takeover` when the client offered it (§7.1.1.2: the server then keeps no
 *   window for the client) or `clientContextTakeover` is false;
 * - `server_max_window_bits=N` when the client sent one (accepting it means answering with the
 *   same or a smaller value) or the server's own limit is below 15 (§7.1.2.1: MAY say it unasked);
 * - `client_max_window_bits=N` only when the offer had the parameter (§7.1.2.2: "MUST NOT
 *   include" it otherwise) and N is below 15: a bare `client_max_window_bits` in an offer (as
 *   Chromium and Python websockets send it) says the client can take a limit; with no limit to
 *   give, the parameter is left out, since its absence means 15 (32 KiB) and a response never
 *   carries it without a value (Python websockets fails a handshake that does).
 *
 * @example
 * ```ts
 * import { negotiateDeflate, parseExtensions } from '@corral/websocket';
 *
 * negotiateDeflate(parseExtensions('permessage-deflate; client_max_window_bits'))?.header;
 * // 'permessage-deflate'
 * negotiateDeflate(parseExtensions('permessage-deflate; server_max_window_bits=8, permessage-deflate'))?.header;
 * // 'permessage-deflate' (the first offer is declined: zlib cannot honour 8)
 * negotiateDeflate(parseExtensions('x-webkit-deflate-frame')); // undefined
 * ```
 *
 * @module
 */

import { type ExtensionOffer, type ExtensionParam, formatExtensions } from '../handshake/extensions.js';
import {
  type DeflateOptions,
  type ResolvedDeflateOptions,
  resolveDeflateOptions,
} from './deflate-options.js';

/** The extension's registered name (RFC 7692 §7). */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** Smallest window zlib can compress with (as bits); offers asking the server for less are declined. */
export const MIN_DEFLATE_WINDOW_BITS = 9;

/** What both ends agreed on for one connection. */
export interface DeflateParams {
  /** The server compresses each message on its own (`server_no_context_takeover`). */
  readonly serverNoContextTakeover: boolean;
  /** The client compresses each message on its own, so the server keeps no window to inflate (`client_no_context_takeover`). */
  readonly clientNoContextTakeover: boolean;
  /** The window the server compresses with, as bits (9-15). */
  readonly serverMaxWindowBits: number;
  /** The largest window the client compresses with, as bits (8-15): what the server keeps to inflate. */
  readonly clientMaxWindowBits: number;
}

/** An accepted offer. */
export interface NegotiatedDeflate {
  readonly params: DeflateParams;
  /** The `Sec-WebSocket-Extensions` value of the 101: `permessage-deflate` with the accepted parameters. */
  readonly header: string;
  /** Which offer was taken: its index in the client's list (other extensions count too). */
  readonly offer: number;
  /** The options the connection compresses with (level, memLevel, strategy, threshold). */
  readonly options: ResolvedDeflateOptions;
}

const WINDOW_BITS = /^(?:8|9|1[0-5])$/;

/** `8`..`15`, decimal, no leading zero (§7.1.2.1, §7.1.2.2); anything else is undefined. */
function windowBits(value: string | true): number | undefined {
  return value !== true && WINDOW_BITS.test(value) ? Number(value) : undefined;
}

/**
 * Takes or declines one `permessage-deflate` offer (its parameters): the agreed parameters and
 * the response's, or `undefined` to decline it.
 */
export function acceptDeflateOffer(
  offered: readonly ExtensionParam[],
  options: ResolvedDeflateOptions,
): { params: DeflateParams; response: ExtensionParam[] } | undefined {
  let serverNoContext = false;
  let clientNoContext = false;
  let serverBitsAsked: number | undefined;
  let clientBitsAsked: number | true | undefined;
  const seen = new Set<string>();
  for (const [name, value] of offered) {
    // §7: "multiple extension parameters with the same name" → decline.
    if (seen.has(name)) return undefined;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
        // §7.1.1.1: the parameter "has no value".
        if (value !== true) return undefined;
        serverNoContext = true;
        break;
      case 'client_no_context_takeover':
        // §7.1.1.2: likewise.
        if (value !== true) return undefined;
        clientNoContext = true;
        break;
      case 'server_max_window_bits': {
        // §7.1.2.1: a value is required in an offer.
        const bits = windowBits(value);
        if (bits === undefined) return undefined;
        serverBitsAsked = bits;
        break;
      }
      case 'client_max_window_bits': {
        // §7.1.2.2: "no value or a decimal integer value ... between 8 to 15".
        if (value === true) clientBitsAsked = true;
        else {
          const bits = windowBits(value);
          if (bits === undefined) return undefined;
          clientBitsAsked = bits;
        }
        break;
      }
      default:
        // §7: "an extension parameter not defined for use in an offer" → decline.
        return undefined;
    }
  }

  const serverBits = Math.min(serverBitsAsked ?? 15, options.serverMaxWindowBits);
  // §7: "The server doesn't support the offered configuration" → decline.
  if (serverBits < MIN_DEFLATE_WINDOW_BITS) return undefined;
  let clientBits: number;
  if (clientBitsAsked === undefined) {
    if (options.clientMaxWindowBits < 15) return undefined;
    clientBits = 15;
  } else if (clientBitsAsked === true) {
    clientBits = options.clientMaxWindowBits;
  } else {
    clientBits = Math.min(clientBitsAsked, options.clientMaxWindowBits);
  }
  const params: DeflateParams = {
    serverNoContextTakeover: serverNoContext || !options.serverContextTakeover,
    clientNoContextTakeover: clientNoContext || !options.clientContextTakeover,
    serverMaxWindowBits: serverBits,
    clientMaxWindowBits: clientBits,
  };

  const response: ExtensionParam[] = [];
  if (params.serverNoContextTakeover) response.push(['server_no_context_takeover', true]);
  if (params.clientNoContextTakeover) response.push(['client_no_context_takeover', true]);
  if (serverBitsAsked !== undefined || serverBits < 15)
    response.push(['server_max_window_bits', String(serverBits)]);
  if (clientBitsAsked !== undefined && clientBits < 15)
    response.push(['client_max_window_bits', String(clientBits)]);
  return { params, response };
}

/**
 * Negotiates permessage-deflate over the client's offers (parsed with `parseExtensions`, or
 * `req.extensions` in `init`): the first acceptable `permessage-deflate` offer, or `undefined`.
 * `options` are checked and defaulted (a `TypeError` for a bad one).
 */
export function negotiateDeflate(
  offers: readonly ExtensionOffer[],
  options?: DeflateOptions | ResolvedDeflateOptions,
): NegotiatedDeflate | undefined {
  const resolved = resolveDeflateOptions(options);
  for (let i = 0; i < offers.length; i++) {
    const offer = offers[i]!;
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const accepted = acceptDeflateOffer(offer.params, resolved);
    if (accepted === undefined) continue;
    return {
      params: accepted.params,
      header: formatExtensions([{ name: PERMESSAGE_DEFLATE, params: accepted.response }]),
      offer: i,
      options: resolved,
    };
  }
  return undefined;
}
