import { ActorError, ExitException } from './errors.js';
import { formatReason } from './reason.js';

/** The generic-server function that failed (Erlang puts it in the exit reason: `{Reason, {gen_server, call, Args}}`). */
export type CallFunction = 'call' | 'stop' | 'getState';

/**
 * Why a `call`, `stop` or `getState` failed, as Erlang's `{Reason, {gen_server, call, ...}}` exit:
 * `'timeout'` (no reply in time), `'noproc'` (no such process, or a name nobody holds),
 * `'calling_self'` (a server calling itself would deadlock), or the exit reason of a server
 * that died before replying.
 *
 * @example
 * try {
 *   await GenServer.call(pid, 'slow', 100);
 * } catch (e) {
 *   if (e instanceof CallError && e.reason === 'timeout') retryLater();
 * }
 */
export class CallError extends ActorError {
  constructor(
    /** `'timeout'`, `'noproc'`, `'calling_self'`, or the server's exit reason. */
    readonly reason: unknown,
    readonly fn: CallFunction,
    /** The server as given (pid or `[name, node]`), for the message. */
    readonly server: unknown,
    /** The request, for `call`. */
    readonly request?: unknown,
  ) {
    super('ERR_CALL', `GenServer.${fn}(${describeServer(server)}) failed: ${formatReason(reason)}`);
    this.name = 'CallError';
  }
}

/**
 * Why `GenServer.start` / `startLink` (and the supervisors' starts) failed: the reason
 * `init` gave with `['stop', reason]`, `['crash', error]` when it threw, `'timeout'` when it
 * took longer than the start timeout, or `['already_started', pid]` when the name was taken.
 */
export class StartError extends ActorError {
  constructor(readonly reason: unknown) {
    super('ERR_START', `start failed: ${formatReason(reason)}`);
    this.name = 'StartError';
  }
}

/**
 * A callback returned something that is not one of its results: the server crashes with
 * this error (OTP's `{bad_return_value, Value}`), naming the callback and the value.
 */
export class BadReturnError extends ActorError {
  constructor(
    readonly callback: string,
    readonly value: unknown,
  ) {
    super('ERR_BAD_RETURN', `${callback} returned a malformed result: ${describeValue(value)}`);
    this.name = 'BadReturnError';
  }
}

function describeServer(server: unknown): string {
  if (Array.isArray(server)) return JSON.stringify(server[0]);
  return String(server);
}

/** A short, safe rendering of any value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** @internal The exit reason a thrown value stands for: `self.exit(r)` gives `r`, anything else is `['crash', e]`. */
export function reasonOf(e: unknown): unknown {
  return e instanceof ExitException ? e.reason : ['crash', e];
}
