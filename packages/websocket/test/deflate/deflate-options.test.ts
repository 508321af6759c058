/**
 * permessage-deflate options: Cowboy's `deflate_opts` defaults (cow_ws:init_permessage_deflate/3)
 * in one place, and a TypeError naming the option for a bad value, at the listener or in `init`.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEFLATE_OPTIONS,
  type DeflateOptions,
  resolveDeflateOptions,
} from '../../src/deflate/deflate-options.js';
import { DEFAULT_WS_OPTIONS } from '../../src/handler/handler.js';
import { checkOptions } from '../../src/server/options.js';

describe('DEFAULT_DEFLATE_OPTIONS', () => {
  it("are Cowboy's: best_compression (9), mem_level 8, default strategy, takeover both ways, 15-bit windows; threshold 1024 as ws", () => {
    expect(DEFAULT_DEFLATE_OPTIONS).toEqual({
      level: 9,
      memLevel: 8,
      strategy: 'default',
      serverContextTakeover: true,
      clientContextTakeover: true,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
      threshold: 1024,
    });
  });

  it('compression is off by default (Cowboy: compress => false) and deflateOpts empty', () => {
    expect(DEFAULT_WS_OPTIONS.compress).toBe(false);
    expect(DEFAULT_WS_OPTIONS.deflateOpts).toEqual({});
  });
});

describe('resolveDeflateOptions', () => {
  it('fills in the defaults under the options given', () => {
    expect(resolveDeflateOptions(undefined)).toBe(DEFAULT_DEFLATE_OPTIONS);
    expect(resolveDeflateOptions({ level: 1, serverContextTakeover: false })).toEqual({
      ...DEFAULT_DEFLATE_OPTIONS,
      level: 1,
      serverContextTakeover: false,
    });
  });

  it('ignores unknown keys, as Cowboy does', () => {
    expect(resolveDeflateOptions({ owner: 1 } as DeflateOptions)).toEqual(DEFAULT_DEFLATE_OPTIONS);
  });

  it.each([
    [{ level: 10 }, 'deflateOpts.level must be an integer from 0 to 9, got 10'],
    [{ memLevel: 0 }, 'deflateOpts.memLevel must be an integer from 1 to 9, got 0'],
    [
      { strategy: 'fast' },
      'deflateOpts.strategy must be one of default, filtered, huffman_only, rle, fixed, got fast',
    ],
    [{ serverContextTakeover: 'no' }, 'deflateOpts.serverContextTakeover must be a boolean, got no'],
    [
      { serverMaxWindowBits: 8 },
      'deflateOpts.serverMaxWindowBits must be an integer from 9 to 15 (zlib cannot compress with a 256-byte window), got 8',
    ],
    [{ clientMaxWindowBits: 7 }, 'deflateOpts.clientMaxWindowBits must be an integer from 8 to 15, got 7'],
    [{ threshold: -1 }, 'deflateOpts.threshold must be a number >= 0, got -1'],
  ])('refuses %j with a TypeError naming the option', (opts, message) => {
    expect(() => resolveDeflateOptions(opts as DeflateOptions)).toThrow(new TypeError(message));
  });

  it('is checked with the other options of a layer (listener defaults, route, init)', () => {
    expect(() => checkOptions({ compress: true, deflateOpts: { level: 6 } }, 'init')).not.toThrow();
    expect(() => checkOptions({ deflateOpts: { level: 12 } }, 'init')).toThrow(
      new TypeError('init: deflateOpts.level must be an integer from 0 to 9, got 12'),
    );
  });
});
