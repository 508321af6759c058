/**
 * What a listener allows a client before its socket becomes a connection: the defences against
 * hostile clients that act at the HTTP level (the per-connection limits are `WsOptions`).
 *
 * - **`handshakeTimeout`** (default {@link DEFAULT_HANDSHAKE_TIMEOUT}): a socket must deliver a
 *   complete request head within this many ms of being accepted, or it is answered `408` and
 *   dropped — a client that connects and sends nothing, or drips header bytes (slowloris), holds
 *   a socket for at most this long. Measured on the node's clock by {@link HandshakeDeadline}, and
 *   also given to Node's own `headersTimeout`/`requestTimeout` on the server, which bound later
 *   requests on a kept-alive plain HTTP connection. Cowboy's `request_timeout` (5 s) is the same
 *   rule ("runs until the full set of request headers is received. It is not reset").
 * - **`maxHeaderSize`** (default {@link DEFAULT_MAX_HEADER_SIZE}): the request line and headers
 *   together, in bytes; more is answered `431 Request Header Fields Too Large` by Node's parser
 *   before any of our code runs (Cowboy: `max_header_value_length`, `max_headers` → 431).
 * - **`maxConnections`** (default {@link DEFAULT_MAX_CONNECTIONS}): connections of one listener,
 *   counting upgrades whose `init` is still running; one more upgrade request is answered
 *   `503 Service Unavailable` before `init` runs and before any 101 (Ranch's `max_connections`).
 *
 * @example
 * ```ts
 * import { listen } from '@corral/websocket';
 *
 * await listen({ node, port: 8080, routes, handshakeTimeout: 5_000, maxConnections: 50_000 });
 * ```
 *
 * @module
 */

import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import type { Clock } from '@corral/actor';
import { buildHttpResponse } from './http-response.js';

/** The listener-level limits (options of `listen`; `attach` takes `maxConnections`). */
export interface ListenerLimits {
  /** Ms from accept to a complete request head; `Infinity` for none. Default 10000. */
  handshakeTimeout?: number;
  /** Bytes of request line and headers; more → 431. Only for a server `listen` creates. Default 16384. */
  maxHeaderSize?: number;
  /** Connections (and upgrades in progress) per listener; more → 503. `Infinity` for none. Default 10000. */
  maxConnections?: number;
}

/**
 * 10 s from accept (after TLS, on an `https.Server`) to the end of the request head. Every real
 * client sends its head in one write right away, but on a lossy mobile link that segment may be
 * lost: TCP resends it after 1 s, then 2 s, then 4 s (RFC 6298's initial RTO, doubled), so a head
 * lost three times arrives after 7 s plus the round trip. Cowboy's 5 s `request_timeout` fails
 * such a client; 10 s does not, and is still far below Node's own 60 s `headersTimeout` (checked
 * only every 30 s: a slowloris client holds a socket for up to 90 s).
 */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/** Node's own default (`http.maxHeaderSize`, 16 KiB): browsers send 1-4 KiB of headers with cookies. */
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

/**
 * 10,000 connections per listener: "C10k", a few hundred MB of sockets, processes and parsers
 * at the defaults, which one Node process serves comfortably; Ranch's 1024 is too low for
 * long-lived WebSocket connections, and no cap at all lets a flood of connections exhaust file
 * descriptors and memory instead of being refused. Raise it (or pass `Infinity`) on purpose.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Checks the limits given to `listen`/`attach`; throws a `TypeError` naming the first bad one. */
export function checkListenerLimits(limits: ListenerLimits): void {
  const { handshakeTimeout: t, maxHeaderSize: h, maxConnections: c } = limits;
  if (t !== undefined && !(t === Number.POSITIVE_INFINITY || (Number.isInteger(t) && t > 0)))
    throw new TypeError(`handshakeTimeout must be an integer number of ms > 0 (or Infinity), got ${t}`);
  if (h !== undefined && !(Number.isInteger(h) && h > 0))
    throw new TypeError(`maxHeaderSize must be an integer number of bytes > 0, got ${h}`);
  if (c !== undefined && !(c === Number.POSITIVE_INFINITY || (Number.isInteger(c) && c >= 0)))
    throw new TypeError(`maxConnections must be an integer >= 0 (or Infinity), got ${c}`);
}

/**
 * Node's options for a server `listen` creates: `headersTimeout` and `requestTimeout` are the
 * handshake timeout (0, Node's "none", for `Infinity`), checked every `min(timeout, 30 s)`
 * (Node checks every 30 s by default, which would let a client overstay by that much), and
 * `maxHeaderSize`.
 */
export function httpServerOptions(handshakeTimeout: number, maxHeaderSize: number): ServerOptions {
  const ms = Number.isFinite(handshakeTimeout) ? handshakeTimeout : 0;
  return {
    headersTimeout: ms,
    requestTimeout: ms,
    connectionsCheckingInterval: ms === 0 ? 30_000 : Math.min(ms, 30_000),
    maxHeaderSize,
  };
}

/**
 * Gives a server passed to `listen` the handshake timeout as its `headersTimeout`, raising its
 * `requestTimeout` if it is shorter (Node wants `headersTimeout <= requestTimeout`); its body
 * timeout is otherwise the application's.
 */
export function applyServerTimeouts(server: Server, handshakeTimeout: number): void {
  const ms = Number.isFinite(handshakeTimeout) ? handshakeTimeout : 0;
  server.headersTimeout = ms;
  if (ms > 0 && server.requestTimeout > 0 && server.requestTimeout < ms) server.requestTimeout = ms;
}

const kDeadline: unique symbol = Symbol('corral.ws.handshake_deadline');

interface Armed {
  readonly clock: Clock;
  readonly handle: unknown;
}

type GuardedSocket = Duplex & { [kDeadline]?: Armed | undefined };

/** The answer to a socket that did not send its request head in time (RFC 9110 §15.5.9). */
const REQUEST_TIMEOUT = buildHttpResponse(
  408,
  { 'Content-Type': 'text/plain; charset=utf-8' },
  'The request head did not arrive in time',
);

function disarm(socket: GuardedSocket): void {
  const armed = socket[kDeadline];
  if (armed === undefined) return;
  socket[kDeadline] = undefined;
  armed.clock.clearTimeout(armed.handle);
  socket.removeListener('close', disarmOnClose);
}

// Shared listener (no closure per socket): a socket that closes first takes its timer with it.
function disarmOnClose(this: GuardedSocket): void {
  disarm(this);
}

/**
 * The handshake timeout of one server, on the node's clock (so tests advance a `ManualClock`):
 * armed when a socket is accepted (for a TLS server, when its TLS handshake is done: that is the
 * socket the HTTP parser reads), disarmed by its first request head — an upgrade or a plain
 * request — or by its close. When it fires, the socket is answered `408 Request Timeout` and
 * closed (as Node answers its own `headersTimeout`).
 *
 * @example
 * ```ts
 * const deadline = new HandshakeDeadline(node.clock, 10_000);
 * deadline.attach(server);
 * // ...
 * deadline.detach(server);
 * ```
 */
export class HandshakeDeadline {
  constructor(
    private readonly clock: Clock,
    /** Ms; `Infinity` arms nothing. */
    readonly ms: number,
  ) {}

  /** Arms the deadline of a socket just accepted. */
  readonly onConnection = (socket: Duplex): void => {
    if (!Number.isFinite(this.ms)) return;
    const s = socket as GuardedSocket;
    disarm(s);
    s[kDeadline] = { clock: this.clock, handle: this.clock.setTimeout(() => this.expire(s), this.ms) };
    s.on('close', disarmOnClose);
  };

  /** A request head arrived (plain request or upgrade): the socket is in time. */
  readonly onRequest = (req: IncomingMessage): void => {
    disarm(req.socket as GuardedSocket);
  };

  /** Hooks `server`: its sockets are armed on accept and disarmed by a request or upgrade. */
  attach(server: Server): void {
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', this.onConnection);
    // Registered before the listener's own 'upgrade' and 'request' listeners, so they run first.
    server.prependListener('request', this.onRequest);
    server.prependListener('upgrade', this.onRequest);
  }

  /** Removes what {@link attach} added (sockets already armed keep their deadline until they close). */
  detach(server: Server): void {
    server.removeListener(server instanceof TlsServer ? 'secureConnection' : 'connection', this.onConnection);
    server.removeListener('request', this.onRequest);
    server.removeListener('upgrade', this.onRequest);
  }

  private expire(socket: GuardedSocket): void {
    socket[kDeadline] = undefined;
    socket.removeListener('close', disarmOnClose);
    if (socket.destroyed) return;
    // End with the 408 and destroy once it is flushed (a TLS socket encrypts it first, so an
    // immediate destroy would lose it); an upgrade completed in between finds the socket ended
    // and is dropped by the listener.
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(REQUEST_TIMEOUT);
    (socket as Socket).destroySoon();
  }
}
