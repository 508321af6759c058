import { CallError, type CallFunction } from './call-error.js';
import type { Clock } from './clock.js';
import { badArg } from './errors.js';
import type { From, ServerRef } from './gen-server-types.js';
import { Pid } from './pid.js';
import { EXITED, type Proc } from './process.js';
import type { ExitReason } from './reason.js';

/*
 * The request side of the generic server: `call`, `cast`, `reply`, `stop`, `getState`.
 *
 * A call is ONE message (a `Call` object, which is also the `from` the server replies to)
 * and ONE promise. The reply settles the promise directly, never through the caller's
 * mailbox, so a call that timed out leaves nothing behind for the caller to receive (OTP
 * gets the same from process aliases since OTP 24). No closure is made per call beyond the
 * promise executor:
 * - server death: one `node.onExit` hook per *server* (not per call) rejects every call in
 *   that server's in-flight list with the exit reason;
 * - timeouts: calls wait in per-timeout FIFO lists (deadlines in one list are in order, as
 *   they share a duration), and one clock timer per clock is armed for the earliest deadline.
 */

const noop = (): void => {};

/** `Call.kind`: a user request, or a system request answered by the generic server itself. */
export const USER_CALL = 0;
export const GET_STATE = 1;

const FUNCTION_OF: CallFunction[] = ['call', 'getState'];

/**
 * A call in flight: the message the server receives and the `from` it replies to.
 * @internal Users see it only as the opaque {@link From}.
 */
export class Call<Req = unknown, Reply = unknown> implements From<Reply> {
  declare readonly __reply?: (reply: Reply) => void;
  resolve: (value: Reply) => void = noop;
  reject: (error: unknown) => void = noop;
  settled = false;
  /** The server's in-flight list and this call's neighbours in it. */
  inflight: Inflight | undefined = undefined;
  prev: Call<any, any> | undefined = undefined;
  next: Call<any, any> | undefined = undefined;
  /** The timeout list and this call's neighbours in it. */
  bucket: Bucket | undefined = undefined;
  tprev: Call<any, any> | undefined = undefined;
  tnext: Call<any, any> | undefined = undefined;
  deadline = 0;

  constructor(
    readonly kind: number,
    readonly req: Req,
    readonly server: unknown,
  ) {}

  /** Takes the call out of both lists; the caller settles the promise. */
  finish(): void {
    this.settled = true;
    this.inflight?.remove(this);
    this.bucket?.owner.remove(this);
  }

  fail(reason: unknown): void {
    this.finish();
    this.reject(new CallError(reason, FUNCTION_OF[this.kind] ?? 'call', this.server, this.req));
  }
}

/** A cast, wrapped so the server tells it from a plain (info) message. */
export class Cast<M = unknown> {
  constructor(readonly msg: M) {}
}

/** `GenServer.stop`'s request: run `terminate(reason)` and exit with `reason`. */
export class SysStop {
  constructor(readonly reason: unknown) {}
}

/** The calls waiting on one server: an intrusive list, O(1) add and remove. */
class Inflight {
  head: Call<any, any> | undefined = undefined;
  tail: Call<any, any> | undefined = undefined;

  constructor(readonly deadlines: Deadlines) {}

  add(c: Call<any, any>): void {
    c.inflight = this;
    c.prev = this.tail;
    if (this.tail === undefined) this.head = c;
    else this.tail.next = c;
    this.tail = c;
  }

  remove(c: Call<any, any>): void {
    const { prev, next } = c;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    c.inflight = c.prev = c.next = undefined;
  }

  /** The server exited: every call still waiting fails with its exit reason. */
  failAll(reason: unknown): void {
    for (let c = this.head; c !== undefined; c = this.head) c.fail(reason);
  }
}

const inflights = new WeakMap<Pid<any>, Inflight>();

function inflightOf(pid: Pid<any>, proc: Proc): Inflight {
  let inflight = inflights.get(pid);
  if (inflight === undefined) {
    const created = new Inflight(deadlinesOf(proc.node.clock));
    inflight = created;
    inflights.set(pid, created);
    proc.node.onExit(pid, (reason) => {
      inflights.delete(pid);
      created.failAll(reason);
    });
  }
  return inflight;
}

/** Calls sharing one timeout duration, oldest (= earliest deadline) first. */
class Bucket {
  head: Call<any, any> | undefined = undefined;
  tail: Call<any, any> | undefined = undefined;

  constructor(
    readonly owner: Deadlines,
    readonly ms: number,
  ) {}
}

interface Refable {
  ref?: () => unknown;
  unref?: () => unknown;
}

/**
 * Call timeouts on one clock with one timer. While no call waits, the timer is unref'd (a
 * system-clock handle) or cleared (other clocks), so an idle program can exit and a
 * ManualClock shows no pending timer.
 */
class Deadlines {
  private readonly buckets = new Map<number, Bucket>();
  private last: Bucket | undefined = undefined;
  private handle: unknown = undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private pending = 0;
  private readonly fireBound = (): void => this.fire();

  constructor(private readonly clock: Clock) {}

  add(c: Call<any, any>, ms: number): void {
    let b = this.last;
    if (b === undefined || b.ms !== ms) {
      b = this.buckets.get(ms);
      if (b === undefined) {
        b = new Bucket(this, ms);
        this.buckets.set(ms, b);
      }
      this.last = b;
    }
    const at = this.clock.now() + ms;
    c.deadline = at;
    c.bucket = b;
    c.tprev = b.tail;
    if (b.tail === undefined) b.head = c;
    else b.tail.tnext = c;
    b.tail = c;
    if (this.pending++ === 0 && this.handle !== undefined) (this.handle as Refable).ref?.();
    if (at < this.armedAt) this.arm(at);
  }

  remove(c: Call<any, any>): void {
    const b = c.bucket!;
    const { tprev, tnext } = c;
    if (tprev === undefined) b.head = tnext;
    else tprev.tnext = tnext;
    if (tnext === undefined) b.tail = tprev;
    else tnext.tprev = tprev;
    c.bucket = c.tprev = c.tnext = undefined;
    if (--this.pending === 0 && this.handle !== undefined) {
      const h = this.handle as Refable;
      if (typeof h.unref === 'function') h.unref();
      else this.disarm();
    }
  }

  private arm(at: number): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.armedAt = at;
    this.handle = this.clock.setTimeout(this.fireBound, Math.max(0, at - this.clock.now()));
  }

  private disarm(): void {
    this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.handle = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [ms, b] of this.buckets) {
      for (let c = b.head; c !== undefined && c.deadline <= now; c = b.head) c.fail('timeout');
      if (b.head === undefined) {
        // Durations come and go (a caller may compute them): drop empty lists.
        this.buckets.delete(ms);
        if (this.last === b) this.last = undefined;
      } else if (b.head.deadline < next) next = b.head.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  }
}

const deadlinesByClock = new WeakMap<Clock, Deadlines>();

function deadlinesOf(clock: Clock): Deadlines {
  let d = deadlinesByClock.get(clock);
  if (d === undefined) {
    d = new Deadlines(clock);
    deadlinesByClock.set(clock, d);
  }
  return d;
}

/** The live process behind a server reference, or undefined. */
export function resolveServer(server: ServerRef): Proc | undefined {
  const pid = server instanceof Pid ? server : server[1].whereis(server[0]);
  if (pid === undefined) return undefined;
  const proc = pid._proc as Proc | undefined;
  return proc === undefined || proc.status === EXITED ? undefined : proc;
}

function checkTimeout(fn: string, timeout: number | 'infinity'): void {
  if (timeout !== 'infinity' && !(typeof timeout === 'number' && timeout >= 0))
    throw badArg(`GenServer.${fn} needs a timeout >= 0 ms or 'infinity', got ${String(timeout)}`);
}

/** @internal The shared path of `call` and `getState`. */
export function sendRequest(
  server: ServerRef,
  req: unknown,
  timeout: number | 'infinity',
  kind: number,
): Promise<any> {
  checkTimeout(FUNCTION_OF[kind] ?? 'call', timeout);
  const proc = resolveServer(server);
  if (proc === undefined) return Promise.reject(new CallError('noproc', FUNCTION_OF[kind]!, server, req));
  const node = proc.node;
  if (node.current === proc)
    return Promise.reject(new CallError('calling_self', FUNCTION_OF[kind]!, server, req));
  const c = new Call(kind, req, server);
  const p = new Promise<unknown>((resolve, reject) => {
    c.resolve = resolve;
    c.reject = reject;
  });
  const inflight = inflightOf(proc.pid, proc);
  inflight.add(c);
  if (timeout !== 'infinity') inflight.deadlines.add(c, timeout);
  node.deliver(proc, c);
  return p;
}

/**
 * Sends `request` to a GenServer and resolves with its reply (OTP `gen_server:call/3`).
 * Usable from inside a process (await it in a callback or a receive loop) and from plain
 * async code. Rejects with a {@link CallError} whose `reason` is `'timeout'` after
 * `timeoutMs` (node clock), `'noproc'` if the server does not exist, or the server's exit
 * reason if it dies before replying. A reply that comes after the timeout is dropped.
 *
 * @example
 * const n = await GenServer.call(counter, ['add', 1]);
 * const byName = await GenServer.call<Req, number>(['counter', node], 'get', 1000);
 */
export function call<Req, Reply>(
  server: ServerRef<Call<Req, Reply>>,
  req: Req,
  timeoutMs: number | 'infinity' = 5000,
): Promise<Reply> {
  return sendRequest(server, req, timeoutMs, USER_CALL);
}

/**
 * Answers a call from outside `handleCall`, or later (OTP `gen_server:reply/2`): the
 * server returned `['noreply', s]` and kept `from`. Replying twice, or to a caller that
 * already gave up, does nothing.
 *
 * @example
 * handleCall: (req, from, s) => { setTimeout(() => GenServer.reply(from, 'done'), 10); return ['noreply', s]; }
 */
export function reply<Reply>(from: From<Reply>, value: Reply): void {
  if (!(from instanceof Call)) throw badArg('GenServer.reply needs the `from` a handleCall received');
  if (from.settled) return;
  from.finish();
  from.resolve(value);
}

/**
 * Sends `message` to a GenServer's `handleCast` and returns at once (OTP
 * `gen_server:cast/2`): like OTP, a cast to a dead pid or an unknown name is dropped silently.
 *
 * @example
 * GenServer.cast(counter, 'reset');
 */
export function cast<M>(server: ServerRef<Cast<M>>, message: M): void {
  const proc = resolveServer(server);
  if (proc !== undefined) proc.node.deliver(proc, new Cast(message));
}

/**
 * Stops a GenServer (OTP `gen_server:stop/3`): it runs `terminate(reason, state)` and exits
 * with `reason`; resolves once it has exited. Rejects with a {@link CallError}: `'noproc'`,
 * `'timeout'` (the server keeps running), or the reason it exited with if that differs.
 *
 * @example
 * await GenServer.stop(counter); // reason 'normal', waits as long as it takes
 */
export function stop(
  server: ServerRef,
  reason: ExitReason = 'normal',
  timeout: number | 'infinity' = 'infinity',
): Promise<void> {
  checkTimeout('stop', timeout);
  const proc = resolveServer(server);
  if (proc === undefined) return Promise.reject(new CallError('noproc', 'stop', server));
  const node = proc.node;
  if (node.current === proc) return Promise.reject(new CallError('calling_self', 'stop', server));
  return new Promise<void>((resolve, reject) => {
    let timer: unknown;
    const cancel = node.onExit(proc.pid, (exitReason) => {
      if (timer !== undefined) node.clock.clearTimeout(timer);
      if (exitReason === reason) resolve();
      else reject(new CallError(exitReason, 'stop', server));
    });
    node.deliver(proc, new SysStop(reason));
    if (timeout !== 'infinity' && proc.status !== EXITED) {
      timer = node.clock.setTimeout(() => {
        cancel();
        reject(new CallError('timeout', 'stop', server));
      }, timeout);
    }
  });
}

/**
 * The server's current state, unformatted (OTP `sys:get_state/2`): for debugging and tests.
 *
 * @example
 * expect(await GenServer.getState(counter)).toBe(3);
 */
export function getState<S = unknown>(server: ServerRef, timeoutMs: number | 'infinity' = 5000): Promise<S> {
  return sendRequest(server, undefined, timeoutMs, GET_STATE);
}
