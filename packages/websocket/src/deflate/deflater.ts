/**
 * Compression of sent messages (RFC 7692 §7.2.1) for one connection.
 *
 * A message is compressed raw and flushed with `Z_SYNC_FLUSH`, so the output ends with an
 * empty stored block `00 00 ff ff`, which is stripped (§7.2.1: "Remove 4 octets (that are 0x00
 * 0x00 0xff 0xff) from the tail end"). An empty message compresses to the single octet `00`.
 *
 * Context takeover without a long-lived zlib stream: the history is the last
 * 2^serverMaxWindowBits bytes sent ({@link SlidingWindow}), and each message is compressed by
 * a fresh zlib context primed with (the end of) it as a dictionary. The peer's inflater holds
 * the same bytes, so every back-reference is valid; the server is free to use less of the
 * history than it may, or none (§7.1.1.1 only forbids using *more*). A message of `n` bytes
 * uses the last {@link dictionaryLength}`(n)` = max(4 KiB, n) bytes: priming a context, and
 * searching a longer history at high levels, costs time in proportion to the dictionary, while
 * nearly all the gain comes from the last few KiB, or from the previous message of the same
 * kind (measured in docs/decisions.md). With `server_no_context_takeover` there is no history at
 * all: every message is compressed on its own, which is the context reset the parameter asks
 * for.
 *
 * Messages up to {@link SYNC_DEFLATE_MAX_INPUT} bytes are compressed synchronously
 * (`deflateRawSync`: no thread-pool round trip, no promise); larger ones asynchronously through
 * the {@link ZlibLimiter}, so the event loop is not blocked for milliseconds.
 *
 * @example
 * ```ts
 * const deflater = new Deflater({ windowBits: 15, noContextTakeover: false, level: 9, memLevel: 8, strategy: 'default' });
 * deflater.deflate(Buffer.from('Hello')); // <Buffer f2 48 cd c9 c9 07 00>  (RFC 7692 §7.2.3.1)
 * deflater.deflate(Buffer.from('Hello')); // <Buffer f2 00 11 00 00>        (§7.2.3.2: from the history)
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import { constants, deflateRaw, deflateRawSync, type ZlibOptions } from 'node:zlib';
import { type DeflateStrategy, ZLIB_STRATEGY } from './deflate-options.js';
import { SlidingWindow } from './sliding-window.js';
import { type ZlibLimiter, zlibLimiter } from './zlib-limiter.js';

/** Messages up to this many bytes are compressed synchronously. */
export const SYNC_DEFLATE_MAX_INPUT = 16 * 1024;

/** The least history a message is compressed against, when there is that much. */
export const MIN_DICTIONARY = 4 * 1024;

/**
 * How much history (at most) a message of `n` bytes is compressed against: as much as the
 * message itself (a stream of similar snapshots finds the previous one), at least
 * {@link MIN_DICTIONARY}, at most the window.
 */
export function dictionaryLength(n: number): number {
  return Math.max(MIN_DICTIONARY, n);
}

/** How this direction was negotiated, and the zlib settings to compress with. */
export interface DeflaterParams {
  /** `server_max_window_bits`: 9-15. */
  readonly windowBits: number;
  /** `server_no_context_takeover`: every message stands alone. */
  readonly noContextTakeover: boolean;
  readonly level: number;
  readonly memLevel: number;
  readonly strategy: DeflateStrategy;
}

export class Deflater {
  private readonly window: SlidingWindow | undefined;
  private readonly level: number;
  private readonly memLevel: number;
  private readonly strategy: number;
  private readonly windowBits: number;
  private closed = false;

  constructor(
    params: DeflaterParams,
    private readonly limiter: ZlibLimiter = zlibLimiter,
  ) {
    this.window = params.noContextTakeover ? undefined : new SlidingWindow(params.windowBits);
    this.level = params.level;
    this.memLevel = params.memLevel;
    this.strategy = ZLIB_STRATEGY[params.strategy];
    this.windowBits = params.windowBits;
  }

  /** Bytes this deflater holds between messages (the history sent). */
  get retainedBytes(): number {
    return this.window?.allocated ?? 0;
  }

  /**
   * Compresses one message: its compressed payload, tail stripped, or a promise of it for a
   * large message. A zlib failure (a bug, not the peer's doing) throws or rejects.
   */
  deflate(data: Buffer): Buffer | Promise<Buffer> {
    if (data.length <= SYNC_DEFLATE_MAX_INPUT) {
      const out = deflateRawSync(data, this.zlibOptions(data.length));
      this.window?.append(data);
      return stripTail(out);
    }
    return new Promise((resolve, reject) => {
      this.limiter.run((done) => {
        if (this.closed) {
          done();
          resolve(EMPTY);
          return;
        }
        try {
          deflateRaw(data, this.zlibOptions(data.length), (error, out) => {
            done();
            if (error !== null) {
              reject(error);
              return;
            }
            if (!this.closed) this.window?.append(data);
            resolve(stripTail(out));
          });
        } catch (e) {
          done();
          reject(e);
        }
      });
    });
  }

  /**
   * Hibernate: forget the history. The next message is compressed without it (the peer does not
   * mind: using less history than allowed is always valid), and nothing stays allocated.
   */
  release(): void {
    this.window?.clear();
  }

  /** The connection is gone: a queued asynchronous job does no work. */
  close(): void {
    this.closed = true;
    this.window?.clear();
  }

  private zlibOptions(n: number): ZlibOptions {
    const options: ZlibOptions = {
      // Compressed output is rarely larger than the input (by a few bytes per 16 KiB stored):
      // an output chunk sized to the message, not zlib's 16 KiB, so a small message does not
      // allocate and pin 16 KiB.
      chunkSize: Math.min(16 * 1024, n + 64),
      finishFlush: constants.Z_SYNC_FLUSH,
      level: this.level,
      memLevel: this.memLevel,
      strategy: this.strategy,
      windowBits: this.windowBits,
    };
    const dictionary = this.window?.view(dictionaryLength(n));
    if (dictionary !== undefined) options.dictionary = dictionary;
    return options;
  }
}

const EMPTY = Buffer.alloc(0);

/** §7.2.1: drops the `00 00 ff ff` that `Z_SYNC_FLUSH` ends with. */
function stripTail(out: Buffer): Buffer {
  const n = out.length;
  if (n < 4 || out[n - 4] !== 0x00 || out[n - 3] !== 0x00 || out[n - 2] !== 0xff || out[n - 1] !== 0xff)
    throw new Error('zlib output does not end with an empty stored block (Z_SYNC_FLUSH)');
  return out.subarray(0, n - 4);
}
