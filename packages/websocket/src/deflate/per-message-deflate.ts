/**
 * permessage-deflate on one connection: what the connection process calls to inflate a
 * received message and to encode a reply's frames (RFC 7692 §6, §7.2).
 *
 * Received: a data message whose first frame had RSV1 (the parser joins the fragments and
 * leaves the payload compressed) is inflated within `maxFrameSize`, then a text message is
 * checked to be UTF-8 (→ 1007), as the parser does for uncompressed ones. Uncompressed messages
 * on a compressed connection (RSV1 clear) never come here.
 *
 * Sent: each text or binary message of at least `threshold` bytes is compressed and goes out
 * as one frame with RSV1 set (§6: RSV1 marks the first frame of a compressed message; ours are
 * never fragmented); smaller ones, and every control frame (§6: "MUST NOT set the 'Per-Message
 * Compressed' bit of control frames"), go out as they are. `['deflate', false]` (Cowboy's
 * per-connection switch) sends the frames after it uncompressed, `['deflate', true]` resumes.
 *
 * Ordering: frames are queued in the order given. When a large message is compressed off the
 * main thread, {@link PerMessageDeflate.queueFrames} returns a promise and the frames after it
 * wait; the connection process is busy (its mailbox waits) until it settles, so nothing it
 * sends later, control frames included, can overtake them.
 *
 * @example
 * ```ts
 * const pmd = new PerMessageDeflate(negotiateDeflate(parseExtensions('permessage-deflate'), { threshold: 0 })!);
 * pmd.queueFrames([['text', 'Hello']], undefined, sink); // sink gets <c1 07 f2 48 cd c9 c9 07 00>
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import { isThenable } from '@corral/actor';
import { asBuffer, encodeFrameParts, encodeOutFrame } from '../codec/frame-serializer.js';
import { Opcode, type OutFrame } from '../codec/opcodes.js';
import { ProtocolError, protocolError } from '../codec/protocol-error.js';
import { isValidUtf8 } from '../codec/utf8-validator.js';
import { Deflater } from './deflater.js';
import { type InflateResult, Inflater } from './inflater.js';
import type { NegotiatedDeflate } from './negotiate.js';
import { type ZlibLimiter, zlibLimiter } from './zlib-limiter.js';

/** Where encoded frames go (the connection's output queue). */
export interface ByteSink {
  queueBuffer(buf: Buffer): void;
}

/** A `['deflate', on]` command, and the index of the first frame of its result it applies to. */
export interface DeflateToggle {
  readonly at: number;
  readonly on: boolean;
}

const RSV1 = { rsv1: true } as const;

// A frame of a reply, ready to queue: encoded bytes, or a message to compress first.
type Prepared = Buffer[] | { readonly opcode: Opcode; readonly bytes: Buffer };

export class PerMessageDeflate {
  /** Cowboy's per-connection switch: whether data messages are compressed now. */
  enabled = true;
  /** Messages of fewer bytes are sent uncompressed. */
  readonly threshold: number;
  readonly inflater: Inflater;
  readonly deflater: Deflater;

  constructor(
    readonly negotiated: NegotiatedDeflate,
    limiter: ZlibLimiter = zlibLimiter,
  ) {
    const { params, options } = negotiated;
    this.threshold = options.threshold;
    this.inflater = new Inflater(
      { windowBits: params.clientMaxWindowBits, noContextTakeover: params.clientNoContextTakeover },
      limiter,
    );
    this.deflater = new Deflater(
      {
        windowBits: params.serverMaxWindowBits,
        noContextTakeover: params.serverNoContextTakeover,
        level: options.level,
        memLevel: options.memLevel,
        strategy: options.strategy,
      },
      limiter,
    );
  }

  /** Bytes held between messages: the histories of both directions. */
  get retainedBytes(): number {
    return this.inflater.retainedBytes + this.deflater.retainedBytes;
  }

  /**
   * Inflates a received compressed message within `limit` bytes and, for text when
   * `validateUtf8`, checks it is UTF-8: the message's bytes, the protocol error that closes the
   * connection, or a promise of either (large messages).
   */
  inflateMessage(
    type: 'text' | 'binary',
    payload: Buffer,
    limit: number,
    validateUtf8: boolean,
  ): InflateResult | Promise<InflateResult> {
    const result = this.inflater.inflate(payload, limit);
    if (type === 'binary' || !validateUtf8) return result;
    return isThenable(result) ? result.then(checkText) : checkText(result);
  }

  /**
   * Encodes `frames` into `out` in order, compressing the data messages that qualify;
   * `toggles` are the `['deflate', on]` commands among them. Returns a promise when a message is
   * compressed asynchronously (the frames after it are queued when it settles). Throws a
   * `TypeError` / `RangeError` for an invalid frame before queueing anything.
   */
  queueFrames(
    frames: readonly OutFrame[],
    toggles: readonly DeflateToggle[] | undefined,
    out: ByteSink,
  ): void | Promise<void> {
    if (frames.length === 1 && toggles === undefined) {
      const one = this.prepare(frames[0]!);
      return Array.isArray(one) ? queueAll(one, out) : this.compress(one.opcode, one.bytes, out);
    }
    // First prepare every frame (toggles applied in place), so a bad frame throws before any is queued.
    const prepared: Prepared[] = new Array(frames.length);
    let t = 0;
    for (let i = 0; i < frames.length; i++) {
      while (toggles !== undefined && t < toggles.length && toggles[t]!.at <= i)
        this.enabled = toggles[t++]!.on;
      prepared[i] = this.prepare(frames[i]!);
    }
    while (toggles !== undefined && t < toggles.length) this.enabled = toggles[t++]!.on;
    return this.queuePrepared(prepared, 0, out);
  }

  /** Hibernate: drop the history we send from, trim the one we inflate with. */
  hibernate(): void {
    this.inflater.release();
    this.deflater.release();
  }

  /** The connection is gone: asynchronous work still queued does nothing; histories are dropped. */
  close(): void {
    this.inflater.close();
    this.deflater.close();
  }

  private queuePrepared(prepared: readonly Prepared[], from: number, out: ByteSink): void | Promise<void> {
    for (let i = from; i < prepared.length; i++) {
      const p = prepared[i]!;
      if (Array.isArray(p)) {
        queueAll(p, out);
        continue;
      }
      const queued = this.compress(p.opcode, p.bytes, out);
      if (queued !== undefined) return queued.then(() => this.queuePrepared(prepared, i + 1, out));
    }
    return undefined;
  }

  /** A compressed message goes out as one frame with RSV1 (§6), its payload without the tail. */
  private compress(opcode: Opcode, bytes: Buffer, out: ByteSink): void | Promise<void> {
    const compressed = this.deflater.deflate(bytes);
    if (!isThenable(compressed)) {
      queueAll(encodeFrameParts(opcode, compressed, RSV1), out);
      return undefined;
    }
    return compressed.then((c) => queueAll(encodeFrameParts(opcode, c, RSV1), out));
  }

  /** A frame as bytes, or the message to compress: text and binary of `threshold` bytes and more, while enabled. */
  private prepare(frame: OutFrame): Prepared {
    if (!this.enabled || typeof frame !== 'object') return encodeOutFrame(frame);
    const type = frame[0];
    if (type !== 'text' && type !== 'binary') return encodeOutFrame(frame);
    const opcode = type === 'text' ? Opcode.Text : Opcode.Binary;
    const payload: unknown = frame[1];
    let bytes: Buffer;
    if (typeof payload === 'string') {
      // A UTF-8 encoding has at most 3 bytes per UTF-16 unit: a short string is below the threshold.
      if (payload.length * 3 < this.threshold) return encodeOutFrame(frame);
      bytes = Buffer.from(payload, 'utf8');
    } else if (payload instanceof Uint8Array) {
      bytes = asBuffer(payload);
    } else {
      return encodeOutFrame(frame); // throws the codec's TypeError
    }
    if (bytes.length < this.threshold) return encodeFrameParts(opcode, bytes);
    return { opcode, bytes };
  }
}

function queueAll(buffers: readonly Buffer[], out: ByteSink): void {
  for (let i = 0; i < buffers.length; i++) out.queueBuffer(buffers[i]!);
}

function checkText(result: InflateResult): InflateResult {
  if (result instanceof ProtocolError || isValidUtf8(result)) return result;
  // §8.1 applies to the inflated text (RFC 7692 §6.1: the payload after decompression is the message).
  return protocolError('WS_ERR_INVALID_UTF8', 'in a compressed message');
}
