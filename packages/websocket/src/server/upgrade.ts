/**
 * The HTTP → WebSocket upgrade of one request, usable wherever Node hands over an upgrade:
 * a standalone listener, an existing `http.Server`'s `'upgrade'` event, Express or Fastify.
 *
 * {@link handleUpgrade} follows Cowboy's `cowboy_handler` + `cowboy_websocket:upgrade`:
 *
 * 1. the handshake is checked (RFC 6455 §4.2.1); a bad one is answered 400, or 426 for the
 *    version, on the raw socket, which is then closed — `init` is not called;
 * 2. `handler.init(req, state)` runs (it may return a Promise), outside any process;
 * 3. `['ok', req, s]`: the reply set with `req.reply(...)` (204 when none) is written, the
 *    socket closed, and `terminate('normal', req, s)` runs, as Cowboy does;
 * 4. `['websocket', req, s, opts?]`: the 101 goes out with `req.respHeaders` (the sub-protocol
 *    `init` selected, if any: when the client offered some and `init` chose none, no
 *    `Sec-WebSocket-Protocol` is sent, as in Cowboy, and the client decides), and the
 *    connection process starts — under the listener's supervisor when there is one.
 *
 * `init` throwing answers 500 and logs a `ws_init_crash` record (then `terminate` runs with
 * `['crash', 'error', err]`, as `cowboy_handler` does); a result of any other shape, a
 * sub-protocol the client did not offer, or a response header that cannot be written is also
 * a 500, logged as `ws_init_bad_result` with the reason. A socket that errors or closes
 * during the handshake never throws: its `'error'` is handled from the first moment.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { handleUpgrade } from '@corral/websocket';
 *
 * const server = createServer(app); // an Express app, or any request listener
 * server.on('upgrade', (req, socket, head) => {
 *   if (req.url === '/ws') void handleUpgrade(node, req, socket, head, echoHandler, {});
 *   else socket.destroy();
 * });
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CallError, DynamicSupervisor, formatReason, isThenable, type Node, type Pid } from '@corral/actor';
import { encodeCloseFrame } from '../codec/frame-serializer.js';
import type { ConnectionSpec } from '../connection/index.js';
import { type NegotiatedDeflate, negotiateDeflate } from '../deflate/negotiate.js';
import type { Handler, WsOptions } from '../handler/handler.js';
import { Req } from '../handler/request.js';
import type { TerminateReason } from '../handler/terminate-reason.js';
import { connectionChildSpec } from './connection-child.js';
import { checkHandshake } from './handshake-check.js';
import { buildHttpResponse, buildUpgradeResponse, type ResponseHeaders } from './http-response.js';
import { sharedOptions } from './options.js';
import { guardSocket, startGuarded } from './socket-guard.js';

/** Options of {@link handleUpgrade}. */
export interface UpgradeOptions {
  /** Options under what `init` returns (over {@link DEFAULT_WS_OPTIONS}): the listener's and route's. */
  defaults?: WsOptions;
  /** Values the route bound (`req.bindings`). */
  bindings?: Record<string, string>;
  /**
   * Start the connection as a temporary child of this `DynamicSupervisor` (a listener's).
   * Default: an unsupervised process.
   */
  supervisor?: Pid;
  /** With `supervisor`: how long the connection may take to close when the supervisor stops (ms). Default 5000. */
  shutdownTimeout?: number;
}

/** How long a socket answered with plain HTTP may wait for the client to close its side (ms). */
const LINGER_MS = 5000;

// A shared listener: nothing allocated per socket.
function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * Answers with plain HTTP on the raw socket and closes it: our side ends after the response,
 * unread input is drained so the close is not a reset, and a client that keeps its side open
 * is dropped after {@link LINGER_MS}.
 */
export function respondAndClose(socket: Duplex, response: Buffer): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  socket.end(response);
  socket.resume();
  const s = socket as Partial<Socket>;
  if (typeof s.setTimeout === 'function') {
    s.setTimeout(LINGER_MS);
    socket.once('timeout', destroySocket);
  }
}

/**
 * Handles one upgrade request (see the module documentation). Resolves with the connection's
 * pid once the 101 is written and the process started, or `undefined` when the request was
 * answered with plain HTTP (or the client went away); never rejects.
 *
 * The checks and a synchronous `init` run at once; what follows (an async `init`, the start
 * under the supervisor) holds the compact request, not Node's: an upgrade waiting for its
 * supervisor must not keep Node's request and its headers alive (thousands may be in flight).
 */
export function handleUpgrade<S>(
  node: Node,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  handler: Handler<S>,
  state: S,
  options: UpgradeOptions = {},
): Promise<Pid | undefined> {
  guardSocket(socket);
  const check = checkHandshake(req);
  if (!check.ok) {
    respondAndClose(socket, buildHttpResponse(check.status, check.headers, check.body));
    return NOTHING;
  }
  const request = new Req(req, options.bindings);
  let result: unknown;
  try {
    result = handler.init(request, state);
  } catch (e) {
    initThrew(node, socket, handler, request, state, e);
    return NOTHING;
  }
  // A promise of a result keeps `raw` until it settles (init may still read it); a result drops it now.
  if (!isThenable(result)) request.raw = undefined;
  return completeUpgrade(node, socket, head, handler, state, options, request, check.key, result);
}

/** The answer of an upgrade that made no connection. */
const NOTHING: Promise<undefined> = Promise.resolve(undefined);

/** `init` threw (or rejected): logged as `ws_init_crash`, answered 500, `terminate` runs with the crash. */
function initThrew<S>(
  node: Node,
  socket: Duplex,
  handler: Handler<S>,
  request: Req,
  state: S,
  e: unknown,
): void {
  request.raw = undefined;
  node.logger.error(
    { label: 'ws_init_crash', path: request.path, peer: request.peer.address, ...errorFields(e) },
    'WebSocket handler init threw',
  );
  respondAndClose(socket, buildHttpResponse(500));
  runTerminate(node, handler, ['crash', 'error', e], request, state);
}

/** The rest of an upgrade, from `init`'s result (or its promise) on. */
async function completeUpgrade<S>(
  node: Node,
  socket: Duplex,
  head: Buffer,
  handler: Handler<S>,
  state: S,
  options: UpgradeOptions,
  request: Req,
  key: string,
  pending: unknown,
): Promise<Pid | undefined> {
  let result: unknown = pending;
  if (isThenable(pending)) {
    try {
      result = await pending;
    } catch (e) {
      initThrew(node, socket, handler, request, state, e);
      return undefined;
    }
    request.raw = undefined;
  }

  if (!Array.isArray(result) || (result[0] !== 'websocket' && result[0] !== 'ok'))
    return initFailed(
      node,
      socket,
      handler,
      result,
      "init must return ['websocket', req, state, opts?] or ['ok', req, state]",
      request,
      state,
    );
  const kind = result[0] as 'websocket' | 'ok';
  const r = result[1] as unknown;
  const s = result[2] as S;
  if (!(r instanceof Req) || result.length < 3 || result.length > (kind === 'ok' ? 3 : 4))
    return initFailed(
      node,
      socket,
      handler,
      result,
      `init returned a malformed ['${kind}', ...] result`,
      request,
      state,
    );
  r.raw = undefined;

  if (kind === 'ok') {
    const reply = r.httpReply;
    let response: Buffer;
    try {
      response =
        reply === undefined
          ? buildHttpResponse(204, r.respHeaders)
          : buildHttpResponse(
              reply.status,
              { ...r.respHeaders, ...(reply.headers as ResponseHeaders) },
              reply.body,
            );
    } catch (e) {
      return initFailed(
        node,
        socket,
        handler,
        result,
        `its reply cannot be written: ${String((e as Error).message ?? e)}`,
        r,
        s,
        e,
      );
    }
    respondAndClose(socket, response);
    runTerminate(node, handler, 'normal', r, s);
    return undefined;
  }

  // RFC 6455 §4.2.2 /subprotocol/: "a single value representing the subprotocol the server is
  // ready to use ... MUST be derived from the values that the client sent".
  const chosen = r.respHeaders['sec-websocket-protocol'];
  if (chosen !== undefined && !r.protocols.includes(chosen))
    return initFailed(
      node,
      socket,
      handler,
      result,
      `the sub-protocol ${JSON.stringify(chosen)} was not offered by the client`,
      r,
      s,
    );
  // RFC 6455 §9.1: the 101 names the extensions the server will use, and those are negotiated
  // here (`compress`); one named by the handler would not be applied (nor would a second
  // Sec-WebSocket-Extensions line make sense beside ours).
  if (hasHeader(r.respHeaders, 'sec-websocket-extensions'))
    return initFailed(
      node,
      socket,
      handler,
      result,
      'init set Sec-WebSocket-Extensions: extensions are negotiated by the server (the compress option)',
      r,
      s,
    );
  let opts: Required<WsOptions>;
  let response: Buffer;
  let deflate: NegotiatedDeflate | undefined;
  try {
    opts = sharedOptions(options.defaults, result[3] as WsOptions | undefined, 'init');
    // RFC 7692 §5: with `compress`, the first acceptable permessage-deflate offer is taken and the
    // 101 lists its parameters; none acceptable means no compression, never a failed handshake.
    deflate = opts.compress ? negotiateDeflate(r.extensions, opts.deflateOpts) : undefined;
    response = buildUpgradeResponse(key, r.respHeaders, deflate?.header);
  } catch (e) {
    return initFailed(node, socket, handler, result, String((e as Error).message ?? e), r, s, e);
  }

  if (socket.destroyed || !socket.writable) {
    // The client left while init ran: no connection, but terminate still runs, once.
    runTerminate(node, handler, ['error', 'closed'], r, s);
    return undefined;
  }
  const sup = options.supervisor;
  if (sup !== undefined && !node.isAlive(sup)) {
    respondAndClose(socket, buildHttpResponse(503));
    runTerminate(node, handler, 'shutdown', r, s);
    return undefined;
  }
  const spec: ConnectionSpec<S> = {
    node,
    socket: socket as Socket,
    head,
    req: r,
    handler,
    state: s,
    opts,
    deflate,
  };
  // The 101 first, then the process: its first frames (from websocketInit) come after it.
  socket.write(response);
  const tcp = socket as Partial<Socket>;
  if (typeof tcp.setNoDelay === 'function') tcp.setNoDelay(true);
  if (typeof tcp.setTimeout === 'function') tcp.setTimeout(0);
  if (sup === undefined) {
    try {
      return startGuarded(spec);
    } catch (e) {
      return notStarted(node, socket, handler, r, s, e);
    }
  }
  // Until the supervisor runs the start, bytes wait in the socket (nothing reads it yet).
  let started: Awaited<ReturnType<typeof DynamicSupervisor.startChild>>;
  try {
    started = await DynamicSupervisor.startChild(sup, connectionChildSpec(spec, options.shutdownTimeout));
  } catch (e) {
    // The supervisor went away (the listener is closing) after the 101 went out.
    return notStarted(node, socket, handler, r, s, e);
  }
  if (started[0] === 'error') return notStarted(node, socket, handler, r, s, started[1]);
  if (started[1] === undefined) {
    // The start saw the socket closed: no process, but terminate still runs, once.
    runTerminate(node, handler, ['error', 'closed'], r, s);
    return undefined;
  }
  return started[1];
}

/** Whether `headers` has `lower` under any spelling (no array per upgrade: most have no headers). */
function hasHeader(headers: Record<string, string>, lower: string): boolean {
  for (const name in headers) if (name.toLowerCase() === lower) return true;
  return false;
}

/**
 * The 101 is out but no process could be started: close with 1001 when the supervisor is
 * gone (the listener is stopping: 'going away'), 1011 otherwise, and run `terminate`.
 */
function notStarted<S>(
  node: Node,
  socket: Duplex,
  handler: Handler<S>,
  req: Req,
  state: S,
  why: unknown,
): undefined {
  const gone = why instanceof CallError;
  // A listener closing while a handshake finishes is expected (warn); a start that failed is a bug (error).
  node.logger[gone ? 'warn' : 'error'](
    {
      label: 'ws_start_failed',
      path: req.path,
      reason: formatReason(gone ? why.reason : why),
      ...errorFields(why),
    },
    'could not start the connection process',
  );
  respondAndClose(socket, encodeCloseFrame(gone ? 1001 : 1011));
  runTerminate(node, handler, gone ? 'shutdown' : ['crash', 'error', why], req, state);
  return undefined;
}

/**
 * `init` returned something that cannot be acted on (`reason` says what): logged as
 * `ws_init_bad_result`, answered 500, and `terminate` runs with a crash.
 */
function initFailed<S>(
  node: Node,
  socket: Duplex,
  handler: Handler<S>,
  result: unknown,
  reason: string,
  req: Req,
  state: S,
  error?: unknown,
): undefined {
  node.logger.error(
    { label: 'ws_init_bad_result', path: req.path, reason, result: describe(result) },
    `WebSocket handler init: ${reason}`,
  );
  respondAndClose(socket, buildHttpResponse(500));
  runTerminate(node, handler, ['crash', 'error', error ?? new TypeError(reason)], req, state);
  return undefined;
}

/** Runs the optional `terminate` for a handshake that ended before the process existed. */
function runTerminate<S>(node: Node, handler: Handler<S>, reason: TerminateReason, req: Req, state: S): void {
  const t = handler.terminate;
  if (t === undefined) return;
  try {
    t.call(handler, reason, req, state);
  } catch (e) {
    node.logger.error({ label: 'ws_terminate_crash', path: req.path, ...errorFields(e) }, 'terminate threw');
  }
}

function errorFields(e: unknown): { err: Error } | { thrown: unknown } {
  return e instanceof Error ? { err: e } : { thrown: e };
}

/** A short printable form of a value for a log record. */
function describe(value: unknown): string {
  try {
    // `this[key]` is the value before its toJSON (a Buffer's would list every byte).
    const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      if (raw instanceof Req) return `<Req ${raw.method} ${raw.path}>`;
      if (Buffer.isBuffer(raw)) return `<Buffer ${raw.length} bytes>`;
      return v;
    });
    if (text === undefined) return String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
