/**
 * The run queue. Processes with work wait here in FIFO order; each turn a process may
 * handle at most {@link REDUCTIONS_PER_TURN} messages before it goes to the back of the
 * queue (Erlang's reduction budget), and after {@link REDUCTIONS_PER_SLICE} in one event
 * loop turn the scheduler yields with `setImmediate`, so sockets and timers are never
 * starved by busy processes. Within a slice, draining starts from a microtask, so a
 * message sent from an I/O callback is handled before the next I/O poll.
 */
export const REDUCTIONS_PER_TURN = 2_000;
export const REDUCTIONS_PER_SLICE = 50_000;

/** What the scheduler needs of a process. */
export interface Runnable {
  /** Runs up to `budget` reductions; returns how many it used. Leaves `queued` false, or requeues itself by returning with `wantsMore()` true. */
  run(budget: number): number;
  /** True when the process is alive, not blocked, and still has work after its turn. */
  wantsMore(): boolean;
}

export class Scheduler {
  private queue: (Runnable | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private draining = false;
  private resetPending = false;
  /** Reductions used since the event loop last turned. */
  sliceUsed = 0;
  private readonly drainBound = (): void => this.drain();
  private readonly resetBound = (): void => {
    this.resetPending = false;
    this.sliceUsed = 0;
  };

  /** Number of processes waiting to run. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** True while this turn's budget lasts; a receive-loop process checks it before resolving at once. */
  hasBudget(): boolean {
    return this.sliceUsed < REDUCTIONS_PER_SLICE;
  }

  enqueue(p: Runnable): void {
    this.queue.push(p);
    if (!this.scheduled && !this.draining) this.schedule();
  }

  private schedule(): void {
    this.scheduled = true;
    if (this.sliceUsed < REDUCTIONS_PER_SLICE) queueMicrotask(this.drainBound);
    else setImmediate(this.drainFromMacrotask);
  }

  private readonly drainFromMacrotask = (): void => {
    this.sliceUsed = 0;
    this.drain();
  };

  private drain(): void {
    this.scheduled = false;
    this.draining = true;
    if (!this.resetPending) {
      this.resetPending = true;
      setImmediate(this.resetBound);
    }
    const queue = this.queue;
    try {
      while (this.head < queue.length && this.sliceUsed < REDUCTIONS_PER_SLICE) {
        const p = queue[this.head]!;
        queue[this.head++] = undefined;
        this.sliceUsed += p.run(REDUCTIONS_PER_TURN);
        if (p.wantsMore()) queue.push(p);
      }
    } finally {
      if (this.head === queue.length) {
        queue.length = 0;
        this.head = 0;
      } else if (this.head > 4096) {
        this.queue = queue.slice(this.head);
        this.head = 0;
      }
      this.draining = false;
    }
    if (this.head < this.queue.length) this.schedule();
  }
}
