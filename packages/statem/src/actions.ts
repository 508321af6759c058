/**
 * Actions a machine uses to talk to the Corral world, written like xstate's own action
 * creators: put them in `entry`, `exit` or a transition's `actions`. Each argument is a
 * value or an expression `({ context, event }, params) => value` (so to send or reply with a
 * function value, return it from an expression).
 *
 * They run as the machine's process (its `self`): in a machine started by `spawnMachine`,
 * `Statem.start`/`startLink` or `statemHandler`. Anywhere else they throw
 * `ERR_STATEM_CONTEXT`, except `reply`/`replyTo`, which need only a `from`.
 *
 * | gen_statem                              | action                                   |
 * | --------------------------------------- | ---------------------------------------- |
 * | `{reply, From, Reply}` for this event   | `reply(value)`                           |
 * | `gen_statem:reply(From, Reply)` later   | `replyTo(from, value)`                   |
 * | `Pid ! Msg`, `Name ! Msg`               | `send(dest, message)`                    |
 * | `gen_server:cast(Dest, Msg)`            | `cast(dest, message)`                    |
 * | `link/1`, `unlink/1`                    | `link(pid)`, `unlink(pid)`               |
 * | `monitor(process, P)`, `demonitor/2`    | `monitor(dest)`, `demonitor(dest)`       |
 * | `process_flag(trap_exit, B)`            | `trapExit(flag)`                         |
 * | `{stop, Reason}`                        | `stop(reason)`                           |
 *
 * @example
 * const door = setup({ types: { events: {} as CallEvent<{ type: 'open' }, boolean> } }).createMachine({
 *   initial: 'closed',
 *   states: {
 *     closed: { on: { open: { target: 'open', actions: [reply(true), send('audit', { type: 'opened' })] } } },
 *     open: { on: { open: { actions: reply(false) } } },
 *   },
 * });
 */
import { type Dest, type ExitReason, type From, GenServer, type Pid } from '@corral/actor';
import type { ActionArgs, ActionFunction, EventObject, MachineContext, ParameterizedObject } from 'xstate';
import { fromOf } from './envelope.js';
import { outsideMachine } from './errors.js';
import { type MachineRunner, runnerOf } from './runner.js';

/**
 * Any value, spelled as a union: `unknown | F` would collapse to `unknown`, and an expression
 * passed where `unknown` is expected gets no contextual types for `{ context, event }`.
 */
export type AnyValue = NonNullable<unknown> | null | undefined;

/** A value, or an expression computing it from the action's arguments and params. */
export type Expr<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
  T,
> = T | ((args: ActionArgs<TContext, TExpressionEvent, TEvent>, params: TParams) => T);

/** What every creator here returns: an xstate action function. */
export type CorralAction<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
> = ActionFunction<TContext, TExpressionEvent, TEvent, TParams, never, never, never, never, never>;

type Args = ActionArgs<any, any, any>;

/** @internal Evaluates a value-or-expression argument. */
export function resolveExpr(expr: unknown, args: Args, params: unknown): any {
  return typeof expr === 'function' ? (expr as (a: Args, p: unknown) => unknown)(args, params) : expr;
}

/** @internal The runner an action runs in, or the error that says it has none. */
export function runnerFor(action: string, args: Args): MachineRunner {
  const r = runnerOf(args.self);
  if (r === undefined) throw outsideMachine(action);
  return r;
}

/**
 * Answers the call that brought the current event (gen_statem's `{reply, From, Reply}`).
 * For an event that did not come as a call (a cast, an info, a raised event) it does nothing,
 * so one transition can serve both.
 *
 * @example
 * on: { status: { actions: reply(({ context }) => context.attempts) } }
 * // caller: await Statem.call<number>(lock, { type: 'status' })
 */
export function reply<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  value: Expr<TContext, TExpressionEvent, TParams, TEvent, AnyValue>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function reply(args: Args, params: unknown): void {
    const from = fromOf(args.event as EventObject);
    if (from !== undefined) GenServer.reply(from, resolveExpr(value, args, params));
  }
  return reply;
}

/**
 * Answers a call later (gen_statem:reply/2): keep `event.$from` in context when the call
 * comes, reply when the answer is known. Replying twice, or after the caller gave up, does nothing.
 *
 * @example
 * waiting: {
 *   on: { ready: { target: 'idle', actions: replyTo(({ context }) => context.caller!, 'done') } },
 * }
 */
export function replyTo<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  from: Expr<TContext, TExpressionEvent, TParams, TEvent, From<any> | undefined>,
  value: Expr<TContext, TExpressionEvent, TParams, TEvent, AnyValue>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function replyTo(args: Args, params: unknown): void {
    const to = resolveExpr(from, args, params) as From<unknown> | undefined;
    if (to !== undefined) GenServer.reply(to, resolveExpr(value, args, params));
  }
  return replyTo;
}

/**
 * Sends a message to a pid or a registered name (Erlang's `Dest ! Msg`); a name nobody holds
 * crashes the machine's process, as `badarg` does in Erlang.
 *
 * @example
 * entry: send(({ context }) => context.player, ({ context }) => ({ type: 'your_turn', board: context.board }))
 */
export function send<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  dest: Expr<TContext, TExpressionEvent, TParams, TEvent, Dest>,
  message: Expr<TContext, TExpressionEvent, TParams, TEvent, AnyValue>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function send(args: Args, params: unknown): void {
    const r = runnerFor('send', args);
    r.self.send(resolveExpr(dest, args, params) as Pid<unknown>, resolveExpr(message, args, params));
  }
  return send;
}

/**
 * `GenServer.cast` to a pid or a name on this node (the message reaches a GenServer's
 * `handleCast`, or a machine as a cast event). Dropped silently if nobody is there, as in OTP.
 *
 * @example
 * exit: cast('stats', { type: 'door_closed' })
 */
export function cast<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  dest: Expr<TContext, TExpressionEvent, TParams, TEvent, Dest>,
  message: Expr<TContext, TExpressionEvent, TParams, TEvent, AnyValue>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function cast(args: Args, params: unknown): void {
    const r = runnerFor('cast', args);
    const d = resolveExpr(dest, args, params) as Dest;
    GenServer.cast(typeof d === 'string' ? [d, r.self.node] : d, resolveExpr(message, args, params));
  }
  return cast;
}

/**
 * Links the machine's process to `pid` (a link to a dead pid ends the process with
 * `'noproc'`, or gives it a `corral.exit` event when it traps exits).
 */
export function link<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  pid: Expr<TContext, TExpressionEvent, TParams, TEvent, Pid<any>>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function link(args: Args, params: unknown): void {
    runnerFor('link', args).self.link(resolveExpr(pid, args, params));
  }
  return link;
}

/** Removes a link. */
export function unlink<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  pid: Expr<TContext, TExpressionEvent, TParams, TEvent, Pid<any>>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function unlink(args: Args, params: unknown): void {
    runnerFor('unlink', args).self.unlink(resolveExpr(pid, args, params));
  }
  return unlink;
}

/**
 * Monitors a pid or a name: when it ends, the machine gets
 * `{ type: 'corral.down', ref, pid, reason }`.
 *
 * @example
 * entry: monitor(({ context }) => context.owner),
 * on: { 'corral.down': { target: 'abandoned' } }
 */
export function monitor<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  dest: Expr<TContext, TExpressionEvent, TParams, TEvent, Dest>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function monitor(args: Args, params: unknown): void {
    runnerFor('monitor', args).self.monitor(resolveExpr(dest, args, params));
  }
  return monitor;
}

/**
 * Removes every monitor the machine's process holds on `dest` (a pid, or a name as it
 * resolves now) and flushes their pending `DOWN`s, so no `corral.down` for it follows.
 */
export function demonitor<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  dest: Expr<TContext, TExpressionEvent, TParams, TEvent, Dest>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function demonitor(args: Args, params: unknown): void {
    const self = runnerFor('demonitor', args).self;
    const d = resolveExpr(dest, args, params) as Dest;
    const pid = typeof d === 'string' ? self.node.whereis(d) : d;
    if (pid === undefined) return;
    for (const m of self.node.processInfo(self.pid)?.monitors ?? [])
      if (m.pid === pid) self.demonitor(m.ref, { flush: true });
  }
  return demonitor;
}

/** Sets the process's trap-exit flag: exit signals from links then arrive as `corral.exit` events. */
export function trapExit<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  flag: Expr<TContext, TExpressionEvent, TParams, TEvent, boolean>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function trapExit(args: Args, params: unknown): void {
    runnerFor('trapExit', args).self.trapExit(resolveExpr(flag, args, params) === true);
  }
  return trapExit;
}

/**
 * Ends the machine's process with `reason` once the current step's actions have run
 * (gen_statem's `{stop, Reason}`). `'normal'` (the default) and `'shutdown'` are clean
 * exits; any other reason is abnormal: linked processes die with it, and a supervisor
 * restarts a transient child.
 *
 * @example
 * on: { eject: { actions: [send(({ context }) => context.owner, 'ejected'), stop(['shutdown', 'ejected'])] } }
 */
export function stop<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  reason: Expr<TContext, TExpressionEvent, TParams, TEvent, ExitReason> = 'normal',
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function stop(args: Args, params: unknown): void {
    runnerFor('stop', args).requestStop(resolveExpr(reason, args, params));
  }
  return stop;
}
