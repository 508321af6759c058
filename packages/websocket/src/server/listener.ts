/**
 * Listeners: where upgrade requests come in and connection processes are supervised — Cowboy's
 * `cowboy:start_clear/3` (a listener with its routes) and, for an HTTP server you already
 * run, an `'upgrade'` hook on it.
 *
 * - {@link listen} starts an `http.Server` of its own (or uses the one given) on a port;
 *   upgrade requests are routed, and plain HTTP requests are answered 426 Upgrade Required
 *   (404 when no route matches), unless a `request` listener is given.
 * - {@link attach} hooks an existing `http.Server` (Express, Fastify, your own): its plain
 *   requests are untouched; upgrade requests for our routes become connections, and the others
 *   are answered 404, or left to the server's other `'upgrade'` listeners with `passThrough`.
 *
 * Each listener runs a `DynamicSupervisor` (from `@corral/actor`): every connection is its
 * temporary child (see `connectionChildSpec`). Hostile clients meet the limits of
 * `listener-limits.ts` first: `handshakeTimeout` (408), `maxHeaderSize` (431) and
 * `maxConnections` (503, before `init` and the 101).
 * `close()` stops taking upgrades, shuts the supervisor down — every connection closes with
 * 1001 and runs `terminate('shutdown', ...)` — and, for `listen`, closes the server; it
 * resolves once all of that is done.
 *
 * @example
 * ```ts
 * import { createNode } from '@corral/actor';
 * import { listen } from '@corral/websocket';
 *
 * const node = createNode({ name: 'chat' });
 * const listener = await listen({
 *   node,
 *   port: 8080,
 *   routes: { '/echo': [echoHandler, {}], '/rooms/:room': [roomHandler, {}, { idleTimeout: 120_000 }] },
 * });
 * // ...
 * await listener.close();
 * ```
 *
 * @module
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CallError, DynamicSupervisor, type Node, type Pid } from '@corral/actor';
import type { WsOptions } from '../handler/handler.js';
import { buildHttpResponse } from './http-response.js';
import {
  applyServerTimeouts,
  checkListenerLimits,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_HEADER_SIZE,
  HandshakeDeadline,
  httpServerOptions,
  type ListenerLimits,
} from './listener-limits.js';
import { checkOptions, resolveOptions } from './options.js';
import { compileRoutes, type Router, type Routes } from './routes.js';
import { guardSocket } from './socket-guard.js';
import { handleUpgrade, respondAndClose, type UpgradeOptions } from './upgrade.js';

/** A plain HTTP request listener (`http.Server`'s `'request'` event). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link listen}; the limits (`handshakeTimeout`, `maxHeaderSize`, `maxConnections`) are in {@link ListenerLimits}. */
export interface ListenOptions extends ListenerLimits {
  node: Node;
  /** Default 0: a free port, read back from `listener.port`. */
  port?: number;
  /** Default: every interface (Node's and Cowboy's default); pass `'127.0.0.1'` to stay local. */
  host?: string;
  routes: Routes;
  /** Options for every connection, under each route's and `init`'s (see {@link WsOptions} for the defaults). */
  defaults?: WsOptions;
  /** Use this server (not yet listening) instead of a new one; `close()` closes it. */
  server?: Server;
  /** Plain HTTP requests go here. Default (on a server `listen` creates): 426 on a route, 404 elsewhere. */
  request?: RequestListener;
  /** How long each connection may take to close when the listener closes, before it is killed (ms). Default 5000. */
  shutdownTimeout?: number;
}

/** Options of {@link attach}. */
export interface AttachOptions {
  /** Leave upgrade requests no route matches to the server's other `'upgrade'` listeners instead of answering 404. */
  passThrough?: boolean;
  /** As {@link ListenOptions.shutdownTimeout}. */
  shutdownTimeout?: number;
  /** As {@link ListenerLimits.maxConnections}: connections (and upgrades in progress) on this attachment; more → 503. Default 10000. */
  maxConnections?: number;
}

/** Routes attached to a server (see {@link attach}). */
export interface Attachment {
  readonly server: Server;
  /** The pid of the `DynamicSupervisor` whose children the connections are. */
  readonly supervisor: Pid;
  /** The live connection processes (asks the supervisor: `DynamicSupervisor.whichChildren`). */
  connections(): Promise<Pid[]>;
  /** How many connection processes are alive (`DynamicSupervisor.countChildren`). */
  connectionCount(): Promise<number>;
  /** Stops taking upgrades, then closes every connection (1001, `terminate`); resolves when they are gone. */
  close(): Promise<void>;
}

/** A listening server (see {@link listen}). */
export interface Listener extends Attachment {
  readonly port: number;
  readonly address: string;
}

/** Routes upgrade requests to `handleUpgrade`, under one supervisor. Shared by `listen` and `attach`. */
class UpgradeFront {
  closing = false;
  /** Handshakes not finished (`init` running, the process not started yet): `close()` waits for them. */
  private handshakes = 0;
  /** What `shutdown` waits on: resolved when the last handshake in progress finishes. */
  private drained: (() => void)[] = [];
  readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Connections alive plus upgrades admitted whose connection has not started or failed yet:
   * counted here, synchronously, so the cap is checked before `init` and the 101 (asking the
   * supervisor would be a call, and concurrent handshakes would all pass it).
   */
  private admitted = 0;
  /** The cap was reached and logged; logged again only after the count fell below it. */
  private saturated = false;
  private readonly release = (): void => {
    this.admitted--;
  };
  /**
   * Each route's options over the listener's defaults, resolved once: the same object for every
   * upgrade on the route, so the options a connection runs with are shared too (`sharedOptions`).
   */
  private readonly routeDefaults = new Map<WsOptions, Required<WsOptions>>();

  constructor(
    readonly node: Node,
    readonly router: Router,
    readonly defaults: WsOptions | undefined,
    readonly supervisor: Pid,
    readonly passThrough: boolean,
    readonly shutdownTimeout: number | undefined,
    readonly maxConnections: number,
  ) {
    this.onUpgrade = (req, socket, head) => this.upgrade(req, socket, head);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const match = this.router.match(pathOf(req.url));
    if (typeof match === 'string') {
      if (this.passThrough) return; // another 'upgrade' listener's request
      guardSocket(socket);
      respondAndClose(socket, buildHttpResponse(match === 'notfound' ? 404 : 400));
      return;
    }
    // A socket we can no longer answer on (its handshake timed out just as the head arrived).
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    if (this.closing) {
      guardSocket(socket);
      respondAndClose(socket, buildHttpResponse(503));
      return;
    }
    if (this.admitted >= this.maxConnections) {
      this.refuse(socket, match.path);
      return;
    }
    this.saturated = false;
    this.admitted++;
    let defaults = this.routeDefaults.get(match.opts);
    if (defaults === undefined) {
      defaults = resolveOptions(this.defaults, match.opts);
      this.routeDefaults.set(match.opts, defaults);
    }
    const options: UpgradeOptions = {
      defaults,
      bindings: match.bindings,
      supervisor: this.supervisor,
    };
    if (this.shutdownTimeout !== undefined) options.shutdownTimeout = this.shutdownTimeout;
    this.handshakes++;
    let upgraded: Promise<Pid | undefined>;
    try {
      upgraded = handleUpgrade(this.node, req, socket, head, match.handler, match.state, options);
    } catch (e) {
      upgraded = Promise.reject(e);
    }
    void this.handshake(upgraded, socket);
  }

  /**
   * One upgrade, to its end; counted in `handshakes` meanwhile (an async method: no closures per
   * upgrade). It holds the socket, not Node's request: a handshake waiting for the supervisor
   * must not keep the request and its headers alive.
   */
  private async handshake(upgraded: Promise<Pid | undefined>, socket: Duplex): Promise<void> {
    try {
      const pid = await upgraded;
      // The slot is the connection's until its process exits (at once if it already has).
      if (pid === undefined) this.release();
      else this.node.onExit(pid, this.release);
    } catch (e) {
      // handleUpgrade answers every failure itself; this is a bug guard, never a silent loss.
      this.release();
      this.node.logger.error({ label: 'ws_upgrade_failed', err: e }, 'upgrade failed');
      socket.destroy();
    } finally {
      if (--this.handshakes === 0 && this.drained.length > 0)
        for (const resolve of this.drained.splice(0)) resolve();
    }
  }

  /**
   * Past `maxConnections`: 503 with a short body, before `init` and before any 101, logged once
   * each time the listener becomes full (not once per refused client: a flood must not flood the log).
   */
  private refuse(socket: Duplex, path: string): void {
    guardSocket(socket);
    respondAndClose(socket, buildHttpResponse(503, TEXT, 'Too many connections'));
    if (this.saturated) return;
    this.saturated = true;
    this.node.logger.warn(
      { label: 'ws_connection_limit', maxConnections: this.maxConnections, path },
      'connection limit reached: upgrades are refused with 503',
    );
  }

  /** Default plain HTTP answer: 426 where a route would upgrade (Cowboy's answer), 404 or 400 elsewhere. */
  readonly onRequest: RequestListener = (req, res) => {
    const match = this.router.match(pathOf(req.url));
    if (typeof match === 'string') {
      res.writeHead(match === 'notfound' ? 404 : 400, { 'Content-Length': '0' }).end();
      return;
    }
    res.writeHead(426, { Connection: 'Upgrade', Upgrade: 'websocket', 'Content-Length': '0' }).end();
  };

  async connections(): Promise<Pid[]> {
    if (!this.node.isAlive(this.supervisor)) return [];
    const children = await DynamicSupervisor.whichChildren(this.supervisor);
    return children.map((c) => c[1]).filter((c): c is Pid => c !== 'restarting');
  }

  async connectionCount(): Promise<number> {
    if (!this.node.isAlive(this.supervisor)) return 0;
    return (await DynamicSupervisor.countChildren(this.supervisor)).active;
  }

  /** Stops taking upgrades and shuts the connections down; resolves when they and pending handshakes are done. */
  async shutdown(): Promise<void> {
    this.closing = true;
    try {
      await DynamicSupervisor.stop(this.supervisor, 'shutdown');
    } catch (e) {
      if (!(e instanceof CallError)) throw e; // already gone (noproc) or stopped another way
    }
    while (this.handshakes > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
  }
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

async function startFront(
  node: Node,
  routes: Routes,
  defaults: WsOptions | undefined,
  passThrough: boolean,
  shutdownTimeout: number | undefined,
  limits: ListenerLimits,
): Promise<UpgradeFront> {
  const router = compileRoutes(routes);
  if (defaults !== undefined) checkOptions(defaults, 'listener defaults');
  checkListenerLimits(limits);
  if (shutdownTimeout !== undefined && !(Number.isInteger(shutdownTimeout) && shutdownTimeout >= 0))
    throw new TypeError(`shutdownTimeout must be an integer number of ms >= 0, got ${shutdownTimeout}`);
  const supervisor = await DynamicSupervisor.start(node);
  return new UpgradeFront(
    node,
    router,
    defaults,
    supervisor,
    passThrough,
    shutdownTimeout,
    limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  );
}

/**
 * Starts a WebSocket listener: an HTTP server on `port` (0 for any free one) whose upgrade
 * requests are routed to handlers. Resolves once it listens.
 *
 * @example
 * ```ts
 * const listener = await listen({ node, host: '127.0.0.1', port: 0, routes: { '/echo': [echo, {}] } });
 * const url = `ws://127.0.0.1:${listener.port}/echo`;
 * ```
 */
export async function listen(options: ListenOptions): Promise<Listener> {
  const { node } = options;
  if (options.server !== undefined && options.maxHeaderSize !== undefined)
    throw new TypeError(
      'maxHeaderSize applies to the server listen() creates; pass it to createServer() for your own server',
    );
  const front = await startFront(
    node,
    options.routes,
    options.defaults,
    false,
    options.shutdownTimeout,
    options,
  );
  const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  let server: Server;
  if (options.server === undefined) {
    server = createServer(
      httpServerOptions(handshakeTimeout, options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE),
    );
  } else {
    server = options.server;
    applyServerTimeouts(server, handshakeTimeout);
  }
  const deadline = new HandshakeDeadline(node.clock, handshakeTimeout);
  const onRequest = options.request ?? (options.server === undefined ? front.onRequest : undefined);
  deadline.attach(server);
  server.on('upgrade', front.onUpgrade);
  if (onRequest !== undefined) server.on('request', onRequest);
  const unhook = (): void => {
    deadline.detach(server);
    server.removeListener('upgrade', front.onUpgrade);
    if (onRequest !== undefined) server.removeListener('request', onRequest);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error): void => reject(e);
      server.once('error', fail);
      server.listen(options.port ?? 0, options.host, () => {
        server.removeListener('error', fail);
        resolve();
      });
    });
  } catch (e) {
    unhook();
    await front.shutdown();
    throw e;
  }
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    address: address.address,
    server,
    supervisor: front.supervisor,
    connections: () => front.connections(),
    connectionCount: () => front.connectionCount(),
    close() {
      closing ??= (async () => {
        // Stop accepting first; the callback fires once every socket (upgraded ones too) is closed.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await front.shutdown();
        unhook();
        await closed;
      })();
      return closing;
    },
  };
}

/**
 * Serves `routes` on an existing `http.Server` (plain requests stay the server's): installs an
 * `'upgrade'` listener. Upgrade requests no route matches are answered 404, or, with
 * `{ passThrough: true }`, left to the server's other `'upgrade'` listeners. `close()` removes
 * the listener and closes every connection, but leaves the server running.
 *
 * @example
 * ```ts
 * const server = createServer(app); // e.g. an Express app
 * const ws = await attach(node, server, { '/ws': [echo, {}] });
 * server.listen(3000);
 * ```
 */
export async function attach(
  node: Node,
  server: Server,
  routes: Routes,
  defaults?: WsOptions,
  options: AttachOptions = {},
): Promise<Attachment> {
  const front = await startFront(
    node,
    routes,
    defaults,
    options.passThrough === true,
    options.shutdownTimeout,
    options,
  );
  server.on('upgrade', front.onUpgrade);
  let closing: Promise<void> | undefined;
  return {
    server,
    supervisor: front.supervisor,
    connections: () => front.connections(),
    connectionCount: () => front.connectionCount(),
    close() {
      closing ??= (async () => {
        server.removeListener('upgrade', front.onUpgrade);
        await front.shutdown();
      })();
      return closing;
    },
  };
}
