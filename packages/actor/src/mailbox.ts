/**
 * The backing array of every empty mailbox. Never written to: `push` replaces it with an array of
 * its own, and an emptied mailbox goes back to it, so an idle process holds no array at all (most
 * processes of a server wait idle: ten thousand connections would hold 320 KB of empty arrays).
 */
const EMPTY: never[] = [];

/**
 * A FIFO message queue: an array with a moving head, so a push and a shift allocate nothing
 * beyond the array's own growth. Selective receive removes from the middle (rare path).
 */
export class Mailbox<T = unknown> {
  private items: (T | undefined)[] = EMPTY;
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.items === EMPTY) this.items = [item];
    else this.items.push(item);
  }

  /** Removes and returns the oldest message; undefined when empty (check `length` first when messages may be undefined). */
  shift(): T | undefined {
    const items = this.items;
    if (this.head >= items.length) return undefined;
    const item = items[this.head];
    items[this.head++] = undefined;
    if (this.head === items.length) {
      this.items = EMPTY;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return item as T;
  }

  /** The message at position `i` (0 = oldest). */
  at(i: number): T {
    return this.items[this.head + i] as T;
  }

  /** Removes the message at position `i` (selective receive). */
  removeAt(i: number): T {
    if (i === 0) return this.shift() as T;
    // i > 0 is a valid position, so `items` holds at least two messages: it is not EMPTY.
    const [item] = this.items.splice(this.head + i, 1);
    return item as T;
  }

  /** Index of the first message at or after `from` for which `pred` holds, or -1. */
  findIndex(pred: (m: T) => boolean, from = 0): number {
    const n = this.length;
    for (let i = from; i < n; i++) if (pred(this.items[this.head + i] as T)) return i;
    return -1;
  }

  /** Removes every message for which `pred` holds; returns how many. */
  removeAll(pred: (m: T) => boolean): number {
    const kept: (T | undefined)[] = [];
    let removed = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const m = this.items[i] as T;
      if (pred(m)) removed++;
      else kept.push(m);
    }
    this.items = kept.length === 0 ? EMPTY : kept;
    this.head = 0;
    return removed;
  }

  /** Drops every message. */
  clear(): void {
    this.items = EMPTY;
    this.head = 0;
  }

  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }

  /** Drops the backing array's spare capacity (hibernate). */
  compact(): void {
    this.items = this.length === 0 ? EMPTY : this.items.slice(this.head);
    this.head = 0;
  }
}
