/**
 * permessage-deflate (RFC 7692) on `node:zlib`: negotiation, per-message compression with
 * limits, and the process-wide bound on zlib work.
 *
 * @module
 */

export {
  DEFAULT_DEFLATE_OPTIONS,
  type DeflateOptions,
  type DeflateStrategy,
  type ResolvedDeflateOptions,
  resolveDeflateOptions,
  ZLIB_STRATEGY,
} from './deflate-options.js';
export {
  Deflater,
  type DeflaterParams,
  dictionaryLength,
  MIN_DICTIONARY,
  SYNC_DEFLATE_MAX_INPUT,
} from './deflater.js';
export {
  DEFLATE_TAIL,
  type InflateResult,
  Inflater,
  type InflaterParams,
  SYNC_INFLATE_MAX_INPUT,
  SYNC_INFLATE_MAX_OUTPUT,
} from './inflater.js';
export {
  acceptDeflateOffer,
  type DeflateParams,
  MIN_DEFLATE_WINDOW_BITS,
  type NegotiatedDeflate,
  negotiateDeflate,
  PERMESSAGE_DEFLATE,
} from './negotiate.js';
export { type ByteSink, type DeflateToggle, PerMessageDeflate } from './per-message-deflate.js';
export { SlidingWindow } from './sliding-window.js';
export { DEFAULT_ZLIB_CONCURRENCY, type ZlibJob, ZlibLimiter, zlibLimiter } from './zlib-limiter.js';
