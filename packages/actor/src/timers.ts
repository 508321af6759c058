import type { Clock } from './clock.js';
import type { Dest, Ref } from './pid.js';

/** One pending timer. */
export interface TimerEntry {
  handle: unknown;
  at: number;
  dest: Dest;
  msg: unknown;
  /** The process whose exit cancels this timer (timers to a pid die with it). */
  owner: TimerOwner | undefined;
}

/**
 * A process as a timer target (its `ProcExtra`): the timers addressed to it, each with the
 * node's `Timers` that holds it (a node may set a timer to another node's pid, and the target's
 * exit must cancel it there).
 */
export interface TimerOwner {
  timers: Map<Ref, Timers> | undefined;
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
    if (owner !== undefined) (owner.timers ??= new Map()).set(ref, this);
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

  /** Cancels every timer addressed to `owner` (a process exiting), on whichever node set it. */
  static cancelOwned(owner: TimerOwner): void {
    const owned = owner.timers;
    if (owned === undefined) return;
    owner.timers = undefined;
    for (const [ref, timers] of owned) {
      const entry = timers.entries.get(ref);
      if (entry === undefined) continue;
      timers.entries.delete(ref);
      timers.clock.clearTimeout(entry.handle);
    }
  }

  /** Cancels every pending timer (node shutdown), those addressed to names included. */
  clear(): void {
    for (const [ref, entry] of this.entries) {
      entry.owner?.timers?.delete(ref);
      this.clock.clearTimeout(entry.handle);
    }
    this.entries.clear();
  }
}
