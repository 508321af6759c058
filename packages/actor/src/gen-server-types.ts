import type { Call, Cast } from './gen-server-call.js';
import type { Node } from './node-core.js';
import type { Pid } from './pid.js';
import type { Self } from './process.js';
import type { ExitReason, SystemMessage } from './reason.js';

/**
 * The types a GenServer is written against, as one bag (every key optional):
 * `args` (what `init` gets), `state`, `call` / `reply` (requests and their replies),
 * `cast`, `info` (plain messages sent to the pid), `continue` (what `['continue', x]` carries)
 * and `ignore: true` if `init` may return `'ignore'`.
 *
 * @example
 * type CounterTypes = { args: number; state: number; call: 'get' | ['add', number]; reply: number; cast: 'reset' };
 */
export interface GenServerTypes {
  args?: unknown;
  state?: unknown;
  call?: unknown;
  reply?: unknown;
  cast?: unknown;
  info?: unknown;
  continue?: unknown;
  /** Set to `true` when `init` may return `'ignore'`; `start` then resolves `Pid | 'ignore'`. */
  ignore?: boolean;
}

type Field<T, K extends keyof GenServerTypes, D> = T extends { [P in K]: infer V } ? V : D;

export type ArgsOf<T> = Field<T, 'args', undefined>;
export type StateOf<T> = Field<T, 'state', unknown>;
export type RequestOf<T> = Field<T, 'call', never>;
export type ReplyOf<T> = Field<T, 'reply', unknown>;
export type CastOf<T> = Field<T, 'cast', never>;
export type InfoOf<T> = Field<T, 'info', never>;
export type ContinueOf<T> = Field<T, 'continue', never>;

/**
 * What a result may ask for after the new state (OTP's `timeout() | hibernate | {continue, C}`):
 * a number of ms after which `'timeout'` reaches `handleInfo` unless a message comes first,
 * `'infinity'` (the same as nothing), `'hibernate'`, or `['continue', c]` to run
 * `handleContinue(c)` before the next message.
 */
export type Action<C = never> = number | 'infinity' | 'hibernate' | ['continue', C];

/** `init`'s results (OTP `Module:init/1`). */
export type InitResult<S, C = never, Ignore = never> =
  | ['ok', S]
  | ['ok', S, Action<C>]
  | ['stop', ExitReason]
  | Ignore;

/** `handleCall`'s results (OTP `Module:handle_call/3`). */
export type CallResult<R, S, C = never> =
  | ['reply', R, S]
  | ['reply', R, S, Action<C>]
  | ['noreply', S]
  | ['noreply', S, Action<C>]
  | ['stop', ExitReason, R, S]
  | ['stop', ExitReason, S];

/** `handleCast`'s, `handleInfo`'s and `handleContinue`'s results. */
export type NoReplyResult<S, C = never> =
  | ['noreply', S]
  | ['noreply', S, Action<C>]
  | ['stop', ExitReason, S];

/** A result, or a promise of one: the server is busy (its mailbox waits) until it settles. */
export type MaybeAsync<R> = R | Promise<R>;

/**
 * The opaque "from" of a call: pass it to `GenServer.reply(from, value)` to answer later
 * (OTP's `From` for deferred replies). Replying twice, or after the caller gave up, does nothing.
 */
export interface From<Reply> {
  /** Phantom: the reply type. */
  readonly __reply?: (reply: Reply) => void;
}

/** Every message a GenServer pid accepts: calls, casts and plain (info) messages. */
export type ServerMessage<T> = Call<RequestOf<T>, ReplyOf<T>> | Cast<CastOf<T>> | InfoOf<T>;

/** A GenServer's pid, typed by its requests, casts and info messages. */
export type GenServerPid<T> = Pid<ServerMessage<T>>;

/**
 * How a server is named to `call`, `cast`, `stop` and `getState`: its pid, or
 * `[name, node]` for a name registered on `node` (Erlang's `{Name, Node}`; a bare name
 * needs its node because several nodes may live in one JS process).
 */
export type ServerRef<M = any> = Pid<M> | readonly [name: string, node: Node];

/** The argument of `formatStatus` (OTP's `format_status/1` map): what logs and `processInfo` show. */
export interface Status<S> {
  state: S;
  /** The last message handled, when the server is terminating. */
  message?: unknown;
  /** The exit reason, when the server is terminating. */
  reason?: unknown;
}

/** What `handleInfo` may receive: the declared info messages, `'timeout'`, and EXIT / DOWN messages. */
export type InfoMessage<T> = InfoOf<T> | 'timeout' | SystemMessage;

/**
 * A GenServer callback module (OTP `gen_server`, Elixir `GenServer`): the generic server
 * owns the loop, the module owns only these callbacks. `init` is required, the rest are
 * optional. Every callback may return a promise: the server is then busy, as an Erlang
 * process blocked in a callback, and its mailbox waits.
 *
 * @example
 * type T = { args: number; state: number; call: 'get' | ['add', number]; reply: number; cast: 'reset' };
 * const Counter: GenServerBehaviour<T> = {
 *   name: 'counter',
 *   init: (start) => ['ok', start],
 *   handleCall: (req, _from, n) => (req === 'get' ? ['reply', n, n] : ['reply', n + req[1], n + req[1]]),
 *   handleCast: (_reset, _n) => ['noreply', 0],
 * };
 * const pid = await GenServer.start(node, Counter, 0);
 * await GenServer.call(pid, ['add', 2]); // 2
 */
export interface GenServerBehaviour<T extends GenServerTypes = GenServerTypes> {
  /** Shown by `processInfo` as the process's behaviour; default `'gen_server'`. */
  readonly name?: string;
  /** Runs inside the new process before `start` settles. */
  init(
    args: ArgsOf<T>,
    self: Self<ServerMessage<T>>,
  ): MaybeAsync<InitResult<StateOf<T>, ContinueOf<T>, T extends { ignore: true } ? 'ignore' : never>>;
  /** A `call`: reply now (`['reply', r, s]`) or later with `GenServer.reply(from, r)` (`['noreply', s]`). */
  handleCall?(
    request: RequestOf<T>,
    from: From<ReplyOf<T>>,
    state: StateOf<T>,
    self: Self<ServerMessage<T>>,
  ): MaybeAsync<CallResult<ReplyOf<T>, StateOf<T>, ContinueOf<T>>>;
  /** A `cast`. */
  handleCast?(
    message: CastOf<T>,
    state: StateOf<T>,
    self: Self<ServerMessage<T>>,
  ): MaybeAsync<NoReplyResult<StateOf<T>, ContinueOf<T>>>;
  /**
   * Any other message: `node.send(pid, m)`, `'timeout'` after a timeout action, EXIT messages
   * when trapping exits (except from the parent), DOWN messages. Default: log it as
   * `no_handle_info` and carry on.
   */
  handleInfo?(
    message: InfoMessage<T>,
    state: StateOf<T>,
    self: Self<ServerMessage<T>>,
  ): MaybeAsync<NoReplyResult<StateOf<T>, ContinueOf<T>>>;
  /** Runs right after a result that ended with `['continue', c]`, before the next message. */
  handleContinue?(
    arg: ContinueOf<T>,
    state: StateOf<T>,
    self: Self<ServerMessage<T>>,
  ): MaybeAsync<NoReplyResult<StateOf<T>, ContinueOf<T>>>;
  /**
   * Runs before the server exits: after a `stop` result or `GenServer.stop`, after a crash in
   * a callback, and on an exit signal from the parent when the server traps exits (the
   * supervisor shutdown path). Not run on `'kill'` or on an untrapped exit signal.
   */
  terminate?(reason: ExitReason, state: StateOf<T>, self: Self<ServerMessage<T>>): MaybeAsync<unknown>;
  /** Shapes what `processInfo(pid).state` and termination logs show (e.g. to hide secrets). */
  formatStatus?(status: Status<StateOf<T>>): Status<unknown>;
}

/** Options of `GenServer.start` / `startLink`. */
export interface StartOptions {
  /** Register the server under this name before `init` runs (taken → `['already_started', pid]`). */
  name?: string;
  /** Milliseconds `init` may take (node clock); past it the process is killed and start rejects with `'timeout'`. Default `'infinity'`. */
  timeout?: number | 'infinity';
}

/** What `start` resolves with: the pid, or `'ignore'` for servers declaring `ignore: true`. */
export type Started<T> = T extends { ignore: true } ? GenServerPid<T> | 'ignore' : GenServerPid<T>;
