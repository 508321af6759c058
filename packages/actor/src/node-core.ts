import { type Clock, systemClock } from './clock.js';
import { badArg, ExitException, notInProcess, unregisteredName } from './errors.js';
import { addLink, linkList, removeLink } from './link-set.js';
import { defaultLogger, type Logger } from './logger.js';
import { type Dest, Pid, Ref } from './pid.js';
import {
  BUSY,
  type DemonitorOptions,
  EXITED,
  type ExitHook,
  IDLE,
  NEW,
  Proc,
  type ProcExtra,
  type ProcessBehaviour,
  type ProcessFunction,
  QUEUED,
  RECEIVING,
  RUNNING,
  type SpawnOptions,
} from './process.js';
import { type ExitReason, formatReason, isCrash } from './reason.js';
import { Registry } from './registry.js';
import { Scheduler } from './scheduler.js';
import { executing } from './self.js';
import { Timers } from './timers.js';

export interface NodeOptions {
  /** The node's name: the first field of every pid it makes. */
  name: string;
  /** A pino logger (or anything pino-shaped); default: pino to stderr. */
  logger?: Logger;
  /** Where time comes from; default: the system clock. Tests pass a ManualClock. */
  clock?: Clock;
}

/** Erlang's process statuses, as `processInfo` reports them. */
export type ProcessStatus = 'running' | 'runnable' | 'waiting' | 'exiting';

/** What `processInfo` tells about a live process (the data an Erlang `observer` shows). */
export interface ProcessInfo {
  pid: Pid<any>;
  status: ProcessStatus;
  /** What the process waits on when `waiting`: a message, or a promise its code returned. */
  waitingOn: 'message' | 'promise' | undefined;
  messageQueueLen: number;
  messagesHandled: number;
  links: Pid<any>[];
  monitors: { ref: Ref; pid: Pid<any> }[];
  monitoredBy: { ref: Ref; pid: Pid<any> }[];
  registeredName: string | undefined;
  trapExit: boolean;
  /** The behaviour's name, or the receive-loop function's name. */
  initialCall: string;
  kind: 'callback' | 'receive-loop';
  /** For callback processes, the current state (through the behaviour's `formatState`). */
  state: unknown;
  timers: number;
}

type Code = ProcessFunction<any> | ProcessBehaviour<any, any>;

/**
 * A node: a process table, a scheduler, a name registry and timers. Several can live in one
 * Node.js process; pids of one are usable from another in the same JS process.
 */
export class NodeCore {
  readonly name: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly scheduler = new Scheduler();
  /** The process whose synchronous code is running, if any. */
  get current(): Proc | undefined {
    return executing.proc;
  }
  set current(proc: Proc | undefined) {
    executing.proc = proc;
  }
  /** Stands for code outside any process: the `from` of signals sent from plain code. */
  readonly outside: Pid<any>;
  /** Live processes as an intrusive doubly linked list: O(1) add and remove, nothing allocated. */
  private first: Proc | undefined = undefined;
  private count = 0;
  private readonly registry = new Registry<Proc>();
  private readonly timers: Timers;
  private nextId = 1;
  private nextRef = 1;
  /** Pending deaths, handled one at a time so a long chain of links cannot overflow the stack. */
  private readonly dying: Proc[] = [];
  private reaping = false;

  constructor(opts: NodeOptions) {
    if (typeof opts.name !== 'string' || opts.name.length === 0)
      throw badArg('createNode needs a non-empty name');
    this.name = opts.name;
    this.logger = opts.logger ?? defaultLogger(opts.name);
    this.clock = opts.clock ?? systemClock;
    this.timers = new Timers(this.clock);
    this.outside = new Pid(this.name, 0);
  }

  makeRef(): Ref {
    return new Ref(this.name, this.nextRef++);
  }

  // ---- spawning ----------------------------------------------------------------

  /** Starts a process running `code` (a receive-loop function or a callback behaviour). */
  spawn<M = any, S = unknown>(
    code: ProcessFunction<M> | ProcessBehaviour<M, S>,
    opts?: SpawnOptions,
  ): Pid<M> {
    return this.spawnFrom(undefined, code, opts, false)[0];
  }

  /** `spawn` plus a link to the calling process, atomically. Must run inside a process. */
  spawnLink<M = any, S = unknown>(
    code: ProcessFunction<M> | ProcessBehaviour<M, S>,
    opts?: SpawnOptions,
  ): Pid<M> {
    const caller = this.current;
    if (caller === undefined) throw notInProcess('spawnLink');
    return this.spawnFrom(caller, code, opts, false)[0];
  }

  /** `spawn` plus a monitor from the calling process, atomically. Must run inside a process. */
  spawnMonitor<M = any, S = unknown>(
    code: ProcessFunction<M> | ProcessBehaviour<M, S>,
    opts?: SpawnOptions,
  ): [Pid<M>, Ref] {
    const caller = this.current;
    if (caller === undefined) throw notInProcess('spawnMonitor');
    const [pid, ref] = this.spawnFrom(undefined, code, opts, true, caller);
    return [pid, ref!];
  }

  /** @internal */
  spawnFrom(
    linkTo: Proc | undefined,
    code: Code,
    opts: SpawnOptions | undefined,
    monitor: boolean,
    monitorer?: Proc,
  ): [Pid<any>, Ref | undefined] {
    if (
      typeof code !== 'function' &&
      (code === null || typeof code !== 'object' || typeof code.handle !== 'function')
    )
      throw badArg('spawn needs a function (receive loop) or a behaviour object with init and handle');
    const pid = new Pid(this.name, this.nextId++);
    const proc = new Proc(this, pid, code);
    pid._proc = proc;
    this.addToTable(proc);
    if (opts !== undefined) {
      if (opts.trapExit === true) proc.trapping = true;
      if (opts.name !== undefined) {
        try {
          this.registry.register(opts.name, proc, pid.toString());
        } catch (e) {
          this.removeFromTable(proc);
          pid._proc = undefined;
          throw e;
        }
      }
    }
    if (linkTo !== undefined) {
      linkTo.links = addLink(linkTo.links, pid);
      proc.links = linkTo.pid;
    }
    let ref: Ref | undefined;
    if (monitor && monitorer !== undefined) {
      ref = this.makeRef();
      (monitorer.ensureExtra().monitors ??= new Map()).set(ref, pid);
      (proc.ensureExtra().monitoredBy ??= new Map()).set(ref, monitorer.pid);
    }
    this.scheduler.enqueue(proc);
    return [pid, ref];
  }

  // ---- messages ----------------------------------------------------------------

  /**
   * Sends `msg` to a pid or a registered name, from anywhere. Sending to a dead pid does
   * nothing (as in Erlang); sending to a name nobody holds throws.
   */
  send<M>(dest: Pid<M>, msg: M): void;
  send(dest: string, msg: unknown): void;
  send(dest: Dest, msg: unknown): void {
    this.sendTo(dest, msg);
  }

  /** @internal `send` without the per-pid message typing. */
  sendTo(dest: Dest, msg: unknown): void {
    let proc: Proc | undefined;
    if (typeof dest === 'string') {
      proc = this.registry.lookup(dest);
      if (proc === undefined) throw unregisteredName(dest);
    } else {
      proc = dest._proc as Proc | undefined;
      if (proc === undefined) return;
    }
    proc.post(msg);
  }

  /** @internal Puts a message in a live process's mailbox. */
  deliver(proc: Proc, msg: unknown): void {
    if (proc.status !== EXITED) proc.post(msg);
  }

  // ---- exit signals, links and monitors -------------------------------------------

  /**
   * Sends an exit signal (Erlang's `exit/2`): `'kill'` ends the target unconditionally with
   * `'killed'`; a target trapping exits gets `['EXIT', from, reason]`; otherwise `'normal'`
   * is ignored (unless a process sends it to itself) and any other reason ends the target.
   */
  exit(pid: Pid<any>, reason: ExitReason): void {
    this.exitSignal(pid, reason, this.current?.pid ?? this.outside);
  }

  /** @internal */
  exitSignal(target: Pid<any>, reason: unknown, from: Pid<any>, viaLink = false): void {
    const proc = target._proc as Proc | undefined;
    if (proc === undefined || proc.status === EXITED) return;
    if (reason === 'kill' && !viaLink) return this.exitProcess(proc, 'killed');
    if (proc.trapping) return this.deliver(proc, ['EXIT', from, reason]);
    if (reason === 'normal') {
      if (from === target && !viaLink) this.exitProcess(proc, 'normal');
      return;
    }
    this.exitProcess(proc, reason, true);
  }

  /** @internal */
  link(proc: Proc, pid: Pid<any>): void {
    if (pid === proc.pid) return;
    const other = pid._proc as Proc | undefined;
    if (other === undefined || other.status === EXITED) {
      // Erlang: a link to a pid that does not exist gives the caller an exit signal 'noproc'.
      if (proc.trapping) return this.deliver(proc, ['EXIT', pid, 'noproc']);
      if (this.current === proc) throw new ExitException('noproc');
      return this.exitProcess(proc, 'noproc');
    }
    proc.links = addLink(proc.links, pid);
    other.links = addLink(other.links, proc.pid);
  }

  /** @internal */
  unlink(proc: Proc, pid: Pid<any>): void {
    proc.links = removeLink(proc.links, pid);
    const other = pid._proc as Proc | undefined;
    if (other !== undefined) other.links = removeLink(other.links, proc.pid);
  }

  /** @internal */
  monitor(proc: Proc, target: Dest): Ref {
    const ref = this.makeRef();
    const other = (
      typeof target === 'string' ? this.registry.lookup(target) : (target._proc as Proc | undefined)
    ) as Proc | undefined;
    if (other === undefined || other.status === EXITED) {
      this.deliver(proc, ['DOWN', ref, 'process', target, 'noproc']);
      return ref;
    }
    (proc.ensureExtra().monitors ??= new Map()).set(ref, other.pid);
    (other.ensureExtra().monitoredBy ??= new Map()).set(ref, proc.pid);
    return ref;
  }

  /** @internal */
  demonitor(proc: Proc, ref: Ref, opts?: DemonitorOptions): boolean {
    const monitors = proc.extra?.monitors;
    const target = monitors?.get(ref);
    let active = false;
    if (target !== undefined) {
      monitors!.delete(ref);
      (target._proc as Proc | undefined)?.extra?.monitoredBy?.delete(ref);
      active = true;
    }
    if (opts?.flush === true) {
      proc.removeAll((m) => Array.isArray(m) && m.length === 5 && m[0] === 'DOWN' && m[1] === ref);
    }
    return active;
  }

  /** Links the calling process to `pid` (inside a process). */
  linkCurrent(pid: Pid<any>): void {
    const caller = this.current;
    if (caller === undefined) throw notInProcess('link');
    this.link(caller, pid);
  }

  /**
   * Calls `hook(reason)` when the process ends (at once with `'noproc'` if it is already
   * gone); returns a function that cancels it. This is a monitor for plain code that has no
   * mailbox: `GenServer.call` from outside any process uses it to learn that the server died.
   */
  onExit(pid: Pid<any>, hook: ExitHook): () => void {
    const proc = pid._proc as Proc | undefined;
    if (proc === undefined || proc.status === EXITED) {
      hook('noproc');
      return () => {};
    }
    // One hook is held inline, several in an array made to fit (a process usually has one or two).
    const hooks = proc.exitHooks;
    if (hooks === undefined) proc.exitHooks = hook;
    else if (typeof hooks === 'function') proc.exitHooks = [hooks, hook];
    else hooks.push(hook);
    return () => {
      const hs = proc.exitHooks;
      if (hs === hook) proc.exitHooks = undefined;
      else if (Array.isArray(hs)) {
        const i = hs.indexOf(hook);
        if (i >= 0) hs.splice(i, 1);
      }
    };
  }

  /**
   * Runs `fn` as if it were the code of process `self` (so `spawnLink`, `linkCurrent` and
   * other calls that act on "the calling process" use it), then restores the previous one.
   * Behaviours use it after an `await`, when the synchronous window has closed.
   */
  runAs<T>(self: { pid: Pid<any> }, fn: () => T): T {
    const proc = self.pid._proc as Proc | undefined;
    const prev = this.current;
    this.current = proc;
    try {
      return fn();
    } finally {
      this.current = prev;
    }
  }

  /** The calling process's pid, or undefined outside any process's synchronous code. */
  self(): Pid<any> | undefined {
    return this.current?.pid;
  }

  /** @internal A process's code threw or its promise rejected. */
  crashed(proc: Proc, e: unknown): void {
    if (e instanceof ExitException) this.exitProcess(proc, e.reason);
    else this.exitProcess(proc, ['crash', e]);
  }

  /**
   * @internal Ends a process: frees its name, timers and mailbox, fires its monitors and
   * sends its exit reason along its links. Deaths caused on the way are queued, not recursed.
   * A `['crash', e]` reason is reported once, by the process whose code failed: processes
   * taken down by its exit signal (`bySignal`) exit with the same reason without a report.
   */
  exitProcess(proc: Proc, reason: unknown, bySignal = false): void {
    if (proc.status === EXITED) return;
    if (!bySignal && isCrash(reason)) this.reportCrash(proc, reason[1]);
    proc.status = EXITED;
    proc.reason = reason;
    if (this.reaping) {
      this.dying.push(proc);
      return;
    }
    this.reaping = true;
    try {
      this.reap(proc, reason);
      for (let i = 0; i < this.dying.length; i++) {
        const p = this.dying[i]!;
        this.reap(p, p.reason);
      }
    } finally {
      this.dying.length = 0;
      this.reaping = false;
    }
  }

  private addToTable(proc: Proc): void {
    const first = this.first;
    proc.next = first;
    if (first !== undefined) first.prev = proc;
    this.first = proc;
    this.count++;
  }

  private removeFromTable(proc: Proc): void {
    const { prev, next } = proc;
    if (prev !== undefined) prev.next = next;
    else if (this.first === proc) this.first = next;
    else return;
    if (next !== undefined) next.prev = prev;
    proc.prev = proc.next = undefined;
    this.count--;
  }

  private reap(proc: Proc, reason: unknown): void {
    const pid = proc.pid;
    // The process may belong to another node (a link or exit/2 across nodes): free its
    // resources there. The death queue itself is shared by whichever node started reaping.
    const home = proc.node;
    home.removeFromTable(proc);
    pid._proc = undefined;
    home.registry.release(proc);
    const extra = proc.extra;
    if (extra?.timers !== undefined) Timers.cancelOwned(extra);
    const receiver = proc.receiver;
    if (receiver !== undefined) {
      if (receiver.timer !== undefined) home.clock.clearTimeout(receiver.timer);
      proc.receiver = undefined;
    }
    if (proc.length > 0) proc.clear();
    const monitors = extra?.monitors;
    if (monitors !== undefined) {
      extra!.monitors = undefined;
      for (const [ref, target] of monitors)
        (target._proc as Proc | undefined)?.extra?.monitoredBy?.delete(ref);
    }
    const monitoredBy = extra?.monitoredBy;
    if (monitoredBy !== undefined) {
      extra!.monitoredBy = undefined;
      for (const [ref, watcher] of monitoredBy) {
        const w = watcher._proc as Proc | undefined;
        if (w === undefined) continue;
        w.extra?.monitors?.delete(ref);
        this.deliver(w, ['DOWN', ref, 'process', pid, reason]);
      }
    }
    const exited = proc.behaviour?.exited;
    if (exited !== undefined) {
      try {
        exited.call(proc.behaviour, reason, proc.state);
      } catch (err) {
        proc.logger.error({ label: 'exit_hook_failed', err }, 'a behaviour exited callback threw');
      }
    }
    const hooks = proc.exitHooks;
    if (hooks !== undefined) {
      proc.exitHooks = undefined;
      if (typeof hooks === 'function') this.runExitHook(proc, hooks, reason);
      else for (const hook of hooks) this.runExitHook(proc, hook, reason);
    }
    const links = proc.links;
    if (links !== undefined) {
      proc.links = undefined;
      if (links instanceof Pid) this.exitLinked(links, reason, pid);
      else for (const other of links) this.exitLinked(other, reason, pid);
    }
  }

  private runExitHook(proc: Proc, hook: ExitHook, reason: unknown): void {
    // A failing observer must not stop the exit from reaching links and monitors.
    try {
      hook(reason);
    } catch (err) {
      proc.logger.error({ label: 'exit_hook_failed', err }, 'an onExit hook threw');
    }
  }

  /** Sends a dead process's exit signal along one of its links. */
  private exitLinked(other: Pid<any>, reason: unknown, from: Pid<any>): void {
    const o = other._proc as Proc | undefined;
    if (o === undefined) return;
    o.links = removeLink(o.links, from);
    this.exitSignal(other, reason, from, true);
  }

  private reportCrash(proc: Proc, error: unknown): void {
    const record: Record<string, unknown> = {
      label: 'crash_report',
      initialCall: proc.initialCall,
      messagesHandled: proc.handled,
      messageQueueLen: proc.length,
      reason: formatReason(['crash', error]),
    };
    if (error instanceof Error) record.err = error;
    else record.thrown = error;
    proc.logger.error(record, 'process crashed');
  }

  // ---- registry ---------------------------------------------------------------------

  /** Registers `pid` under `name`; a taken name, a dead pid or a pid that has a name is an error. */
  register(name: string, pid: Pid<any>): void {
    const proc = pid._proc as Proc | undefined;
    // Erlang: register/2 with a pid of another node is badarg (its exit could not free the name here).
    if (proc !== undefined && proc.node !== this)
      throw badArg(`cannot register ${JSON.stringify(name)}: ${pid} is not a process of node ${this.name}`);
    this.registry.register(
      name,
      proc === undefined || proc.status === EXITED ? undefined : proc,
      pid.toString(),
    );
  }

  unregister(name: string): void {
    this.registry.unregister(name);
  }

  whereis<M = any>(name: string): Pid<M> | undefined {
    return this.registry.whereis(name);
  }

  registered(): string[] {
    return this.registry.registered();
  }

  // ---- timers -------------------------------------------------------------------------

  /** Sends `msg` to `dest` after `ms` (Erlang's `erlang:send_after/3`); returns the timer's ref. */
  sendAfter<M>(ms: number, dest: Pid<M>, msg: M): Ref;
  sendAfter(ms: number, dest: string, msg: unknown): Ref;
  sendAfter(ms: number, dest: Dest, msg: unknown): Ref {
    return this.setTimer(ms, dest, msg, false);
  }

  /** @internal `sendAfter` without the per-pid message typing. */
  sendAfterTo(ms: number, dest: Dest, msg: unknown): Ref {
    return this.setTimer(ms, dest, msg, false);
  }

  /** Like `sendAfter`, but delivers `['timeout', ref, msg]` (Erlang's `erlang:start_timer/3`). */
  startTimer(ms: number, dest: Dest, msg: unknown): Ref {
    return this.setTimer(ms, dest, msg, true);
  }

  /** Cancels a timer: the milliseconds it had left, or false if it already fired or is unknown. */
  cancelTimer(ref: Ref): number | false {
    return this.timers.cancel(ref);
  }

  /** Milliseconds left on a timer, or false. */
  readTimer(ref: Ref): number | false {
    return this.timers.read(ref);
  }

  private setTimer(ms: number, dest: Dest, msg: unknown, wrap: boolean): Ref {
    if (!(ms >= 0)) throw badArg(`a timer needs a time >= 0 ms, got ${ms}`);
    const ref = this.makeRef();
    // The target's side object holds its timers, so its exit can cancel them.
    let owner: ProcExtra | undefined;
    if (typeof dest !== 'string') {
      const target = dest._proc as Proc | undefined;
      if (target === undefined) return ref; // a timer to a dead pid is dropped
      owner = target.ensureExtra();
    }
    this.timers.add(ref, ms, dest, wrap ? ['timeout', ref, msg] : msg, owner, (e) => {
      if (typeof e.dest === 'string') {
        const p = this.registry.lookup(e.dest);
        if (p !== undefined) this.deliver(p, e.msg);
      } else {
        const p = e.dest._proc as Proc | undefined;
        if (p !== undefined) this.deliver(p, e.msg);
      }
    });
    return ref;
  }

  // ---- introspection --------------------------------------------------------------------

  isAlive(pid: Pid<any>): boolean {
    const p = pid._proc as Proc | undefined;
    // A process condemned in the current cascade of exits is not alive, even before it is reaped.
    return p !== undefined && p.status !== EXITED;
  }

  /** Every live process on this node. */
  processes(): Pid<any>[] {
    const out: Pid<any>[] = [];
    for (let p = this.first; p !== undefined; p = p.next) out.push(p.pid);
    return out.reverse();
  }

  /** Number of live processes (cheap). */
  processCount(): number {
    return this.count;
  }

  /** Pending timers on this node (cheap). */
  timerCount(): number {
    return this.timers.size;
  }

  /** Erlang's `process_info/1`: undefined for a dead pid. */
  processInfo(pid: Pid<any>): ProcessInfo | undefined {
    const p = pid._proc as Proc | undefined;
    if (p === undefined || p.status === EXITED) return undefined;
    const s = p.status;
    const status: ProcessStatus =
      s === RUNNING
        ? 'running'
        : s === QUEUED || s === NEW
          ? 'runnable'
          : s === IDLE || s === RECEIVING
            ? 'waiting'
            : 'waiting';
    const callback = p.behaviour !== undefined;
    const extra = p.extra;
    const waitingOn =
      s === IDLE || s === RECEIVING
        ? 'message'
        : s === BUSY && (callback || p.receiver === undefined)
          ? 'promise'
          : undefined;
    return {
      pid: p.pid,
      status: s === BUSY && !callback && this.current === p ? 'running' : status,
      waitingOn,
      messageQueueLen: p.length,
      messagesHandled: p.handled,
      links: linkList(p.links),
      monitors: extra?.monitors === undefined ? [] : [...extra.monitors].map(([ref, pid]) => ({ ref, pid })),
      monitoredBy:
        extra?.monitoredBy === undefined ? [] : [...extra.monitoredBy].map(([ref, pid]) => ({ ref, pid })),
      registeredName: p.name,
      trapExit: p.trapping,
      initialCall: p.initialCall,
      kind: callback ? 'callback' : 'receive-loop',
      state: callback && s !== NEW ? (p.behaviour!.formatState?.(p.state) ?? p.state) : undefined,
      timers: extra?.timers?.size ?? 0,
    };
  }

  /** The messages waiting in a process's mailbox (a copy). */
  messages(pid: Pid<any>): unknown[] {
    const p = pid._proc as Proc | undefined;
    return p === undefined ? [] : p.toArray();
  }

  /** The interned pid for `<node.N.S>` text: the live process's own pid when it is ours and alive. */
  pid<M = any>(text: string): Pid<M> {
    const { node, id, serial } = Pid.parse(text);
    if (node === this.name) {
      if (id === 0 && serial === 0) return this.outside;
      // A linear walk: parsing pids is rare next to sending to them (distribution will keep its own index).
      for (let p = this.first; p !== undefined; p = p.next) if (p.pid.id === id && serial === 0) return p.pid;
    }
    return new Pid(node, id, serial);
  }

  /** Ends every process on the node (reason `'shutdown'`, untrappable) and cancels its timers: for tests and process exit. */
  shutdown(): void {
    const all: Proc[] = [];
    for (let p = this.first; p !== undefined; p = p.next) all.push(p);
    for (const p of all) this.exitProcess(p, 'shutdown');
    this.timers.clear();
  }
}

/** A node (see {@link NodeCore}). */
export type Node = NodeCore;

/**
 * Creates a node: its own process table, scheduler, registry and timers.
 *
 * @example
 * const node = createNode({ name: 'demo' });
 * const echo = node.spawn<[Pid<string>, string]>(async (self) => {
 *   for (;;) {
 *     const [from, text] = await self.receive();
 *     self.send(from, text);
 *   }
 * });
 */
export function createNode(opts: NodeOptions): Node {
  return new NodeCore(opts);
}

/** Sends to a pid from anywhere, without naming its node (Erlang's `Pid ! Msg`). */
export function send<M>(pid: Pid<M>, msg: M): void {
  (pid._proc as Proc | undefined)?.post(msg);
}
