import { badArg, ExitException, notAlive } from './errors.js';
import type { Links } from './link-set.js';
import type { Logger } from './logger.js';
import { Mailbox } from './mailbox.js';
import type { NodeCore } from './node-core.js';
import type { Dest, Pid, Ref } from './pid.js';
import type { ExitReason } from './reason.js';
import type { Runnable } from './scheduler.js';
import { isThenable } from './thenable.js';
import type { Timers } from './timers.js';

/** Returned by `receive` when its timeout passes first (Erlang's `after`). */
export const TIMEOUT: unique symbol = Symbol('corral.timeout');
export type Timeout = typeof TIMEOUT;

/**
 * A callback process (the fast path): the runtime calls `handle` for each message and keeps
 * what it returns as the new state. No promise is made per message; a `handle` that returns
 * a Promise makes the process busy until it settles (its mailbox waits), and the settled
 * value becomes the state.
 */
export interface ProcessBehaviour<M, S> {
  /** Shown by `processInfo` as the behaviour / initial call. */
  readonly name?: string;
  /** Runs inside the new process before any message; returns the first state. */
  init(self: Self<M>): S | Promise<S>;
  handle(msg: M, state: S, self: Self<M>): S | Promise<S>;
  /** What `processInfo(pid).state` shows; defaults to the state itself. */
  formatState?(state: S): unknown;
  /**
   * Called once when the process has exited, whatever the reason (`'kill'` included), as it is
   * reaped: outside any process, just before the `node.onExit` hooks and the exit signals to its
   * links. For what the process holds outside the runtime (a socket, a file): the behaviour's own
   * exit observer, so a process that owns a resource needs no `node.onExit` closure to release it.
   * `state` is the last state (undefined if `init` had not returned). A throw is logged
   * (`exit_hook_failed`) and does not stop the exit from reaching links and monitors.
   *
   * @example
   * const Owner: ProcessBehaviour<Msg, { socket: Socket }> = {
   *   init: () => ({ socket }),
   *   handle: (msg, st) => st,
   *   exited: (_reason, st) => st?.socket.destroy(),
   * };
   */
  exited?(reason: unknown, state: S | undefined): void;
}

/** A plain-code observer of a process's exit (see `node.onExit`). */
export type ExitHook = (reason: unknown) => void;

/** A receive-loop process: top-down code that pulls messages with `self.receive`. It ends `'normal'` when it returns. */
export type ProcessFunction<M> = (self: Self<M>) => void | Promise<void>;

export interface SpawnOptions {
  /** Register the new process under this name before it runs. */
  name?: string;
  /** Start with exits trapped. */
  trapExit?: boolean;
}

export interface DemonitorOptions {
  /** Also remove a `DOWN` message for this monitor already in the mailbox (Erlang's `[flush]`). */
  flush?: boolean;
}

/**
 * A process's handle on itself and the runtime: what Erlang code reaches through `self()`
 * and the BIFs. Passed to every callback and receive-loop function.
 */
export interface Self<M = any> {
  readonly pid: Pid<M>;
  readonly node: NodeCore;
  /** A child of the node's logger bound to `{ pid, name }`. */
  readonly logger: Logger;
  send<T>(dest: Pid<T>, msg: T): void;
  send(dest: string, msg: unknown): void;
  spawn<T = any, S = unknown>(code: ProcessFunction<T> | ProcessBehaviour<T, S>, opts?: SpawnOptions): Pid<T>;
  spawnLink<T = any, S = unknown>(
    code: ProcessFunction<T> | ProcessBehaviour<T, S>,
    opts?: SpawnOptions,
  ): Pid<T>;
  spawnMonitor<T = any, S = unknown>(
    code: ProcessFunction<T> | ProcessBehaviour<T, S>,
    opts?: SpawnOptions,
  ): [Pid<T>, Ref];
  /** Bidirectional and idempotent; linking to a dead pid sends us an exit signal `'noproc'`. */
  link(pid: Pid<any>): void;
  unlink(pid: Pid<any>): void;
  /** Each call makes a new monitor (they stack); a dead pid gives an immediate `DOWN` with `'noproc'`. */
  monitor(target: Dest): Ref;
  /** Removes a monitor; returns false if it had already fired or was unknown. */
  demonitor(ref: Ref, opts?: DemonitorOptions): boolean;
  /** Ends this process with `reason` (Erlang's `exit/1`): throws to unwind the caller's code. */
  exit(reason: ExitReason): never;
  /** Sends an exit signal to `pid` (Erlang's `exit/2`). */
  exit(pid: Pid<any>, reason: ExitReason): void;
  /** Sets the trap-exit flag; returns the old value. Without an argument, reads it. */
  trapExit(flag?: boolean): boolean;
  register(name: string): void;
  /** Waits for the first message (matching `match`, if given); unmatched ones stay in order. */
  receive(): Promise<M>;
  receive<T extends M>(match: (m: M) => m is T): Promise<T>;
  receive(match: (m: M) => boolean): Promise<M>;
  receive<T extends M>(match: ((m: M) => m is T) | undefined, timeoutMs: number): Promise<T | Timeout>;
  receive(match: ((m: M) => boolean) | undefined, timeoutMs: number): Promise<M | Timeout>;
  sendAfter<T>(ms: number, dest: Pid<T>, msg: T): Ref;
  sendAfter(ms: number, dest: string, msg: unknown): Ref;
  /** Like `sendAfter`, but the message arrives as `['timeout', ref, msg]` (Erlang's `start_timer`). */
  startTimer(ms: number, dest: Dest, msg: unknown): Ref;
  cancelTimer(ref: Ref): number | false;
  /** Releases what an idle process does not need (mailbox spare capacity). */
  hibernate(): void;
}

// Internal states; `processInfo` maps them to Erlang's status names.
export const IDLE = 0; // waiting for a message
export const QUEUED = 1; // in the run queue
export const RUNNING = 2; // its code is on the stack
export const BUSY = 3; // awaiting a promise (callback process) or running async code (receive loop)
export const RECEIVING = 4; // receive loop blocked in receive()
export const EXITED = 5;
export const NEW = 6; // in the run queue, its init (or function) not run yet

interface Receiver {
  match: ((m: unknown) => boolean) | undefined;
  resolve: (m: unknown) => void;
  timer: unknown;
  /** Messages before this index already failed `match`. */
  scanFrom: number;
}

/**
 * What a process has only once it uses it: a registered name, monitors, timers, a logger. Most
 * processes of a server wait idle with none of these (one per WebSocket connection), so they live
 * in this side object, made on the first write (`Proc.ensureExtra`), and a `Proc` is 4 fields
 * (32 bytes) smaller. Never replaced once made: a timer entry holds it as its owner.
 */
export class ProcExtra {
  /** The registered name (read and written through `Proc.name`). */
  name: string | undefined = undefined;
  /** Monitors this process holds: ref → watched pid. */
  monitors: Map<Ref, Pid<any>> | undefined = undefined;
  /** Monitors on this process: ref → watcher pid. */
  monitoredBy: Map<Ref, Pid<any>> | undefined = undefined;
  /** Timers addressed to this process, each with the node's `Timers` that holds it (a `TimerOwner`). */
  timers: Map<Ref, Timers> | undefined = undefined;
  /** The child logger, made on first use of `Proc.logger`. */
  logger: Logger | undefined = undefined;
  /** The registered name `logger` was bound with: registering or unregistering later rebinds it. */
  loggerName: string | undefined = undefined;
}

/**
 * One process: its mailbox (inherited, so a process is one object), flags, links, what only
 * some processes use (`extra`, made on first use), and the loop that feeds messages to its code.
 */
export class Proc extends Mailbox<unknown> implements Self<any>, Runnable {
  status: number = NEW;
  trapping = false;
  handled = 0;
  state: unknown = undefined;
  reason: unknown = undefined;
  /**
   * Linked processes: none, one pid held inline (most processes have only their parent), or a
   * Set from the second link on. Read and changed through `link-set.ts`.
   */
  links: Links = undefined;
  /** Name, monitors, timers and logger, once the process has any: read as `extra?.x`, written through `ensureExtra()`. */
  extra: ProcExtra | undefined = undefined;
  /**
   * The pending `receive` of a receive loop. Kept here, not in `extra`: every idle receive loop
   * has one, and the side object would cost it more than the field.
   */
  receiver: Receiver | undefined = undefined;
  /** Plain-code observers of this process's exit (see `node.onExit`): one held inline, or an array of several. */
  exitHooks: ExitHook | ExitHook[] | undefined = undefined;
  /** Neighbours in the node's table of live processes. */
  prev: Proc | undefined = undefined;
  next: Proc | undefined = undefined;

  constructor(
    readonly node: NodeCore,
    readonly pid: Pid<any>,
    /** What the process runs: a behaviour (callback process) or a function (receive loop). */
    readonly code: ProcessBehaviour<any, any> | ProcessFunction<any>,
  ) {
    super();
  }

  /** The behaviour of a callback process; undefined for a receive loop. */
  get behaviour(): ProcessBehaviour<any, any> | undefined {
    const code = this.code;
    return typeof code === 'function' ? undefined : code;
  }

  /** The function of a receive-loop process; undefined for a callback process. */
  get fn(): ProcessFunction<any> | undefined {
    const code = this.code;
    return typeof code === 'function' ? code : undefined;
  }

  /** The side object for what only some processes use, made now if the process has none yet. */
  ensureExtra(): ProcExtra {
    return (this.extra ??= new ProcExtra());
  }

  /** The registered name, if any. */
  get name(): string | undefined {
    return this.extra?.name;
  }

  set name(name: string | undefined) {
    // Unregistering a process that has no side object must not make one.
    if (name !== undefined) this.ensureExtra().name = name;
    else if (this.extra !== undefined) this.extra.name = undefined;
  }

  get logger(): Logger {
    const name = this.name;
    const extra = this.extra;
    if (extra?.logger !== undefined && extra.loggerName === name) return extra.logger;
    const logger = this.node.logger.child(
      name === undefined ? { pid: this.pid.toString() } : { pid: this.pid.toString(), name },
    );
    const x = this.ensureExtra();
    x.logger = logger;
    x.loggerName = name;
    return logger;
  }

  /** The behaviour name or function name `processInfo` reports. */
  get initialCall(): string {
    return this.behaviour?.name ?? (this.fn?.name || 'anonymous');
  }

  wantsMore(): boolean {
    return this.status === QUEUED;
  }

  // ---- the loop -------------------------------------------------------------

  run(budget: number): number {
    const status = this.status;
    if (status !== QUEUED) return status === NEW ? this.start() : 0;
    const code = this.code;
    if (typeof code === 'function') return this.resumeReceive();
    const node = this.node;
    const behaviour = code;
    const prev = node.current;
    node.current = this;
    this.status = RUNNING;
    let n = 0;
    try {
      while (n < budget && this.length > 0) {
        const msg = this.shift();
        n++;
        this.handled++;
        const next = behaviour.handle(msg, this.state, this);
        if (isThenable(next)) {
          // Also when the process ended meanwhile: its promise must not reject unhandled.
          this.awaitState(next);
          return n;
        }
        if ((this.status as number) === EXITED) return n;
        this.state = next;
      }
    } catch (e) {
      node.crashed(this, e);
      return n;
    } finally {
      node.current = prev;
    }
    this.status = this.length > 0 ? QUEUED : IDLE;
    return n;
  }

  private start(): number {
    const node = this.node;
    const prev = node.current;
    node.current = this;
    this.status = RUNNING;
    const code = this.code;
    try {
      if (typeof code === 'function') {
        this.status = BUSY;
        const r = code(this);
        if (isThenable(r)) {
          r.then(
            () => node.exitProcess(this, 'normal'),
            (e: unknown) => node.crashed(this, e),
          );
        } else {
          node.exitProcess(this, 'normal');
        }
        return 1;
      }
      const s = code.init(this);
      if (isThenable(s)) {
        this.awaitState(s);
        return 1;
      }
      if ((this.status as number) === EXITED) return 1;
      this.state = s;
    } catch (e) {
      node.crashed(this, e);
      return 1;
    } finally {
      node.current = prev;
    }
    this.status = this.length > 0 ? QUEUED : IDLE;
    return 1;
  }

  /** A callback returned a promise: the process is busy until it settles; its value is the next state. */
  private awaitState(p: PromiseLike<unknown>): void {
    if (this.status !== EXITED) this.status = BUSY;
    p.then(
      (s) => {
        if (this.status === EXITED) return;
        this.state = s;
        if (this.length > 0) this.schedule();
        else this.status = IDLE;
      },
      (e: unknown) => this.node.crashed(this, e),
    );
  }

  /** Puts this process in the run queue. */
  schedule(): void {
    this.status = QUEUED;
    this.node.scheduler.enqueue(this);
  }

  /** Puts a message in the mailbox and wakes the process unless its code is running now. */
  post(msg: unknown): void {
    this.push(msg);
    if (this.status !== RUNNING) this.wake();
  }

  /**
   * Removes every message for which `pred` holds. A receive in progress has skipped messages
   * by position; positions moved, so it rescans from the start.
   */
  override removeAll(pred: (m: unknown) => boolean): number {
    const removed = super.removeAll(pred);
    if (removed > 0 && this.receiver !== undefined) this.receiver.scanFrom = 0;
    return removed;
  }

  /** A message arrived (called by `post`, after the push). */
  wake(): void {
    const s = this.status;
    if (s === IDLE) this.schedule();
    else if (s === RECEIVING) {
      const r = this.receiver!;
      let hit: boolean;
      try {
        hit = r.match === undefined || r.match(this.at(this.length - 1));
      } catch (e) {
        // The receiver's pattern failed: that is the receiver's crash, never the sender's error.
        this.node.crashed(this, e);
        return;
      }
      if (hit) this.schedule();
      else r.scanFrom = this.length;
    }
  }

  // ---- receive loop -----------------------------------------------------------

  receive(match?: (m: unknown) => boolean, timeoutMs?: number): Promise<any> {
    if (this.fn === undefined)
      throw badArg('receive() is for receive-loop processes; callback processes get messages in handle()');
    if (this.status === EXITED) return new Promise(() => {}); // a dead process never receives
    if (this.receiver !== undefined)
      throw badArg('receive() called again before the previous receive() settled');
    const i = match === undefined ? (this.length > 0 ? 0 : -1) : this.findIndex(match);
    const sched = this.node.scheduler;
    if (i >= 0 && sched.hasBudget()) {
      sched.sliceUsed++;
      this.handled++;
      return Promise.resolve(this.removeAt(i));
    }
    if (i < 0 && timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(TIMEOUT);
    return new Promise((resolve) => {
      const r: Receiver = { match, resolve, timer: undefined, scanFrom: i >= 0 ? i : this.length };
      this.receiver = r;
      // A message already found (only the turn's budget was spent) needs no timer.
      if (i < 0 && timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        r.timer = this.node.clock.setTimeout(() => {
          // QUEUED means a matching message arrived before the deadline: it wins, as in Erlang,
          // even when the clock passes the deadline before this process gets to run.
          if (this.receiver !== r || this.status === QUEUED) return;
          this.receiver = undefined;
          this.status = BUSY;
          resolve(TIMEOUT);
        }, timeoutMs);
      }
      if (i >= 0) this.schedule();
      else this.status = RECEIVING;
    });
  }

  private resumeReceive(): number {
    const r = this.receiver;
    if (r === undefined) {
      this.status = BUSY;
      return 0;
    }
    let i: number;
    try {
      i = r.match === undefined ? (this.length > 0 ? 0 : -1) : this.findIndex(r.match, r.scanFrom);
    } catch (e) {
      // A failing pattern crashes this process; it must not escape into the scheduler.
      this.node.crashed(this, e);
      return 1;
    }
    if (i < 0) {
      r.scanFrom = this.length;
      this.status = RECEIVING;
      return 1;
    }
    this.receiver = undefined;
    if (r.timer !== undefined) this.node.clock.clearTimeout(r.timer);
    this.status = BUSY;
    this.handled++;
    r.resolve(this.removeAt(i));
    return 1;
  }

  // ---- Self: the BIFs ----------------------------------------------------------

  send(dest: Dest, msg: unknown): void {
    this.node.sendTo(dest, msg);
  }

  spawn(code: ProcessFunction<any> | ProcessBehaviour<any, any>, opts?: SpawnOptions): Pid<any> {
    return this.node.spawnFrom(undefined, code, opts, false)[0];
  }

  spawnLink(code: ProcessFunction<any> | ProcessBehaviour<any, any>, opts?: SpawnOptions): Pid<any> {
    return this.node.spawnFrom(this, code, opts, false)[0];
  }

  spawnMonitor(
    code: ProcessFunction<any> | ProcessBehaviour<any, any>,
    opts?: SpawnOptions,
  ): [Pid<any>, Ref] {
    const [pid, ref] = this.node.spawnFrom(undefined, code, opts, true, this);
    return [pid, ref!];
  }

  link(pid: Pid<any>): void {
    this.node.link(this, pid);
  }

  unlink(pid: Pid<any>): void {
    this.node.unlink(this, pid);
  }

  monitor(target: Dest): Ref {
    return this.node.monitor(this, target);
  }

  demonitor(ref: Ref, opts?: DemonitorOptions): boolean {
    return this.node.demonitor(this, ref, opts);
  }

  exit(...args: [reason: unknown] | [pid: Pid<any>, reason: unknown]): never {
    if (args.length >= 2) {
      this.node.exitSignal(args[0] as Pid<any>, args[1], this.pid);
      // The signal ended this very process (exit(self(), normal), or a link back): like
      // Erlang's exit(self(), kill), the call does not return, so its code stops here.
      if (this.status === EXITED && this.node.current === this) throw new ExitException(this.reason);
      return undefined as never;
    }
    throw new ExitException(args[0]);
  }

  trapExit(flag?: boolean): boolean {
    const old = this.trapping;
    if (flag !== undefined) this.trapping = flag;
    return old;
  }

  register(name: string): void {
    if (this.status === EXITED) throw notAlive(this.pid.toString());
    this.node.register(name, this.pid);
  }

  sendAfter(ms: number, dest: Dest, msg: unknown): Ref {
    return this.node.sendAfterTo(ms, dest, msg);
  }

  startTimer(ms: number, dest: Dest, msg: unknown): Ref {
    return this.node.startTimer(ms, dest, msg);
  }

  cancelTimer(ref: Ref): number | false {
    return this.node.cancelTimer(ref);
  }

  hibernate(): void {
    this.compact();
  }
}
