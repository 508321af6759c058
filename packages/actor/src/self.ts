import { notInProcess } from './errors.js';
import type { Proc, Self } from './process.js';

/**
 * Which process's synchronous code is running. Only one runs at a time in a JS thread,
 * whatever its node, so this is execution context (like a thread-local), not a registry.
 * @internal
 */
export const executing: { proc: Proc | undefined } = { proc: undefined };

/**
 * The calling process's handle (Erlang's `self()`), for code that was not handed one: a
 * WebSocket handler's callbacks, a GenServer's, or helpers they call. Valid in the
 * synchronous part of a callback (before its first `await`); throws elsewhere.
 *
 * @example
 * websocketInit(state) {
 *   self().register(`user:${state.user}`);
 *   return ['ok', state];
 * }
 */
export function self<M = any>(): Self<M> {
  const proc = executing.proc;
  if (proc === undefined) throw notInProcess('self()');
  return proc as Self<M>;
}
