/**
 * The machine inside a process: one {@link MachineRunner} per machine process or
 * `statemHandler` connection. It runs xstate actor logic through xstate's own API and
 * executes the resulting actions as the process, by one of two engines:
 *
 * - `'transition'` (machines without `invoke`, and pure logic such as `fromTransition`): the
 *   process holds only a snapshot. Each event goes through the logic's own
 *   `transition(snapshot, event, actorScope)` (what xstate's `transition()` calls) and the
 *   actions it returns are executed here: custom actions (Corral's among them) run, delayed
 *   events become node timers, `sendTo` sends. No xstate actor or actor system per process,
 *   so a spawn costs one snapshot whatever the number of siblings.
 * - `'actor'` (machines that invoke, logic with a `start` such as `fromPromise`, or on
 *   request): `createActor(logic, { clock })` with the node's clock ({@link processClock});
 *   the process owns that actor and its isolated system; xstate runs everything.
 *
 * Why not xstate's exported `transition()` itself: it builds a throwaway actor (and computes
 * the machine's initial snapshot) on every call, 6-8x the cost of the transition it wraps;
 * the scope below is built once. See docs/decisions.md.
 */
import { GenServer, GenServerCall, GenServerCast, isCleanExit, type Self, USER_CALL } from '@corral/actor';
import {
  type ActorSystem,
  type AnyActor,
  type AnyActorLogic,
  type AnyActorRef,
  type AnyActorScope,
  type AnyStateMachine,
  createActor,
  createMachine,
  type EventObject,
  type ExecutableActionObject,
  type Snapshot,
  StateMachine,
} from 'xstate';
import { ClockTick, DelayedEvent, DelayedEvents, processClock } from './clock-adapter.js';
import { callEvent, castEvent, infoEvent, terminateEvent } from './envelope.js';
import { badArg, childrenUnsupported } from './errors.js';
import type { SnapshotStore } from './snapshot-store.js';

type AnyActorSystem = ActorSystem<any>;

/** How a machine is run (see the module comment). */
export type Engine = 'transition' | 'actor';

/** What a runner needs besides the logic. */
export interface RunnerOptions {
  /** Default: `'transition'` for machines without `invoke` and for logic without `start`; `'actor'` otherwise. */
  engine?: Engine | undefined;
  /** The logic's input (`createActor(logic, { input })`). */
  input?: unknown;
  /** Resume from this store's snapshot and save to it after each event (see `SnapshotStore`). */
  persist?: SnapshotStore | undefined;
  /** Receives the machine's `emit(...)` events (xstate's `actor.on('*', ...)`); default: dropped, as xstate drops events nobody listens to. */
  onEmit?: ((event: EventObject) => void) | undefined;
}

/** How a step ended, when the machine is no longer running. */
export type Outcome = { kind: 'done'; output: unknown } | { kind: 'stop'; reason: unknown };

/** Marks an object (our stand-in actor ref, or a root xstate actor) with the runner it belongs to. */
export const RUNNER: unique symbol = Symbol('corral.statem.runner');

/** Sent by a runner to its own process when the actor engine changed outside the process's turn. */
export const WAKE: unique symbol = Symbol('corral.statem.wake');

/** The runner whose machine code is running now (a Corral action finds its process through it). */
let active: MachineRunner | undefined;

/** The runner of an action's `self` (or of the machine being run), if any. */
export function runnerOf(self: unknown): MachineRunner | undefined {
  const r =
    self !== null && typeof self === 'object' ? (self as { [RUNNER]?: MachineRunner })[RUNNER] : undefined;
  return r ?? active;
}

// ---- the transition engine's shared actor scope --------------------------------------------

let inertSystem: AnyActorSystem | undefined;
/** Action arrays, reused: a step allocates none in the steady state. */
const pool: ExecutableActionObject[][] = [];
let collecting: ExecutableActionObject[] = [];

/**
 * The `actorScope` every transition-engine step passes to `logic.transition`. Only one step
 * runs at a time (steps are synchronous), so one object serves every process: `self` is set
 * to the stepping runner, actions are collected instead of executed, and `defer` is unused
 * because the deferred built-ins (delays, cancel, sendTo, emit) are executed from the
 * collected actions by type.
 */
const scope = {
  self: undefined as unknown as AnyActorRef,
  id: 'corral',
  sessionId: 'corral',
  logger: (...args: unknown[]): void => active?.log(args),
  defer: (_fn: () => void): void => {},
  emit: (event: EventObject): void => active?.emitted(event),
  system: undefined as unknown as AnyActorSystem,
  stopChild: (_child: AnyActorRef): void => {},
  actionExecutor: (action: ExecutableActionObject): void => {
    collecting.push(action);
  },
};

function sharedScope(): AnyActorScope {
  // An actor that never starts, for the `system` xstate's scope must have (inspection, lookups
  // by systemId); the user's machine never runs in it.
  inertSystem ??= createActor(createMachine({})).system as AnyActorSystem;
  scope.system = inertSystem;
  return scope as unknown as AnyActorScope;
}

// ---- engine choice -------------------------------------------------------------------------

const engines = new WeakMap<AnyActorLogic, Engine>();

function isMachine(logic: AnyActorLogic): logic is AnyStateMachine {
  return logic instanceof StateMachine || ('root' in logic && 'getTransitionData' in logic);
}

interface NodeLike {
  invoke: readonly unknown[];
  states: Record<string, NodeLike>;
}

function invokes(node: NodeLike): boolean {
  if (node.invoke.length > 0) return true;
  for (const key in node.states) if (invokes(node.states[key]!)) return true;
  return false;
}

/** The engine a logic runs on by default (computed once per logic). */
export function defaultEngine(logic: AnyActorLogic): Engine {
  let e = engines.get(logic);
  if (e === undefined) {
    if (isMachine(logic)) e = invokes(logic.root as unknown as NodeLike) ? 'actor' : 'transition';
    else e = typeof logic.start === 'function' ? 'actor' : 'transition';
    engines.set(logic, e);
  }
  return e;
}

function hasChildren(snapshot: Snapshot<unknown>): boolean {
  const children = (snapshot as { children?: Record<string, unknown> }).children;
  if (children !== undefined) for (const _ in children) return true;
  return false;
}

const isActorLogic = (l: unknown): l is AnyActorLogic =>
  l !== null &&
  typeof l === 'object' &&
  typeof (l as AnyActorLogic).transition === 'function' &&
  typeof (l as AnyActorLogic).getInitialSnapshot === 'function';

// ---- the runner ----------------------------------------------------------------------------

type AnySnapshot = Snapshot<unknown> & {
  error?: unknown;
  output?: unknown;
  can?: (event: EventObject) => boolean;
};

/**
 * One machine in one process. For the transition engine it is also the machine's `self`
 * (xstate's `ActorRef` surface that machines use: `send`, `getSnapshot`, `id`), so an
 * action's `self.send(e)` puts `e` in the process's mailbox, as xstate's puts it in its own.
 */
export class MachineRunner {
  readonly [RUNNER]: MachineRunner;
  readonly engine: Engine;
  /** The snapshot (transition engine). */
  private snap: AnySnapshot = undefined as unknown as AnySnapshot;
  private actor: AnyActor | undefined = undefined;
  private timers: DelayedEvents | undefined = undefined;
  /** Set by the `stop(reason)` action: the process ends after the current step. */
  private stopRequest: { reason: unknown } | undefined = undefined;
  /** WebSocket commands the actions produced since the host last took them (statemHandler only). */
  commands: unknown[] | undefined = undefined;
  private inTurn = false;
  private wakePending = false;
  private halted = false;
  /** The stand-in's `_parent` (xstate reads it for `sendParent`): a process has none in xstate's sense. */
  readonly _parent: undefined = undefined;

  constructor(
    readonly logic: AnyActorLogic,
    readonly self: Self,
    private readonly opts: RunnerOptions,
  ) {
    if (!isActorLogic(logic))
      throw badArg(
        'a machine process needs xstate actor logic (createMachine, setup(...).createMachine, fromTransition, ...)',
      );
    const engine = opts.engine ?? defaultEngine(logic);
    if (engine !== 'transition' && engine !== 'actor')
      throw badArg(`engine must be 'transition' or 'actor', got ${String(engine)}`);
    if (engine === 'transition' && !isMachine(logic) && typeof logic.start === 'function')
      throw badArg(
        "this actor logic has a start() (fromPromise, fromCallback, ...): run it with engine: 'actor'",
      );
    this.engine = engine;
    this[RUNNER] = this;
  }

  // ---- xstate's ActorRef surface (transition engine `self`) ----------------------------------

  get id(): string {
    return (this.logic as { id?: string }).id ?? this.self.pid.toString();
  }

  get sessionId(): string {
    return this.self.pid.toString();
  }

  get system(): AnyActorSystem {
    return this.actor?.system ?? sharedScope().system;
  }

  /** Puts `event` in the process's mailbox (xstate's `self.send`). */
  send(event: EventObject): void {
    this.self.send(this.self.pid, event);
  }

  getSnapshot(): any {
    return this.actor === undefined ? this.snap : this.actor.getSnapshot();
  }

  getPersistedSnapshot(): Snapshot<unknown> {
    return this.actor === undefined
      ? this.logic.getPersistedSnapshot(this.snap)
      : this.actor.getPersistedSnapshot();
  }

  subscribe(): { unsubscribe(): void } {
    return { unsubscribe() {} };
  }

  on(): { unsubscribe(): void } {
    return { unsubscribe() {} };
  }

  toJSON(): { xstate$$type: 1; id: string } {
    return { xstate$$type: 1, id: this.id };
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Runs the initial transition (or restores the persisted snapshot) and its actions. */
  start(): void {
    const restored = this.opts.persist?.load();
    if (this.engine === 'actor') {
      const options: Record<string, unknown> = {
        clock: processClock(this.self),
        logger: (...args: unknown[]) => this.log(args),
      };
      if (this.opts.input !== undefined) options.input = this.opts.input;
      if (restored !== undefined) options.snapshot = restored.snapshot;
      const actor = createActor(this.logic, options as never);
      (actor as unknown as { [RUNNER]: MachineRunner })[RUNNER] = this;
      this.actor = actor;
      const observed = (): void => this.observed();
      actor.subscribe({ next: observed, error: observed, complete: observed });
      const onEmit = this.opts.onEmit;
      if (onEmit !== undefined) actor.on('*', (e: EventObject) => onEmit(e));
      this.inActor(() => actor.start());
      return;
    }
    const logic = this.logic;
    const input = this.opts.input;
    this.step((s) =>
      restored === undefined
        ? logic.getInitialSnapshot(s, input)
        : (logic.restoreSnapshot?.(restored.snapshot, s) ?? restored.snapshot),
    );
    if (restored !== undefined && restored.timers.length > 0) this.delayed().restore(restored.timers);
  }

  /** Handles one mailbox message: a delayed event, a call, a cast, or an info. */
  receive(msg: unknown): void {
    if (msg instanceof DelayedEvent) return this.fire(msg);
    if (msg instanceof ClockTick) return this.tick(msg);
    if (msg === WAKE) {
      this.wakePending = false; // the host's outcome check does the rest
      return;
    }
    if (msg instanceof GenServerCall) return this.call(msg);
    if (msg instanceof GenServerCast) return this.dispatch(castEvent(msg.msg));
    this.dispatch(infoEvent(msg));
  }

  /** Sends one event through the machine and runs its actions. */
  dispatch(event: EventObject): void {
    if (this.halted) return;
    const actor = this.actor;
    if (actor !== undefined) {
      this.inActor(() => actor.send(event));
      return;
    }
    const snap = this.snap;
    if (snap.status !== 'active') return; // xstate ignores events after done/error/stop
    const logic = this.logic;
    this.step((s) => logic.transition(snap, event, s));
  }

  /** `GenServer.call` / `Statem.call`: the event carries `$from`; `GenServer.getState`: the snapshot. */
  private call(c: GenServerCall): void {
    if (c.kind !== USER_CALL) {
      GenServer.reply(c, this.getSnapshot());
      return;
    }
    const event = callEvent(c.req, c);
    const snap = this.getSnapshot() as AnySnapshot;
    // A call no transition takes would leave its caller waiting for the timeout; gen_statem
    // would crash on it, xstate drops it: the caller learns at once instead.
    if (snap.status === 'active' && typeof snap.can === 'function' && !snap.can(event)) {
      c.fail(['unhandled', event.type]);
      return;
    }
    this.dispatch(event);
  }

  private fire(d: DelayedEvent): void {
    if (this.timers === undefined || !this.timers.take(d)) return; // cancelled or replaced meanwhile
    if (d.target === undefined || d.target === (this as unknown)) this.dispatch(d.event);
    else d.target.send(d.event);
  }

  private tick(t: ClockTick): void {
    if (t.cancelled || this.halted) return;
    t.cancelled = true;
    this.inActor(t.fn);
  }

  /**
   * Where the machine stands after a step: undefined while it runs (the snapshot is then
   * saved to the store, if any); the outcome when it reached a final state or asked to stop.
   * Throws the machine's error when it failed (the process then crashes with it).
   */
  outcome(): Outcome | undefined {
    const s = this.getSnapshot() as AnySnapshot;
    if (s.status === 'error') throw s.error;
    let out: Outcome | undefined;
    if (s.status === 'done') out = { kind: 'done', output: s.output };
    else if (this.stopRequest !== undefined) out = { kind: 'stop', reason: this.stopRequest.reason };
    else if (s.status === 'stopped') out = { kind: 'stop', reason: 'normal' };
    const store = this.opts.persist;
    if (out === undefined || (out.kind === 'stop' && !isCleanExit(out.reason))) this.save();
    else store?.clear();
    if (out !== undefined) this.halt();
    return out;
  }

  /** The process is being stopped from outside: the machine gets `corral.terminate`, then stops. */
  terminate(reason: unknown): void {
    if (this.halted) return;
    const s = this.getSnapshot() as AnySnapshot;
    try {
      if (s.status === 'active') this.dispatch(terminateEvent(reason));
    } finally {
      this.halt();
    }
    if (isCleanExit(reason)) this.opts.persist?.clear();
  }

  /** Cancels the machine's delayed events and stops its actor (and xstate children). */
  halt(): void {
    if (this.halted) return;
    this.halted = true;
    this.timers?.clear();
    const actor = this.actor;
    if (actor !== undefined && actor.getSnapshot().status === 'active') this.inActor(() => actor.stop());
  }

  /** Set by the `stop` action. */
  requestStop(reason: unknown): void {
    this.stopRequest ??= { reason };
    if (!this.inTurn) this.wake();
  }

  /** A WebSocket action produced a command (statemHandler only). */
  pushCommand(command: unknown): void {
    this.commands!.push(command);
    if (!this.inTurn) this.wake();
  }

  // ---- xstate's outputs -----------------------------------------------------------------------

  /** xstate's `log` action and the actor's logger. */
  log(args: unknown[]): void {
    const [first] = args;
    this.self.logger.info(
      { label: 'statem_log', values: args },
      typeof first === 'string' ? first : 'xstate log',
    );
  }

  /** xstate's `emit` action. */
  emitted(event: EventObject): void {
    this.opts.onEmit?.(event);
  }

  // ---- internals --------------------------------------------------------------------------------

  private delayed(): DelayedEvents {
    this.timers ??= new DelayedEvents(this.self);
    return this.timers;
  }

  private save(): void {
    const store = this.opts.persist;
    if (store === undefined) return;
    store.save({ snapshot: this.getPersistedSnapshot(), timers: this.timers?.persist() ?? [] });
  }

  /** Something changed in the actor engine outside the process's turn (a child settled): look at it in a turn. */
  private observed(): void {
    if (!this.inTurn) this.wake();
  }

  private wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    this.self.send(this.self.pid, WAKE);
  }

  /** Runs actor-engine code as this runner's turn. */
  private inActor(fn: () => void): void {
    const prevActive = active;
    const prevTurn = this.inTurn;
    active = this;
    this.inTurn = true;
    try {
      fn();
    } finally {
      active = prevActive;
      this.inTurn = prevTurn;
    }
  }

  /** One transition-engine step: compute the next snapshot, then execute its actions in order. */
  private step(compute: (scope: AnyActorScope) => AnySnapshot): void {
    const s = sharedScope();
    const acts = pool.pop() ?? [];
    const prevCollecting = collecting;
    const prevSelf = scope.self;
    const prevActive = active;
    const prevTurn = this.inTurn;
    collecting = acts;
    scope.self = this as unknown as AnyActorRef;
    active = this;
    this.inTurn = true;
    try {
      let next: AnySnapshot;
      try {
        next = compute(s);
      } finally {
        collecting = prevCollecting;
        scope.self = prevSelf;
      }
      this.snap = next;
      if (hasChildren(next)) throw childrenUnsupported(this.id);
      this.execute(acts);
    } finally {
      acts.length = 0;
      pool.push(acts);
      active = prevActive;
      this.inTurn = prevTurn;
    }
  }

  /** Executes a transition's actions as xstate's actor would, the deferred built-ins on the node. */
  private execute(actions: readonly ExecutableActionObject[]): void {
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]!;
      switch (a.type) {
        case 'xstate.raise': {
          const p = a.params as { event: EventObject; id?: string; delay?: number };
          // Without a delay the event was already processed in this macrostep (internal queue).
          if (typeof p.delay === 'number') this.delayed().schedule(p.id, p.event, p.delay, undefined);
          break;
        }
        case 'xstate.cancel':
          this.timers?.cancel((a.params as { sendId: string }).sendId);
          break;
        case 'xstate.sendTo': {
          const p = a.params as { to: AnyActorRef; event: EventObject; id?: string; delay?: number };
          if (typeof p.delay === 'number') this.delayed().schedule(p.id, p.event, p.delay, p.to);
          else p.to.send(p.event);
          break;
        }
        case 'xstate.log': {
          const p = a.params as { value: unknown; label?: string };
          this.log(p.label === undefined ? [p.value] : [p.label, p.value]);
          break;
        }
        case 'xstate.emit':
          this.emitted((a.params as { event: EventObject }).event);
          break;
        case 'xstate.spawnChild':
          throw childrenUnsupported(this.id);
        case 'xstate.stopChild':
          break; // no children here (spawning any fails above)
        default:
          a.exec?.(a.info, a.params);
      }
    }
  }
}
