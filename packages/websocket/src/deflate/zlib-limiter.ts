/**
 * A process-wide bound on zlib work running off the main thread, as `ws`'s `Limiter`: each
 * asynchronous inflate or deflate holds a zlib context (tens to hundreds of KiB of native memory)
 * and a libuv thread-pool slot while it runs. Thousands of connections compressing large
 * messages at once would otherwise allocate thousands of contexts and fill the pool that
 * `fs` and `dns` share; with the limiter at most {@link ZlibLimiter.concurrency} run, and the
 * rest wait in FIFO order, their inputs (already in memory) untouched.
 *
 * Only the asynchronous path goes through it: small messages are (de)compressed synchronously,
 * one at a time on the main thread, holding no context between calls (see `inflater.ts`).
 * The bound is per Node.js process because the thread pool and the memory are:
 * {@link zlibLimiter} is the instance every connection uses unless given another.
 *
 * @example
 * ```ts
 * import { zlibLimiter } from '@corral/websocket';
 *
 * zlibLimiter.concurrency = 4; // e.g. UV_THREADPOOL_SIZE
 * zlibLimiter.run((done) => zlib.deflateRaw(data, (err, out) => { done(); use(err, out); }));
 * ```
 *
 * @module
 */

/** A job: starts zlib work and calls `done` exactly once when it has finished. */
export type ZlibJob = (done: () => void) => void;

/** Default concurrency: `ws`'s `concurrencyLimit`. */
export const DEFAULT_ZLIB_CONCURRENCY = 10;

/** Runs at most `concurrency` jobs at a time; the others wait in arrival order. */
export class ZlibLimiter {
  private max: number;
  private active = 0;
  private peakActive = 0;
  private jobs: (ZlibJob | undefined)[] = [];
  private head = 0;

  constructor(concurrency = DEFAULT_ZLIB_CONCURRENCY) {
    this.max = check(concurrency);
  }

  /** How many jobs may run at once (≥ 1). Raising it starts waiting jobs at once. */
  get concurrency(): number {
    return this.max;
  }

  set concurrency(value: number) {
    this.max = check(value);
    this.drain();
  }

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.jobs.length - this.head;
  }

  /** The most jobs that ran at once since the start or {@link resetPeak} (for tests and monitoring). */
  get peak(): number {
    return this.peakActive;
  }

  /** Starts measuring {@link peak} again from the jobs running now. */
  resetPeak(): void {
    this.peakActive = this.active;
  }

  /**
   * Runs `job` now if a slot is free, else when one frees up. Jobs should not throw (ours turn
   * every zlib error into a result); one that does frees its slot and the error propagates.
   */
  run(job: ZlibJob): void {
    this.jobs.push(job);
    this.drain();
  }

  private done(): void {
    this.active--;
    this.drain();
  }

  private drain(): void {
    while (this.active < this.max && this.head < this.jobs.length) {
      const job = this.jobs[this.head]!;
      this.jobs[this.head++] = undefined;
      if (this.head === this.jobs.length) {
        this.jobs.length = 0;
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.jobs.length) {
        this.jobs = this.jobs.slice(this.head);
        this.head = 0;
      }
      this.active++;
      if (this.active > this.peakActive) this.peakActive = this.active;
      let called = false;
      const done = (): void => {
        // Exactly once, whatever the job does: a double call must not free someone else's slot.
        if (called) return;
        called = true;
        this.done();
      };
      try {
        job(done);
      } catch (e) {
        done();
        throw e;
      }
    }
  }
}

function check(n: number): number {
  if (!(Number.isInteger(n) && n >= 1))
    throw new RangeError(`zlib concurrency must be an integer >= 1, got ${n}`);
  return n;
}

/** The process-wide limiter every connection uses by default. */
export const zlibLimiter: ZlibLimiter = new ZlibLimiter();
