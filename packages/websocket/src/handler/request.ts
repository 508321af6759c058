import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { type ExtensionOffer, parseExtensions } from '../handshake/extensions.js';
import { parseSubprotocols } from '../handshake/header-tokens.js';

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

/**
 * The default `reqFilter` (Cowboy's default `req_filter`): what a connection keeps of its
 * request after the upgrade — method, path, query string, peer and bindings, not the headers.
 */
export function compactReq(req: Req): Req {
  return req.compact();
}

/** A plain HTTP answer set by `req.reply(...)` in `init` instead of upgrading. */
export interface HttpReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string | Buffer;
}

/**
 * The HTTP request a handler's `init(req, state)` sees (Cowboy's `Req`): method, path,
 * query, headers, peer, the sub-protocols and extensions the client offered. `init` picks
 * the sub-protocol with {@link Req.selectProtocol} (the 101 response carries it), may set
 * other response headers, or answers with plain HTTP through {@link Req.reply}.
 *
 * After the upgrade the connection keeps this object (for `terminate`) but drops `raw`, so
 * an idle connection does not hold Node's request and its buffers.
 */
export class Req {
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** The raw query string, without `?` (Cowboy's `qs`). */
  readonly qs: string;
  readonly headers: IncomingHttpHeaders;
  readonly peer: { address: string | undefined; port: number | undefined };
  /** Values bound by the route (`/rooms/:room` → `{ room }`). */
  readonly bindings: Record<string, string>;
  /** The node's request, during `init` only. */
  raw: IncomingMessage | undefined;
  /** Headers added to the 101 response (or to the plain reply). */
  readonly respHeaders: Record<string, string> = {};
  /** Set by {@link reply}: answer with plain HTTP instead of upgrading. */
  httpReply: HttpReply | undefined = undefined;
  private protocolsOffered: string[] | undefined;
  private extensionsOffered: ExtensionOffer[] | undefined;
  private queryParams: URLSearchParams | undefined;

  constructor(raw: IncomingMessage, bindings: Record<string, string> = {}) {
    this.raw = raw;
    this.method = raw.method ?? 'GET';
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.qs = q < 0 ? '' : url.slice(q + 1);
    this.headers = raw.headers;
    this.peer = { address: raw.socket?.remoteAddress, port: raw.socket?.remotePort };
    this.bindings = bindings;
  }

  /**
   * A copy without the headers (see {@link compactReq}); this request is left as it is, so a
   * handler that kept it in its state still sees everything.
   */
  compact(): Req {
    const c = Object.create(Req.prototype) as Req;
    Object.assign(c, {
      method: this.method,
      path: this.path,
      qs: this.qs,
      headers: NO_HEADERS,
      peer: this.peer,
      bindings: this.bindings,
      raw: undefined,
      respHeaders: this.respHeaders,
      httpReply: undefined,
      protocolsOffered: undefined,
      extensionsOffered: undefined,
      queryParams: undefined,
    });
    return c;
  }

  /** The query string parsed (Cowboy's `parse_qs`). */
  get query(): URLSearchParams {
    this.queryParams ??= new URLSearchParams(this.qs);
    return this.queryParams;
  }

  /** A request header (lower-case name), joined with `, ` when repeated. */
  header(name: string): string | undefined {
    const v = this.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  get origin(): string | undefined {
    return this.header('origin');
  }

  /** The sub-protocols the client offered in `Sec-WebSocket-Protocol`, in its order. */
  get protocols(): string[] {
    if (this.protocolsOffered === undefined) {
      try {
        this.protocolsOffered = parseSubprotocols(this.headers['sec-websocket-protocol']);
      } catch {
        this.protocolsOffered = [];
      }
    }
    return this.protocolsOffered;
  }

  /** The extensions the client offered in `Sec-WebSocket-Extensions`, in its order. */
  get extensions(): ExtensionOffer[] {
    if (this.extensionsOffered === undefined) {
      try {
        this.extensionsOffered = parseExtensions(this.headers['sec-websocket-extensions']);
      } catch {
        this.extensionsOffered = [];
      }
    }
    return this.extensionsOffered;
  }

  /**
   * Chooses the sub-protocol: the 101 response's `Sec-WebSocket-Protocol` is set to it. It
   * must be one the client offered (RFC 6455 §4.2.2); anything else throws.
   */
  selectProtocol(protocol: string): this {
    if (!this.protocols.includes(protocol))
      throw new RangeError(`sub-protocol ${JSON.stringify(protocol)} was not offered by the client`);
    this.respHeaders['sec-websocket-protocol'] = protocol;
    return this;
  }

  /** Adds a header to the response (Cowboy's `set_resp_header`). */
  setRespHeader(name: string, value: string): this {
    this.respHeaders[name.toLowerCase()] = value;
    return this;
  }

  /**
   * Answers with plain HTTP instead of upgrading (Cowboy's `cowboy_req:reply/4`); return
   * `['ok', req, state]` from `init` after calling it.
   *
   * @example
   * init(req, state) {
   *   if (req.header('authorization') !== 'Bearer s3cret') return ['ok', req.reply(401, {}, 'who are you?'), state];
   *   return ['websocket', req, state];
   * }
   */
  reply(status: number, headers: OutgoingHttpHeaders = {}, body: string | Buffer = ''): this {
    this.httpReply = { status, headers, body };
    return this;
  }
}
