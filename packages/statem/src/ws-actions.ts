/**
 * Actions of a machine run by {@link statemHandler}: they become the commands of the
 * WebSocket callback's result (Cowboy 2.7's commands form), in the order they ran. In any
 * other machine they throw `ERR_STATEM_CONTEXT`.
 *
 * | Cowboy command                     | action                         |
 * | ---------------------------------- | ------------------------------ |
 * | `{text, Data}`, `{binary, Data}`   | `sendFrame(['text', data])`    |
 * | (a JSON text frame)                | `sendJson(value)`              |
 * | `{deflate, Bool}`                  | `deflate(bool)`                |
 * | `close`, `{close, Code, Reason}`   | `close(code?, reason?)`        |
 * | `{active, B}`, `{set_options, M}`, `{shutdown_reason, R}` | `wsCommand(command)` |
 *
 * @example
 * open: {
 *   entry: sendJson(({ context }) => ({ state: 'open', code: context.code })),
 *   on: { bye: { actions: close(1000, 'bye') } },
 * }
 */
import type { Command, OutFrame } from '@corral/websocket';
import type { ActionArgs, EventObject, MachineContext, ParameterizedObject } from 'xstate';
import { type AnyValue, type CorralAction, type Expr, resolveExpr, runnerFor } from './actions.js';
import { notWebSocket } from './errors.js';

type Args = ActionArgs<any, any, any>;

function push(action: string, args: Args, command: unknown): void {
  const r = runnerFor(action, args);
  if (r.commands === undefined) throw notWebSocket(action);
  r.pushCommand(command);
}

/** Sends a frame to the client: `['text', s]`, `['binary', buf]`, `'ping'`, ... */
export function sendFrame<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  frame: Expr<TContext, TExpressionEvent, TParams, TEvent, OutFrame>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function sendFrame(args: Args, params: unknown): void {
    push('sendFrame', args, resolveExpr(frame, args, params));
  }
  return sendFrame;
}

/** Sends `JSON.stringify(value)` as a text frame. */
export function sendJson<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  value: Expr<TContext, TExpressionEvent, TParams, TEvent, AnyValue>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function sendJson(args: Args, params: unknown): void {
    push('sendJson', args, ['text', JSON.stringify(resolveExpr(value, args, params))]);
  }
  return sendJson;
}

/** Turns permessage-deflate on or off for the next frames (when it was negotiated). */
export function deflate<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  enabled: Expr<TContext, TExpressionEvent, TParams, TEvent, boolean>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function deflate(args: Args, params: unknown): void {
    push('deflate', args, ['deflate', resolveExpr(enabled, args, params) === true]);
  }
  return deflate;
}

/**
 * Closes the connection (frames after it are dropped); the connection's terminate reason
 * is `'stop'`, so the machine then gets `corral.terminate` with `'stop'`.
 */
export function close<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  code?: Expr<TContext, TExpressionEvent, TParams, TEvent, number>,
  reason?: Expr<TContext, TExpressionEvent, TParams, TEvent, string>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function close(args: Args, params: unknown): void {
    const c = code === undefined ? undefined : (resolveExpr(code, args, params) as number);
    const r = reason === undefined ? undefined : (resolveExpr(reason, args, params) as string);
    push('close', args, c === undefined ? 'close' : r === undefined ? ['close', c] : ['close', c, r]);
  }
  return close;
}

/** Any other Cowboy command: `['active', false]`, `['set_options', { idleTimeout }]`, `['shutdown_reason', r]`. */
export function wsCommand<
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
>(
  command: Expr<TContext, TExpressionEvent, TParams, TEvent, Command>,
): CorralAction<TContext, TExpressionEvent, TParams, TEvent> {
  function wsCommand(args: Args, params: unknown): void {
    push('wsCommand', args, resolveExpr(command, args, params));
  }
  return wsCommand;
}
