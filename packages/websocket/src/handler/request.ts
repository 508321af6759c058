import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { type ExtensionOffer, parseExtensions } from '../handshake/extensions.js';
import { parseSubprotocols } from '../handshake/header-tokens.js';

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

/**
 * The bindings of a request whose route binds nothing: one frozen object for all of them (an
 * idle connection keeps its request, and ten thousand empty objects are half a megabyte).
 */
export const NO_BINDINGS: Readonly<Record<string, string>> = Object.freeze({});

/** What {@link Req.compact} builds its copy from: a request with nothing in it. */
const BLANK = Object.freeze({ method: 'GET', url: '/', headers: NO_HEADERS }) as unknown as IncomingMessage;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What a request holds only during `init` or once asked: Node's request, a plain reply, the
 * response headers, the offers and query parsed. One object made when first needed, so the
 * compact copy a connection keeps has none of it.
 */
interface Side {
  raw?: IncomingMessage | undefined;
  httpReply?: HttpReply | undefined;
  resp?: Record<string, string> | undefined;
  protocols?: string[];
  extensions?: ExtensionOffer[];
  query?: URLSearchParams;
}

/**
 * Strings seen, each kept once, so connections share one copy of a path or a peer address
 * rather than each keeping its own. Bounded in count and length: past that, strings are simply
 * not shared.
 */
class StringTable {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly maxCount: number,
    private readonly maxLength: number,
  ) {}

  intern(s: string): string {
    if (s.length > this.maxLength) return s;
    const seen = this.seen.get(s);
    if (seen !== undefined) return seen;
    if (this.seen.size < this.maxCount) this.seen.set(s, s);
    return s;
  }
}

const PATHS = new StringTable(256, 64);
const ADDRESSES = new StringTable(1024, 45); // 45: the longest IPv6 text form

/** What Node's socket handle answers about its peer. */
interface PeerAddress {
  address?: string | undefined;
  port?: number | undefined;
}
type PeerHandle = { getpeername?(out: PeerAddress): number };

/**
 * The peer of a socket, asked of its handle: `socket.remoteAddress` would give the same answer
 * but also keep it on the socket (a cache object, and a property the socket's shape did not
 * have), for the whole life of every connection.
 */
function readPeer(socket: Socket | undefined): PeerAddress {
  const handle = (socket as { _handle?: PeerHandle | null } | undefined)?._handle;
  if (typeof handle?.getpeername === 'function') {
    const out: PeerAddress = {};
    if (handle.getpeername(out) === 0) return out;
  }
  return { address: socket?.remoteAddress, port: socket?.remotePort };
}

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
 * an idle connection does not hold Node's request and its buffers. What stays is kept small
 * (one object of plain fields: the peer, the response headers and the parsed offers are made
 * when asked for), as every idle connection holds one.
 */
export class Req {
  /** `'GET'` (an upgrade is a GET): held by the prototype unless the request says otherwise. */
  declare readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** The raw query string, without `?` (Cowboy's `qs`). */
  readonly qs: string;
  readonly headers: IncomingHttpHeaders;
  /** Values bound by the route (`/rooms/:room` → `{ room }`); a frozen empty object when it binds none. */
  readonly bindings: Record<string, string>;
  private peerAddress: string | undefined;
  private peerPort: number | undefined;
  private side: Side | undefined = undefined;

  constructor(raw: IncomingMessage, bindings: Record<string, string> = NO_BINDINGS) {
    this.raw = raw;
    if (raw.method !== undefined && raw.method !== 'GET') (this as Writable<Req>).method = raw.method;
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    this.path = PATHS.intern(q < 0 ? url : url.slice(0, q));
    this.qs = q < 0 ? '' : url.slice(q + 1);
    this.headers = raw.headers;
    const peer = readPeer(raw.socket);
    this.peerAddress = peer.address === undefined ? undefined : ADDRESSES.intern(peer.address);
    this.peerPort = peer.port;
    this.bindings = bindings;
  }

  /** The node's request, during `init` only. */
  get raw(): IncomingMessage | undefined {
    return this.side?.raw;
  }
  set raw(raw: IncomingMessage | undefined) {
    if (raw !== undefined) (this.side ??= {}).raw = raw;
    else if (this.side !== undefined) this.side.raw = undefined;
  }

  /** Set by {@link reply}: answer with plain HTTP instead of upgrading. */
  get httpReply(): HttpReply | undefined {
    return this.side?.httpReply;
  }

  /** The client's address and port (a new object each time). */
  get peer(): { address: string | undefined; port: number | undefined } {
    return { address: this.peerAddress, port: this.peerPort };
  }

  /** Headers added to the 101 response (or to the plain reply). */
  get respHeaders(): Record<string, string> {
    const side = (this.side ??= {});
    side.resp ??= {};
    return side.resp;
  }

  /**
   * A copy without the headers (see {@link compactReq}); this request is left as it is, so a
   * handler that kept it in its state still sees everything.
   */
  compact(): Req {
    // Made by the constructor, so the copy has the class's own shape with every field in the
    // object (a copy made with Object.create would spill most of them into a second array).
    const c = new Req(BLANK, this.bindings);
    const w = c as Writable<Req>;
    if (this.method !== 'GET') w.method = this.method;
    w.path = this.path;
    w.qs = this.qs;
    c.side = undefined;
    c.peerAddress = this.peerAddress;
    c.peerPort = this.peerPort;
    // The response headers stay readable in `terminate`; none set, none kept.
    const resp = this.side?.resp;
    if (resp !== undefined && Object.keys(resp).length > 0) c.side = { resp };
    return c;
  }

  /** The query string parsed (Cowboy's `parse_qs`). */
  get query(): URLSearchParams {
    const parsed = (this.side ??= {});
    parsed.query ??= new URLSearchParams(this.qs);
    return parsed.query;
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
    const parsed = (this.side ??= {});
    if (parsed.protocols === undefined) {
      try {
        parsed.protocols = parseSubprotocols(this.headers['sec-websocket-protocol']);
      } catch {
        parsed.protocols = [];
      }
    }
    return parsed.protocols;
  }

  /** The extensions the client offered in `Sec-WebSocket-Extensions`, in its order. */
  get extensions(): ExtensionOffer[] {
    const parsed = (this.side ??= {});
    if (parsed.extensions === undefined) {
      try {
        parsed.extensions = parseExtensions(this.headers['sec-websocket-extensions']);
      } catch {
        parsed.extensions = [];
      }
    }
    return parsed.extensions;
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
    (this.side ??= {}).httpReply = { status, headers, body };
    return this;
  }
}

(Req.prototype as Writable<Req>).method = 'GET';
