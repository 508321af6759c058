import type { Clock } from '@corral/actor';

/**
 * Idle timeouts by ticks, shared: one timer per clock and timeout value ticks every `ms` for all
 * the connections that use that timeout, instead of a timer (and its closure) per connection.
 * A connection says whether it received anything since the last tick; one that did not for a
 * whole tick is told so. Like Cowboy's tick-based `idle_timeout`, a connection goes idle between
 * 1x and 2x the timeout after its last received byte; a connection that joins counts as having
 * just received something, so it is never judged on a tick shorter than `ms`.
 *
 * The list of connections is intrusive (links on the connection), so an idle connection costs
 * the ticker two fields and no object.
 */
export interface IdleWatched {
  /** @internal Links of the ticker's list. */
  idlePrev: IdleWatched | undefined;
  /** @internal */
  idleNext: IdleWatched | undefined;
  /** Something was received since the last tick. The ticker clears it at each tick. */
  rxSinceTick: boolean;
  /** A whole tick passed without anything received: the watcher is already removed. */
  onIdle(): void;
}

export class IdleTicker {
  private head: IdleWatched | undefined = undefined;
  private timer: unknown = undefined;

  constructor(
    private readonly clock: Clock,
    readonly ms: number,
    /** Called when the last watcher goes (the table of tickers forgets this one). */
    private readonly onEmpty: (t: IdleTicker) => void = () => {},
  ) {}

  /** Watches `w` from now on (as if it had just received something); no-op if it already is. */
  add(w: IdleWatched): void {
    w.rxSinceTick = true;
    if (this.head === w || w.idlePrev !== undefined) return;
    w.idlePrev = undefined;
    w.idleNext = this.head;
    if (this.head !== undefined) this.head.idlePrev = w;
    this.head = w;
    if (this.timer === undefined) this.arm();
  }

  /** Stops watching `w` (no-op if it is not watched here). */
  remove(w: IdleWatched): void {
    if (w.idlePrev === undefined && this.head !== w) return;
    if (w.idlePrev !== undefined) w.idlePrev.idleNext = w.idleNext;
    else this.head = w.idleNext;
    if (w.idleNext !== undefined) w.idleNext.idlePrev = w.idlePrev;
    w.idlePrev = undefined;
    w.idleNext = undefined;
    if (this.head === undefined) {
      if (this.timer !== undefined) {
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.onEmpty(this);
    }
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => this.tick(), this.ms);
  }

  private tick(): void {
    this.timer = undefined;
    let w = this.head;
    while (w !== undefined) {
      const next = w.idleNext;
      if (w.rxSinceTick) w.rxSinceTick = false;
      else {
        this.remove(w);
        w.onIdle();
      }
      w = next;
    }
    if (this.head !== undefined && this.timer === undefined) this.arm();
  }
}

const tickers = new WeakMap<Clock, Map<number, IdleTicker>>();

/**
 * The ticker of `clock` for timeout `ms`: made on first use, forgotten when its last watcher
 * goes (so many distinct `idleTimeout` values over time do not pile up tickers).
 */
export function idleTicker(clock: Clock, ms: number): IdleTicker {
  let byMs = tickers.get(clock);
  if (byMs === undefined) tickers.set(clock, (byMs = new Map()));
  let t = byMs.get(ms);
  if (t === undefined) {
    const table = byMs;
    t = new IdleTicker(clock, ms, (empty) => {
      if (table.get(ms) === empty) table.delete(ms);
    });
    byMs.set(ms, t);
  }
  return t;
}

/** The ticker of `clock` for `ms` if one is watching anything (none is made). */
export function currentIdleTicker(clock: Clock, ms: number): IdleTicker | undefined {
  return tickers.get(clock)?.get(ms);
}
