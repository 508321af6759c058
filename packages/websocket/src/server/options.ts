/**
 * A connection's options, resolved from layers: {@link DEFAULT_WS_OPTIONS}, then the
 * listener's defaults, then the route's options, then what `init` returned — each layer
 * overriding only the keys it sets (`undefined` sets nothing).
 *
 * @example
 * ```ts
 * resolveOptions({ idleTimeout: 30_000 }, { compress: true }).idleTimeout; // 30000
 * ```
 *
 * @module
 */

import { resolveDeflateOptions } from '../deflate/deflate-options.js';
import { DEFAULT_WS_OPTIONS, type WsOptions } from '../handler/handler.js';

type Kind = 'boolean' | 'count' | 'duration';

// What each option must be: a duration may be Infinity (never), a count must be finite. Options
// not listed (added later, or objects such as deflate settings) are passed on unchecked.
const KINDS: Partial<Record<keyof WsOptions, Kind>> = {
  compress: 'boolean',
  idleTimeout: 'duration',
  maxFrameSize: 'count',
  validateUtf8: 'boolean',
  maxPendingFrames: 'count',
  maxOutgoingBuffer: 'count',
  closeTimeout: 'duration',
  trapExit: 'boolean',
};

/** Checks one layer of options; throws a `TypeError` naming the first bad one. Unknown keys are ignored, as Cowboy ignores them. */
export function checkOptions(opts: WsOptions, where: string): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${where}: options must be an object`);
  for (const key of Object.keys(opts) as (keyof WsOptions)[]) {
    const kind = KINDS[key];
    const value: unknown = opts[key];
    if (key === 'deflateOpts' && value !== undefined)
      resolveDeflateOptions(opts.deflateOpts, `${where}: deflateOpts`);
    if (kind === undefined || value === undefined) continue;
    const ok =
      kind === 'boolean'
        ? typeof value === 'boolean'
        : typeof value === 'number' &&
          value >= (key === 'maxPendingFrames' ? 1 : 0) &&
          (kind === 'duration' ? !Number.isNaN(value) : Number.isFinite(value));
    if (!ok) {
      const wanted =
        kind === 'boolean'
          ? 'a boolean'
          : kind === 'duration'
            ? 'a number of ms >= 0 (or Infinity)'
            : 'a finite number >= ' + (key === 'maxPendingFrames' ? 1 : 0);
      throw new TypeError(`${where}: ${key} must be ${wanted}, got ${String(value)}`);
    }
  }
}

/** The options a connection runs with: the defaults overridden by each layer in turn. */
export function resolveOptions(...layers: (WsOptions | undefined)[]): Required<WsOptions> {
  const out: Required<WsOptions> = { ...DEFAULT_WS_OPTIONS };
  const target = out as Record<string, unknown>;
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const key of Object.keys(layer) as (keyof WsOptions)[]) {
      const value = layer[key];
      if (value !== undefined && Object.hasOwn(DEFAULT_WS_OPTIONS, key)) target[key] = value;
    }
  }
  return out;
}

/** A layer already resolved over some defaults, kept so the next connection with the same layers shares it. */
interface SharedEntry {
  /** The layer's own entries when it was resolved (undefined: no layer). */
  layer: [string, unknown][] | undefined;
  opts: Required<WsOptions>;
}

const shared = new WeakMap<object, SharedEntry[]>();
/** The `shared` key of "no defaults". */
const NO_DEFAULTS = {};
/** Distinct layers remembered per defaults object; past that, options are resolved anew (never wrong, only unshared). */
const MAX_SHARED = 8;

/**
 * `resolveOptions(defaults, layer)` as one frozen object shared by every connection whose layers
 * are the same: the same `defaults` object and a `layer` with the same keys and values (`===`).
 * A layer not seen before is checked first (`checkOptions(layer, where)`, which may throw).
 * What a handler's `init` returns is usually a literal — a new object each time, with the same
 * content — and each connection would otherwise keep its own copy (~100 bytes) for its whole
 * life. A connection copies its options before it changes them (`set_options`).
 *
 * @example
 * ```ts
 * const a = sharedOptions(routeDefaults, { maxFrameSize: 65536 });
 * const b = sharedOptions(routeDefaults, { maxFrameSize: 65536 });
 * a === b; // true, and Object.isFrozen(a)
 * ```
 */
export function sharedOptions(
  defaults: WsOptions | undefined,
  layer: WsOptions | undefined,
  where = 'options',
): Required<WsOptions> {
  const key = defaults ?? NO_DEFAULTS;
  let entries = shared.get(key);
  if (entries === undefined) {
    entries = [];
    shared.set(key, entries);
  }
  for (const e of entries) if (sameLayer(e.layer, layer)) return e.opts;
  if (layer !== undefined) checkOptions(layer, where);
  const opts = Object.freeze(resolveOptions(defaults, layer)) as Required<WsOptions>;
  if (entries.length < MAX_SHARED)
    entries.push({ layer: layer === undefined ? undefined : Object.entries(layer), opts });
  return opts;
}

/** Whether `layer` has exactly the entries `seen` (without allocating: this runs once per upgrade). */
function sameLayer(seen: [string, unknown][] | undefined, layer: WsOptions | undefined): boolean {
  if (seen === undefined || layer === undefined) return seen === undefined && layer === undefined;
  let n = 0;
  for (const k in layer) {
    if (!Object.hasOwn(layer, k)) continue;
    n++;
    let found = false;
    for (const [sk, sv] of seen) {
      if (sk !== k) continue;
      found = sv === (layer as Record<string, unknown>)[k];
      break;
    }
    if (!found) return false;
  }
  return n === seen.length;
}
