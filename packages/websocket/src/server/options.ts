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
