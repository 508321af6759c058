import { Buffer } from 'node:buffer';

/**
 * The LZ77 history of one direction of a permessage-deflate connection: the last `size` bytes
 * of uncompressed data (size = 2^windowBits), which is all that "context takeover" carries from
 * one message to the next (RFC 7692 §7.1.1). Instead of keeping a zlib stream alive per
 * connection (a deflate context is ~256 KiB of native memory at the defaults), each message is
 * (de)compressed by a short-lived zlib context primed with this history as its dictionary
 * (`deflateSetDictionary` / `inflateSetDictionary`), which produces and accepts exactly the
 * back-references a long-lived stream would. An idle connection then holds these bytes and
 * nothing else (see docs/decisions.md).
 *
 * Appending is amortised O(1) per byte: the buffer grows (doubling, from 1 KiB) up to the window
 * plus a quarter, and when full the history slides to its start, which copies at most `size`
 * bytes once per `size / 4` appended. {@link SlidingWindow.compact} trims it to exactly what is
 * kept (hibernate).
 *
 * @example
 * ```ts
 * const w = new SlidingWindow(15);
 * w.append(Buffer.from('Hello'));
 * w.view(); // <Buffer 48 65 6c 6c 6f>, valid until the next append
 * ```
 *
 * @module
 */

const MIN_CAPACITY = 1024;

export class SlidingWindow {
  /** Bytes of history kept: 2^windowBits. */
  readonly size: number;
  /** The most the buffer grows to: the history plus room to append without sliding every time. */
  private readonly maxCapacity: number;
  private buffer: Buffer | undefined = undefined;
  private length = 0;

  constructor(windowBits: number) {
    this.size = 1 << windowBits;
    this.maxCapacity = this.size + (this.size >> 2);
  }

  /** Bytes of history held (≤ {@link size}). */
  get held(): number {
    return Math.min(this.length, this.size);
  }

  /** Bytes allocated for the history (what an idle connection pays). */
  get allocated(): number {
    return this.buffer?.length ?? 0;
  }

  /**
   * The last `max` (default: all) bytes of history, or `undefined` when there are none: a view
   * into the buffer, valid until the next {@link append}, {@link compact} or {@link clear}.
   */
  view(max = this.size): Buffer | undefined {
    const n = Math.min(this.length, this.size, max);
    if (n === 0) return undefined;
    return this.buffer!.subarray(this.length - n, this.length);
  }

  /** Adds `data` at the end of the history, dropping what falls out of the window. */
  append(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    const size = this.size;
    if (n >= size) {
      // The new data alone fills the window.
      this.ensureCapacity(size, 0);
      this.buffer!.set(data.subarray(n - size), 0);
      this.length = size;
      return;
    }
    const needed = this.length + n;
    const buffer = this.buffer;
    if (buffer !== undefined && needed <= buffer.length) {
      buffer.set(data, this.length);
      this.length = needed;
      return;
    }
    if (needed <= this.maxCapacity) {
      this.ensureCapacity(needed, this.length);
    } else {
      // Full: keep the last (size - n) bytes, so with `data` the window is exactly full.
      const keep = size - n;
      if (buffer!.length >= size) {
        buffer!.copy(buffer!, 0, this.length - keep, this.length);
      } else {
        const grown = Buffer.allocUnsafeSlow(this.maxCapacity);
        buffer!.copy(grown, 0, this.length - keep, this.length);
        this.buffer = grown;
      }
      this.length = keep;
    }
    this.buffer!.set(data, this.length);
    this.length += n;
  }

  /** Trims the buffer to exactly the history kept (hibernate): at most `size` bytes stay allocated. */
  compact(): void {
    const n = this.held;
    if (n === 0) {
      this.clear();
      return;
    }
    if (this.buffer!.length === n) return;
    const exact = Buffer.allocUnsafeSlow(n);
    this.buffer!.copy(exact, 0, this.length - n, this.length);
    this.buffer = exact;
    this.length = n;
  }

  /** Forgets the history (a context reset) and frees the buffer. */
  clear(): void {
    this.buffer = undefined;
    this.length = 0;
  }

  /** Makes room for `needed` bytes, keeping the first `keep` bytes of the buffer. */
  private ensureCapacity(needed: number, keep: number): void {
    const current = this.buffer;
    if (current !== undefined && current.length >= needed) return;
    let capacity = Math.max(MIN_CAPACITY, current?.length ?? 0);
    while (capacity < needed) capacity *= 2;
    capacity = Math.min(capacity, this.maxCapacity);
    // Not from the shared pool: this buffer lives as long as the connection.
    const grown = Buffer.allocUnsafeSlow(capacity);
    if (current !== undefined && keep > 0) current.copy(grown, 0, 0, keep);
    this.buffer = grown;
  }
}
