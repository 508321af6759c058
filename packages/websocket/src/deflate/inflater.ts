/**
 * Decompression of received messages (RFC 7692 §7.2.2) for one connection, with the inflated
 * size bounded while inflating.
 *
 * A message is its compressed payload with `00 00 ff ff` appended (§7.2.2: the tail the sender
 * stripped), inflated raw. With context takeover, the history is the last 2^clientMaxWindowBits
 * bytes of earlier messages ({@link SlidingWindow}), given to a fresh zlib context as its
 * dictionary; with `client_no_context_takeover` there is none, and nothing is kept between
 * messages. No zlib context outlives a call.
 *
 * Two paths, chosen per message:
 * - **synchronous** (`inflateRawSync`) when the compressed payload is at most
 *   {@link SYNC_INFLATE_MAX_INPUT} bytes: no thread-pool round trip, no promise; the output is
 *   capped at `min(limit, SYNC_INFLATE_MAX_OUTPUT)` by zlib's `maxOutputLength`, which is
 *   checked after every output chunk (16 KiB at most), so a bomb stops there. A message
 *   legitimately larger than that cap (but within `limit`) is inflated again on the asynchronous
 *   path: the window was not touched, so the retry starts from the same history.
 * - **asynchronous** (`zlib.inflateRaw` through the {@link ZlibLimiter}) otherwise, its output
 *   capped at `limit` the same way.
 *
 * Either way a message that would inflate past `limit` (the connection's `maxFrameSize`) is a
 * `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH` (1009) found at the limit, never after allocating the
 * whole output: a 1 MB frame that would inflate to 1 GiB (DEFLATE's ratio is at most about
 * 1:1000) costs `limit` bytes and stops. Data zlib cannot inflate is a
 * `WS_ERR_INVALID_COMPRESSED_DATA` (1007).
 *
 * @example
 * ```ts
 * const inflater = new Inflater({ windowBits: 15, noContextTakeover: false });
 * inflater.inflate(Buffer.from('f248cdc9c90700', 'hex'), 1_000_000); // <Buffer 48 65 6c 6c 6f> "Hello"
 * inflater.inflate(Buffer.from('f200110000', 'hex'), 1_000_000); // "Hello" again, from the history
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import { constants, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { type ProtocolError, protocolError } from '../codec/protocol-error.js';
import { SlidingWindow } from './sliding-window.js';
import { type ZlibLimiter, zlibLimiter } from './zlib-limiter.js';

/** Compressed payloads up to this many bytes are inflated synchronously. */
export const SYNC_INFLATE_MAX_INPUT = 64 * 1024;
/** The synchronous path stops at this much output and hands the message to the asynchronous one. */
export const SYNC_INFLATE_MAX_OUTPUT = 256 * 1024;

/** RFC 7692 §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message." */
export const DEFLATE_TAIL: Buffer = Buffer.from([0x00, 0x00, 0xff, 0xff]);

// A larger output chunk on the asynchronous path: one thread-pool round trip per chunk.
const ASYNC_CHUNK = 64 * 1024;

/**
 * The output chunk of a synchronous inflate: zlib's default is 16 KiB whatever the message, and
 * the message is a view into it (a small binary message kept by a handler would pin 16 KiB, and
 * thousands of such chunks per second fragment the allocator). Text compresses to between a
 * fifth and a tenth, so 8× the input fits most messages in one chunk; more output takes more
 * chunks, joined at the end.
 */
function syncChunk(inputLength: number): number {
  return Math.min(16 * 1024, Math.max(1024, inputLength * 8));
}

/** What {@link Inflater.inflate} gives: the message's bytes, or why the connection must close. */
export type InflateResult = Buffer | ProtocolError;

/** How one direction was negotiated: the client's window, and whether it keeps it between messages. */
export interface InflaterParams {
  /** `client_max_window_bits`: 8-15. */
  readonly windowBits: number;
  /** `client_no_context_takeover`: every message stands alone. */
  readonly noContextTakeover: boolean;
}

export class Inflater {
  private readonly window: SlidingWindow | undefined;
  private closed = false;

  constructor(
    params: InflaterParams,
    private readonly limiter: ZlibLimiter = zlibLimiter,
  ) {
    this.window = params.noContextTakeover ? undefined : new SlidingWindow(params.windowBits);
  }

  /** Bytes this inflater holds between messages (the client's history). */
  get retainedBytes(): number {
    return this.window?.allocated ?? 0;
  }

  /**
   * Inflates one message's payload (fragments already joined, tail not appended) to at most
   * `limit` bytes: the bytes, a protocol error, or a promise of either for a large message.
   */
  inflate(data: Buffer, limit: number): InflateResult | Promise<InflateResult> {
    const input = data.length === 0 ? DEFLATE_TAIL : Buffer.concat([data, DEFLATE_TAIL], data.length + 4);
    if (data.length <= SYNC_INFLATE_MAX_INPUT) {
      const cap = Math.min(limit, SYNC_INFLATE_MAX_OUTPUT);
      let out: Buffer;
      try {
        out = inflateRawSync(input, this.zlibOptions(cap, syncChunk(input.length)));
      } catch (e) {
        if (!isTooLarge(e)) return invalidData(e);
        if (cap >= limit) return tooLarge(limit);
        return this.inflateAsync(input, limit);
      }
      return this.accept(out, limit);
    }
    return this.inflateAsync(input, limit);
  }

  /** Hibernate: the history must stay (the client may refer to it), but trimmed to its size. */
  release(): void {
    this.window?.compact();
  }

  /** The connection is gone: drop the history; a queued asynchronous job does no work. */
  close(): void {
    this.closed = true;
    this.window?.clear();
  }

  private inflateAsync(input: Buffer, limit: number): Promise<InflateResult> {
    return new Promise((resolve) => {
      this.limiter.run((done) => {
        if (this.closed) {
          done();
          resolve(CLOSED);
          return;
        }
        try {
          inflateRaw(input, this.zlibOptions(limit, ASYNC_CHUNK), (error, out) => {
            done();
            if (error !== null) resolve(isTooLarge(error) ? tooLarge(limit) : invalidData(error));
            else resolve(this.closed ? CLOSED : this.accept(out, limit));
          });
        } catch (e) {
          done();
          resolve(invalidData(e));
        }
      });
    });
  }

  private zlibOptions(cap: number, chunkSize: number): ZlibOptions {
    const options: ZlibOptions = {
      chunkSize,
      finishFlush: constants.Z_SYNC_FLUSH,
      // zlib's own limit is "more than this" and must be ≥ 1; a limit of 0 is checked in accept.
      maxOutputLength: Math.max(1, cap),
      // The largest window: it inflates data made with any smaller one.
      windowBits: 15,
    };
    const dictionary = this.window?.view();
    if (dictionary !== undefined) options.dictionary = dictionary;
    return options;
  }

  private accept(out: Buffer, limit: number): InflateResult {
    if (out.length > limit) return tooLarge(limit);
    this.window?.append(out);
    return out;
  }
}

/** What a job resolves with when the connection closed while it waited (the connection ignores it). */
const CLOSED = Buffer.alloc(0);

function isTooLarge(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

function tooLarge(limit: number): ProtocolError {
  return protocolError(
    'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    `the message inflates to more than ${limit} bytes`,
  );
}

function invalidData(e: unknown): ProtocolError {
  const code = (e as { code?: unknown } | null)?.code;
  return protocolError('WS_ERR_INVALID_COMPRESSED_DATA', typeof code === 'string' ? code : String(e));
}
