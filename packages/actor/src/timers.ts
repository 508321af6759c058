import type { Clock } from './clock.js';
import type { Dest, Ref } from './pid.js';

/** One pending timer. */
export interface TimerEntry {
  handle: unknown;
  at: number;
  dest: Dest;
  msg: unknown;
  /** The process whose exit cancels this timer (timers to a pid die with it). */
  owner: { timers: Set<Ref> | undefined } | undefined;
}

/**
 * `sendAfter` / `startTimer` / `cancelTimer` on the node's clock. A timer addressed to a
 * pid is cancelled when that process exits (Erlang: "the timer is automatically canceled
 * if the process referred to by the pid is not alive, or if the process exits").
 */
export class Timers {
  private readonly entries = new Map<Ref, TimerEntry>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.entries.size;
  }

  add(
    ref: Ref,
    ms: number,
    dest: Dest,
    msg: unknown,
    owner: TimerEntry['owner'],
    fire: (e: TimerEntry) => void,
  ): void {
    const entry: TimerEntry = { handle: undefined, at: this.clock.now() + ms, dest, msg, owner };
    entry.handle = this.clock.setTimeout(() => {
      this.entries.delete(ref);
      entry.owner?.timers?.delete(ref);
      fire(entry);
    }, ms);
    this.entries.set(ref, entry);
    if (owner !== undefined) (owner.timers ??= new Set()).add(ref);
  }

  /** Cancels a pending timer: the milliseconds it had left, or false if it had fired or is unknown. */
  cancel(ref: Ref): number | false {
    const entry = this.entries.get(ref);
    if (entry === undefined) return false;
    this.entries.delete(ref);
    entry.owner?.timers?.delete(ref);
    this.clock.clearTimeout(entry.handle);
    return Math.max(0, entry.at - this.clock.now());
  }

  /** Milliseconds left on a pending timer, or false (Erlang's `read_timer`). */
  read(ref: Ref): number | false {
    const entry = this.entries.get(ref);
    return entry === undefined ? false : Math.max(0, entry.at - this.clock.now());
  }

  /** Cancels every timer in `refs` (a process exiting). */
  cancelAll(refs: Set<Ref>): void {
    for (const ref of refs) {
      const entry = this.entries.get(ref);
      if (entry === undefined) continue;
      this.entries.delete(ref);
      this.clock.clearTimeout(entry.handle);
    }
    refs.clear();
  }
}
