import { Buffer } from 'node:buffer';
import { asBuffer, COPY_THRESHOLD, frameHeaderLength, writeFrameHeader } from '../codec/frame-serializer.js';
import type { OutFrame } from '../codec/opcodes.js';
import { utf8Length, writeUtf8 } from '../codec/text.js';

/**
 * A connection's bytes waiting for the end-of-turn write, encoded into a slab shared by every
 * connection: the replies to a chunk of 16 small frames are 16 frames written back to back into
 * one slab segment, which leaves as one buffer. No buffer per reply, no concat at flush.
 *
 * The slab is only ever appended to: bytes handed to a socket are never written again (a full
 * slab is replaced, not reused; the views the sockets hold keep it alive), as with Node's own
 * Buffer pool. The connection whose frames sit at the slab's end owns the open segment; when
 * another connection writes, the owner's segment becomes a view in its part list first, so
 * each connection's bytes stay in order. Large byte payloads (`COPY_THRESHOLD` and up) are
 * queued by reference after their header, never copied.
 *
 * A base class rather than a field so a connection stays one object (memory per idle
 * connection); it holds two fields until something is queued.
 */
export class OutputQueue {
  /** Sealed parts, in order, without the open segment (which is in the slab from `openStart`). */
  private outParts: Buffer[] | undefined = undefined;
  /** Bytes queued and not yet taken, the open segment included. */
  outBytes = 0;

  /** Queues a frame whose payload is a string (UTF-8 encoded here); `b0` is its first header byte. */
  queueText(b0: number, text: string): void {
    const chars = text.length;
    // Up to 41 UTF-16 units take at most 123 bytes: a 2-byte header whatever they encode to,
    // so the payload is written first and its length after, in one pass over the string.
    if (chars <= 41) {
      const at = this.reserve(2 + 3 * chars);
      const n = writeUtf8(slab, at + 2, text);
      slab[at] = b0;
      slab[at + 1] = n;
      this.commit(2 + n);
      return;
    }
    const n = utf8Length(text);
    const h = frameHeaderLength(n, false);
    const at = this.reserve(h + n);
    writeFrameHeader(slab, at, b0, n);
    writeUtf8(slab, at + h, text);
    this.commit(h + n);
  }

  /** Queues a frame whose payload is bytes: copied when small, by reference when large. */
  queueBytes(b0: number, payload: Uint8Array): void {
    const n = payload.length;
    const h = frameHeaderLength(n, false);
    if (n >= COPY_THRESHOLD) {
      const at = this.reserve(h); // first: it may replace the slab
      writeFrameHeader(slab, at, b0, n);
      this.commit(h);
      this.queueBuffer(asBuffer(payload));
      return;
    }
    const at = this.reserve(h + n);
    writeFrameHeader(slab, at, b0, n);
    if (n > 0) slab.set(payload, at + h);
    this.commit(h + n);
  }

  /**
   * Queues a reply's text or binary frame (`['text', string]`, `['binary', bytes]`); returns
   * false, queueing nothing, for any other frame (the caller's general encoder takes it).
   */
  queueDataFrame(frame: OutFrame): boolean {
    if (typeof frame !== 'object') return false;
    const type = frame[0];
    const b0 = type === 'text' ? 0x81 : type === 'binary' ? 0x82 : 0;
    if (b0 === 0) return false;
    const payload: unknown = frame[1];
    if (typeof payload === 'string') this.queueText(b0, payload);
    else if (payload instanceof Uint8Array) this.queueBytes(b0, payload);
    else return false;
    return true;
  }

  /** Queues encoded bytes as they are (by reference: do not change them until written). */
  queueBuffer(buf: Buffer): void {
    if (owner === this) seal();
    const first = this.outBytes === 0;
    (this.outParts ??= []).push(buf);
    this.outBytes += buf.length;
    if (first) this.queued();
  }

  /** Called when this connection's queue goes from empty to not empty (to schedule a write). */
  protected queued(): void {}

  /** Everything queued, in order, and empties the queue; `undefined` when nothing is. */
  takeOutput(): Buffer[] | undefined {
    if (owner === this) seal();
    const parts = this.outParts;
    this.outParts = undefined;
    this.outBytes = 0;
    return parts;
  }

  /** Makes room for `n` bytes at the end of this connection's segment; returns where they go in `slab`. */
  private reserve(n: number): number {
    if (owner !== this) {
      if (owner !== undefined) seal();
      owner = this;
      openStart = slabEnd;
    }
    if (slabEnd + n > slab.length) {
      seal();
      slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
      slabEnd = 0;
      openStart = 0;
      owner = this;
    }
    return slabEnd;
  }

  /** The `n` bytes at the end of this connection's segment are written. */
  private commit(n: number): void {
    const first = this.outBytes === 0;
    slabEnd += n;
    this.outBytes += n;
    if (first) this.queued();
  }

  /** @internal For `seal`: appends the owner's open segment to its parts. */
  addPart(buf: Buffer): void {
    (this.outParts ??= []).push(buf);
  }
}

/** @internal Bytes of a slab (exported for tests). */
export const SLAB_SIZE = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabEnd = 0;
/** The queue whose bytes end the slab, and where they start. */
let owner: OutputQueue | undefined;
let openStart = 0;

/** Turns the owner's open segment into a part of its own (a view), so another may write. */
function seal(): void {
  const q = owner;
  owner = undefined;
  if (q === undefined || slabEnd === openStart) return;
  q.addPart(slab.subarray(openStart, slabEnd));
  openStart = slabEnd;
}
