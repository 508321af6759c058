import type { InFrame, OutFrame } from '../codec/opcodes.js';
import type { DeflateOptions } from '../deflate/deflate-options.js';
import { compactReq, type Req } from './request.js';
import type { TerminateReason } from './terminate-reason.js';

/** Handler options (Cowboy 2.17's `cowboy_websocket:opts()`), returned from `init`. */
export interface WsOptions {
  /** Offer permessage-deflate to clients that ask for it (RFC 7692). Default false, as in Cowboy. */
  compress?: boolean;
  /**
   * permessage-deflate settings (Cowboy's `deflate_opts`: level, memLevel, strategy, context
   * takeover and window bits per side, plus `threshold`); see `DEFAULT_DEFLATE_OPTIONS`. A layer
   * that sets it replaces the whole object (as Cowboy's options map does). Default `{}`.
   */
  deflateOpts?: DeflateOptions;
  /** Close with `'timeout'` when nothing is received for this long (ms). Default 60000. */
  idleTimeout?: number;
  /**
   * What the connection keeps of the request for `terminate` (Cowboy's `req_filter`). The
   * default, {@link compactReq}, keeps the method, path, query string, peer and route bindings
   * and drops the headers, so an idle connection does not hold them; pass `(req) => req` to
   * keep everything.
   */
  reqFilter?: (req: Req) => Req;
  /** Largest frame or message payload accepted; larger closes with 1009. Default 1,000,000 bytes. */
  maxFrameSize?: number;
  /** Check that text frames and close reasons are UTF-8; bad ones close with 1007. Default true. */
  validateUtf8?: boolean;
  /**
   * Frames the connection may have waiting in its mailbox before it stops reading the
   * socket (Cowboy's `active_n` idea: the process must keep up with its socket). Default 64.
   */
  maxPendingFrames?: number;
  /**
   * Outgoing bytes the socket may hold unsent (a slow reader). While the socket cannot take
   * more (past its high-water mark) the connection stops reading; when output is due and more
   * than this is still unsent, that output is dropped and the connection closes with 1008 and
   * `['error', 'slow_reader']` (the close frame queued after the unread bytes, the socket
   * dropped `closeTimeout` later). So the socket holds at most this plus one batch of replies.
   * Default 16 MiB.
   */
  maxOutgoingBuffer?: number;
  /** After sending a close frame, how long to wait for the peer's before dropping the socket (ms). Default 5000. */
  closeTimeout?: number;
  /** Deliver exit signals of linked processes to `websocketInfo` as `['EXIT', pid, reason]` instead of ending the connection. Default false. */
  trapExit?: boolean;
}

/** A handler's reply frames: one frame or a list. */
export type Frames = OutFrame | readonly OutFrame[];

/** A Cowboy 2.7+ command (the commands form of a result). */
export type Command =
  | OutFrame
  | readonly ['active', boolean]
  | readonly ['deflate', boolean]
  | readonly ['set_options', { idleTimeout?: number; maxFrameSize?: number }]
  | readonly ['shutdown_reason', unknown];

/** What a websocket callback returns (Cowboy's `call_result()`), plus the commands form. */
export type CallResult<S> =
  | readonly ['ok', S]
  | readonly ['ok', S, 'hibernate']
  | readonly ['reply', Frames, S]
  | readonly ['reply', Frames, S, 'hibernate']
  | readonly ['stop', S]
  | readonly [readonly Command[], S]
  | readonly [readonly Command[], S, 'hibernate'];

/** What `init` returns: upgrade (optionally with options), or answer with plain HTTP (`req.reply(...)`; without one, 204). */
export type InitResult<S> =
  | readonly ['websocket', Req, S]
  | readonly ['websocket', Req, S, WsOptions]
  | readonly ['ok', Req, S];

/**
 * A WebSocket handler: Cowboy's `cowboy_websocket` behaviour in TypeScript. An object, or an
 * ES module's namespace (`import * as handler from './chat-handler.js'`).
 *
 * `init` runs before the connection process exists (with the HTTP request); every other
 * callback runs inside the connection's process, one at a time, in mailbox order: frames
 * from the socket and messages sent to the pid share one mailbox. A callback may return a
 * Promise of its result: the connection is then busy until it settles (frames wait).
 *
 * @example
 * const echo: Handler<{ n: number }> = {
 *   init: (req, state) => ['websocket', req, state],
 *   websocketHandle: (frame, state) =>
 *     frame[0] === 'text' ? ['reply', ['text', frame[1]], { n: state.n + 1 }] : ['ok', state],
 *   websocketInfo: (info, state) => ['reply', ['text', String(info)], state],
 * };
 */
export interface Handler<S = any, I = any> {
  init(req: Req, state: S): InitResult<S> | Promise<InitResult<S>>;
  websocketInit?(state: S): CallResult<S> | Promise<CallResult<S>>;
  websocketHandle(frame: InFrame, state: S): CallResult<S> | Promise<CallResult<S>>;
  /** Every message sent to the connection's pid. Optional: without it, such messages are logged and dropped. */
  websocketInfo?(info: I, state: S): CallResult<S> | Promise<CallResult<S>>;
  /** Called exactly once, with the reason, whatever ends the connection after `init`. */
  terminate?(reason: TerminateReason, req: Req, state: S): void;
}

/** Option defaults, in one place. */
export const DEFAULT_WS_OPTIONS: Required<WsOptions> = {
  compress: false,
  deflateOpts: {},
  idleTimeout: 60_000,
  reqFilter: compactReq,
  maxFrameSize: 1_000_000,
  validateUtf8: true,
  maxPendingFrames: 64,
  maxOutgoingBuffer: 16 * 1024 * 1024,
  closeTimeout: 5_000,
  trapExit: false,
};
