/**
 * permessage-deflate settings (RFC 7692): Cowboy's `deflate_opts()` in TypeScript, with every
 * default in one place, {@link DEFAULT_DEFLATE_OPTIONS}. A handler asks for compression with
 * `compress: true` and tunes it with `deflateOpts` (both in the options `init` returns, or a
 * listener's defaults).
 *
 * | Cowboy (`cow_ws:deflate_opts()`)        | here                          | default            |
 * | --------------------------------------- | ----------------------------- | ------------------ |
 * | `level`                                 | `level` (0-9)                 | 9 (`best_compression`) |
 * | `mem_level`                             | `memLevel` (1-9)              | 8                  |
 * | `strategy`                              | `strategy`                    | `'default'`        |
 * | `server_context_takeover`               | `serverContextTakeover`       | `true` (`takeover`) |
 * | `client_context_takeover`               | `clientContextTakeover`       | `true` (`takeover`) |
 * | `server_max_window_bits` (8-15)         | `serverMaxWindowBits` (9-15)  | 15                 |
 * | `client_max_window_bits` (8-15)         | `clientMaxWindowBits` (8-15)  | 15                 |
 * | —                                       | `threshold` (bytes)           | 1024               |
 *
 * `serverMaxWindowBits` stops at 9: zlib cannot compress with a 256-byte window (it silently uses
 * 512, which a client that asked for 256 could not inflate); Cowboy does the same substitution,
 * here it is refused instead. `threshold` is not Cowboy's: messages smaller than it are sent
 * uncompressed (as `ws`'s `threshold`, whose default it takes), since a few bytes gain nothing
 * and cost a zlib call.
 *
 * @example
 * ```ts
 * init: (req, s) => ['websocket', req, s, { compress: true, deflateOpts: { level: 6, serverContextTakeover: false } }]
 * resolveDeflateOptions({ level: 6 }).memLevel; // 8
 * ```
 *
 * @module
 */

import { constants } from 'node:zlib';

/** zlib's compression strategies (Cowboy's `zlib:zstrategy()`, plus `fixed`). */
export type DeflateStrategy = 'default' | 'filtered' | 'huffman_only' | 'rle' | 'fixed';

/** permessage-deflate options (Cowboy's `deflate_opts`); every field is optional. */
export interface DeflateOptions {
  /** zlib compression level, 0 (none) to 9 (best). Default 9, Cowboy's `best_compression`. */
  level?: number;
  /** zlib memory level, 1 to 9: memory for the compression state against speed. Default 8. */
  memLevel?: number;
  /** zlib strategy. Default `'default'`. */
  strategy?: DeflateStrategy;
  /**
   * Whether the server may carry its compression context from one message to the next (better
   * ratio, a window kept per connection). `false` answers `server_no_context_takeover`. A client
   * that asks for `server_no_context_takeover` gets it either way. Default `true`.
   */
  serverContextTakeover?: boolean;
  /**
   * Whether the client may carry its compression context over (then the server keeps the
   * client's window, up to 2^clientMaxWindowBits bytes, to inflate). `false` answers
   * `client_no_context_takeover`. Default `true`.
   */
  clientContextTakeover?: boolean;
  /** Largest LZ77 window the server compresses with, as bits (9-15: 512 B to 32 KiB). Default 15. */
  serverMaxWindowBits?: number;
  /**
   * Largest LZ77 window the client may compress with (8-15), which bounds the window the server
   * keeps for it. Below 15, an offer without `client_max_window_bits` (a client that cannot be
   * told) is declined. Default 15.
   */
  clientMaxWindowBits?: number;
  /** Messages of fewer bytes than this are sent uncompressed. 0 compresses everything. Default 1024. */
  threshold?: number;
}

/** Options with every default filled in. */
export type ResolvedDeflateOptions = Readonly<Required<DeflateOptions>>;

/** The defaults: Cowboy's (`cow_ws:init_permessage_deflate/3`), and `ws`'s threshold. */
export const DEFAULT_DEFLATE_OPTIONS: ResolvedDeflateOptions = Object.freeze({
  level: 9,
  memLevel: 8,
  strategy: 'default',
  serverContextTakeover: true,
  clientContextTakeover: true,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  threshold: 1024,
});

/** zlib's constant for each strategy name. */
export const ZLIB_STRATEGY: Readonly<Record<DeflateStrategy, number>> = Object.freeze({
  default: constants.Z_DEFAULT_STRATEGY,
  filtered: constants.Z_FILTERED,
  huffman_only: constants.Z_HUFFMAN_ONLY,
  rle: constants.Z_RLE,
  fixed: constants.Z_FIXED,
});

type Rule = (value: unknown) => string | undefined;

const integer =
  (min: number, max: number, why = ''): Rule =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `an integer from ${min} to ${max}${why}`;

const boolean: Rule = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');

const RULES: Record<keyof DeflateOptions, Rule> = {
  level: integer(0, 9),
  memLevel: integer(1, 9),
  strategy: (v) =>
    typeof v === 'string' && Object.hasOwn(ZLIB_STRATEGY, v)
      ? undefined
      : `one of ${Object.keys(ZLIB_STRATEGY).join(', ')}`,
  serverContextTakeover: boolean,
  clientContextTakeover: boolean,
  serverMaxWindowBits: integer(9, 15, ' (zlib cannot compress with a 256-byte window)'),
  clientMaxWindowBits: integer(8, 15),
  threshold: (v) => (typeof v === 'number' && v >= 0 && !Number.isNaN(v) ? undefined : 'a number >= 0'),
};

/**
 * Checks `opts` and fills in the defaults. Throws a `TypeError` naming the first bad option
 * (`where` prefixes the message); unknown keys are ignored, as Cowboy ignores them.
 */
export function resolveDeflateOptions(
  opts: DeflateOptions | undefined,
  where = 'deflateOpts',
): ResolvedDeflateOptions {
  if (opts === undefined) return DEFAULT_DEFLATE_OPTIONS;
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${where} must be an object`);
  const out: Required<DeflateOptions> = { ...DEFAULT_DEFLATE_OPTIONS };
  const target = out as Record<string, unknown>;
  for (const key of Object.keys(RULES) as (keyof DeflateOptions)[]) {
    const value: unknown = opts[key];
    if (value === undefined) continue;
    const wanted = RULES[key](value);
    if (wanted !== undefined) throw new TypeError(`${where}.${key} must be ${wanted}, got ${String(value)}`);
    target[key] = value;
  }
  return Object.freeze(out);
}
