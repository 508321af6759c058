/**
 * xstate's time on the node's clock. A machine's delays (`after`, `raise(e, { delay })`,
 * `sendTo(..., { delay })`) become node timers addressed to the machine's own process, so
 * that, as gen_statem's timeouts do, a delayed event:
 * - arrives as a message and is handled in the process's turn, in mailbox order;
 * - dies with the process (a timer to a pid is cancelled when it exits);
 * - moves with the node's {@link Clock}: tests advance a `ManualClock` instead of sleeping;
 * - shows in `processInfo(pid).timers`.
 *
 * Two shapes, one per engine: {@link DelayedEvents} keeps the delayed events of a machine
 * driven by `transition` (it reads them off the returned actions), and {@link processClock}
 * is the `clock` option of `createActor` for the actor engine (xstate's own scheduler calls it).
 *
 * A timer cancelled after it fired but before its message was handled is ignored when the
 * message comes (gen_statem cancels and flushes the same way), so a cancelled delayed event
 * never reaches the machine.
 */
import type { Ref, Self } from '@corral/actor';
import type { AnyActorRef, EventObject } from 'xstate';

/** The message a delayed event's timer puts in the process's own mailbox. */
export class DelayedEvent {
  ref: Ref | undefined = undefined;

  constructor(
    /** The `id` given to `raise`/`sendTo` (the `after` transitions' own id), or a generated one. */
    readonly key: string,
    readonly event: EventObject,
    /** Where it goes: undefined for the machine itself. */
    readonly target: AnyActorRef | undefined,
    /** When it is due, on the node clock (ms). */
    readonly at: number,
  ) {}
}

/** A delayed event as a snapshot store keeps it (only those addressed to the machine itself). */
export interface PersistedTimer {
  id: string | undefined;
  event: EventObject;
  /** Due time on the node clock (ms). */
  at: number;
}

/** Keys made for delayed events that have no `id`: they can never be cancelled or clash with a user's. */
const GENERATED = '\u0000corral.';

/**
 * The pending delayed events of one machine, by id (a new event with the id of a pending one
 * replaces it, as a gen_statem timeout of the same name does).
 */
export class DelayedEvents {
  private readonly byKey = new Map<string, DelayedEvent>();
  private seq = 0;

  constructor(private readonly self: Self) {}

  get size(): number {
    return this.byKey.size;
  }

  schedule(id: string | undefined, event: EventObject, delay: number, target: AnyActorRef | undefined): void {
    const self = this.self;
    const key = id ?? `${GENERATED}${++this.seq}`;
    this.cancel(key);
    const ms = Math.max(delay, 0);
    const d = new DelayedEvent(key, event, target, self.node.clock.now() + ms);
    d.ref = self.sendAfter(ms, self.pid, d);
    this.byKey.set(key, d);
  }

  cancel(key: string): void {
    const d = this.byKey.get(key);
    if (d === undefined) return;
    this.byKey.delete(key);
    if (d.ref !== undefined) this.self.cancelTimer(d.ref);
  }

  /** A delayed event's message arrived: true if it is still due (then it is forgotten), false if it was cancelled or replaced. */
  take(d: DelayedEvent): boolean {
    if (this.byKey.get(d.key) !== d) return false;
    this.byKey.delete(d.key);
    return true;
  }

  /** The pending events addressed to the machine itself (events for other actors cannot outlive the process). */
  persist(): PersistedTimer[] {
    const out: PersistedTimer[] = [];
    for (const d of this.byKey.values()) {
      if (d.target !== undefined) continue;
      out.push({ id: d.key.startsWith(GENERATED) ? undefined : d.key, event: d.event, at: d.at });
    }
    return out;
  }

  /** Re-arms persisted events with the time they had left (those already due fire at once). */
  restore(timers: readonly PersistedTimer[]): void {
    const now = this.self.node.clock.now();
    for (const t of timers) this.schedule(t.id, t.event, t.at - now, undefined);
  }

  clear(): void {
    for (const key of [...this.byKey.keys()]) this.cancel(key);
  }
}

/** The message one timer of xstate's scheduler puts in the process's mailbox (actor engine). */
export class ClockTick {
  ref: Ref | undefined = undefined;
  cancelled = false;

  constructor(readonly fn: () => void) {}
}

/** xstate's `Clock` interface (`createActor(logic, { clock })`). */
export interface XstateClock {
  setTimeout(fn: (...args: any[]) => void, timeout: number): any;
  clearTimeout(id: any): void;
}

/**
 * The `clock` for `createActor` inside a process: each timeout is a node timer sending a
 * {@link ClockTick} to the process, which runs the callback (so xstate relays the delayed
 * event) when it handles the message.
 *
 * @example
 * const actor = createActor(machine, { clock: processClock(self) });
 */
export function processClock(self: Self): XstateClock {
  return {
    setTimeout(fn, timeout) {
      const tick = new ClockTick(fn);
      tick.ref = self.sendAfter(Math.max(timeout, 0), self.pid, tick);
      return tick;
    },
    clearTimeout(id) {
      if (!(id instanceof ClockTick) || id.cancelled) return;
      id.cancelled = true;
      if (id.ref !== undefined) self.cancelTimer(id.ref);
    },
  };
}
