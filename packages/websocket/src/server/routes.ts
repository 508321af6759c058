/**
 * Routes: which handler, with which initial state and options, serves a request path —
 * Cowboy's router (`cowboy_router`) for paths, without host matching or constraints.
 *
 * Routes are an object `{ path: [handler, state, opts?] }` (tried in key order) or an array of
 * `{ path, handler, state, opts? }` (tried in array order); the first match wins. A pattern is
 * matched segment by segment against the request path (URL-decoded, `.` and `..` segments
 * resolved, a trailing `/` ignored, as Cowboy's `split_path`):
 *
 * - `/echo` — a literal segment matches itself;
 * - `/rooms/:room` — `:name` matches any one segment and binds it: `req.bindings.room`;
 *   `:_` matches one segment without binding it; a name used twice must match the same value;
 * - `/hats/[page/:number]` — brackets make their segments optional (they nest);
 * - `/static/[...]` (or `/static/*`) — matches the rest of the path, zero or more segments,
 *   bound as `req.bindings['...']` (joined with `/`: Cowboy's `path_info`);
 * - `_` (or `*`) alone — matches every path.
 *
 * A path that matches no route is answered 404; a path that cannot be decoded (bad
 * percent-encoding, or not starting with `/`), 400 — as Cowboy does.
 *
 * @example
 * ```ts
 * import { compileRoutes } from '@corral/websocket';
 *
 * const router = compileRoutes({
 *   '/echo': [echoHandler, {}],
 *   '/rooms/:room': [roomHandler, { history: 50 }, { idleTimeout: 120_000 }],
 * });
 * router.match('/rooms/lobby'); // { handler: roomHandler, state: { history: 50 }, opts: {...}, bindings: { room: 'lobby' } }
 * router.match('/nope'); // 'notfound'
 * ```
 *
 * @module
 */

import type { Handler, WsOptions } from '../handler/handler.js';
import { NO_BINDINGS } from '../handler/request.js';
import { checkOptions } from './options.js';

/** The options of a route that sets none: one frozen object, so every match gives the same one. */
const NO_OPTIONS: WsOptions = Object.freeze({});

/** A route's target in the object form: `[handler, state]` or `[handler, state, opts]`. */
export type RouteTarget<S = any> = readonly [Handler<S>, S] | readonly [Handler<S>, S, WsOptions];

/** A route in the array form. */
export interface Route<S = any> {
  path: string;
  handler: Handler<S>;
  state: S;
  /** Options for this route, over the listener's defaults and under what `init` returns. */
  opts?: WsOptions;
}

/** Routes as given to `listen` and `attach`. */
export type Routes = Readonly<Record<string, RouteTarget>> | readonly Route[];

/** A route that matched, with the values its pattern bound. */
export interface RouteMatch {
  path: string;
  handler: Handler<any>;
  state: unknown;
  opts: WsOptions;
  bindings: Record<string, string>;
}

/** `:name` binds a segment; `'...'` takes the rest; a string must equal the segment. */
type Token = string | { bind: string } | '...';
const REST = '...';

interface CompiledRoute {
  route: Route;
  /** `undefined`: matches every path. Otherwise the alternatives the brackets expand to. */
  alternatives: Token[][] | undefined;
}

/** Matches request paths against compiled routes (see the module documentation). */
export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Routes) {
    this.compiled = toRouteList(routes).map((route) => ({ route, alternatives: compilePattern(route.path) }));
  }

  /** The paths of the routes, in matching order. */
  get paths(): string[] {
    return this.compiled.map((c) => c.route.path);
  }

  /**
   * The first route matching `path` (the request target without its query string), or
   * `'notfound'`, or `'badrequest'` when the path cannot be split into segments.
   */
  match(path: string): RouteMatch | 'notfound' | 'badrequest' {
    let segments: string[] | undefined;
    for (const { route, alternatives } of this.compiled) {
      if (alternatives === undefined) return found(route, NO_BINDINGS);
      segments ??= splitPath(path);
      if (segments === undefined) return 'badrequest';
      for (const tokens of alternatives) {
        const bindings = matchTokens(segments, tokens);
        if (bindings !== undefined) return found(route, bindings);
      }
    }
    return 'notfound';
  }
}

function found(route: Route, bindings: Record<string, string>): RouteMatch {
  return {
    path: route.path,
    handler: route.handler,
    state: route.state,
    opts: route.opts ?? NO_OPTIONS,
    bindings,
  };
}

/**
 * Compiles routes once (at `listen`/`attach` time), so a bad pattern or a route without a
 * handler is an error there rather than at the first request.
 */
export function compileRoutes(routes: Routes): Router {
  return new Router(routes);
}

function toRouteList(routes: Routes): Route[] {
  if (Array.isArray(routes)) {
    return (routes as readonly Route[]).map((r, i) => {
      if (r === null || typeof r !== 'object' || typeof r.path !== 'string')
        throw new TypeError(`Route ${i} must be { path, handler, state, opts? }`);
      return checked({ ...r });
    });
  }
  if (routes === null || typeof routes !== 'object')
    throw new TypeError('Routes must be an object or an array');
  return Object.keys(routes).map((path) => {
    const target = (routes as Record<string, RouteTarget>)[path];
    if (!Array.isArray(target))
      throw new TypeError(
        `The route ${JSON.stringify(path)} must map to [handler, state] or [handler, state, opts]`,
      );
    const [handler, state, opts] = target as [Handler, unknown, WsOptions?];
    return checked(opts === undefined ? { path, handler, state } : { path, handler, state, opts });
  });
}

function checked(route: Route): Route {
  const h = route.handler as Partial<Handler> | undefined;
  if (
    h === null ||
    typeof h !== 'object' ||
    typeof h.init !== 'function' ||
    typeof h.websocketHandle !== 'function'
  )
    throw new TypeError(
      `The handler of route ${JSON.stringify(route.path)} must have init and websocketHandle functions`,
    );
  if (route.opts !== undefined) checkOptions(route.opts, `route ${JSON.stringify(route.path)}`);
  return route;
}

/** A pattern → its alternatives (brackets expanded), or `undefined` for "every path". */
function compilePattern(pattern: string): Token[][] | undefined {
  if (pattern === '_' || pattern === '*') return undefined;
  if (!pattern.startsWith('/'))
    throw new TypeError(`The route ${JSON.stringify(pattern)} must begin with a slash`);
  return expand(pattern, 0, pattern.length).map((text) => tokenize(text, pattern));
}

/** Expands `[...]`-free optional brackets in `pattern[from, to)` into every plain alternative, longest first. */
function expand(pattern: string, from: number, to: number): string[] {
  for (let i = from; i < to; i++) {
    const c = pattern[i];
    if (c === ']') throw new TypeError(`Unbalanced "]" in route ${JSON.stringify(pattern)}`);
    if (c !== '[') continue;
    if (pattern.startsWith('[...]', i)) {
      i += 4;
      continue;
    }
    let depth = 0;
    let close = -1;
    for (let j = i; j < to; j++) {
      if (pattern[j] === '[') depth++;
      else if (pattern[j] === ']' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) throw new TypeError(`Unbalanced "[" in route ${JSON.stringify(pattern)}`);
    const before = pattern.slice(from, i);
    const out: string[] = [];
    for (const inner of expand(pattern, i + 1, close))
      for (const after of expand(pattern, close + 1, to)) out.push(before + inner + after);
    for (const after of expand(pattern, close + 1, to)) out.push(before + after);
    return out;
  }
  return [pattern.slice(from, to)];
}

function tokenize(text: string, pattern: string): Token[] {
  const parts = text.split('/').filter((s) => s.length > 0);
  return parts.map((part, i) => {
    if (part === '[...]' || part === '*') {
      if (i !== parts.length - 1)
        throw new TypeError(`"${part}" must end the route ${JSON.stringify(pattern)}`);
      return REST;
    }
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (name.length === 0 || name === '__proto__' || name === REST)
        throw new TypeError(
          `Invalid binding name ${JSON.stringify(name)} in route ${JSON.stringify(pattern)}`,
        );
      return { bind: name };
    }
    if (part.includes('[') || part.includes(']'))
      throw new TypeError(`Brackets must enclose whole segments in route ${JSON.stringify(pattern)}`);
    return part;
  });
}

/** Cowboy's `split_path`: URL-decoded segments with dot segments resolved; `undefined` for a bad path. */
export function splitPath(path: string): string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  const raw = path.slice(1).split('/');
  if (raw[raw.length - 1] === '') raw.pop(); // "/a/" is "/a"; "/" is no segment
  const out: string[] = [];
  for (const s of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(s);
    } catch {
      return undefined;
    }
    // RFC 3986 §5.2.4 remove_dot_segments, as Cowboy applies it.
    if (segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return out;
}

/** The values `tokens` bind in `segments` (the shared {@link NO_BINDINGS} when they bind none), or undefined. */
function matchTokens(
  segments: readonly string[],
  tokens: readonly Token[],
): Record<string, string> | undefined {
  // Made at the first binding: the connection keeps its request's bindings for its whole life.
  let bindings: Record<string, string> | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === REST) {
      bindings ??= {};
      bindings[REST] = segments.slice(i).join('/');
      return bindings;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (typeof t === 'string') {
      if (t !== segment) return undefined;
    } else if (t.bind !== '_') {
      bindings ??= {};
      if (!Object.hasOwn(bindings, t.bind)) bindings[t.bind] = segment;
      else if (bindings[t.bind] !== segment) return undefined;
    }
  }
  return segments.length === tokens.length ? (bindings ?? NO_BINDINGS) : undefined;
}
