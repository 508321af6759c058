import { describe, expect, it } from 'vitest';
import { DEFAULT_WS_OPTIONS } from '../../src/handler/handler.js';
import type { Req } from '../../src/handler/request.js';
import { checkOptions, resolveOptions, sharedOptions } from '../../src/server/options.js';

describe('resolveOptions', () => {
  it('starts from DEFAULT_WS_OPTIONS (Cowboy: compress false, idle_timeout 60000, max_frame_size 1000000)', () => {
    expect(resolveOptions()).toEqual(DEFAULT_WS_OPTIONS);
    expect(resolveOptions()).toMatchObject({ compress: false, idleTimeout: 60_000, maxFrameSize: 1_000_000 });
  });

  it('lets each layer override only the keys it sets: listener, then route, then init', () => {
    const listener = { idleTimeout: 1000, maxFrameSize: 10 };
    const route = { idleTimeout: 2000, validateUtf8: false };
    const init = { idleTimeout: undefined, maxFrameSize: 20 } as never; // undefined sets nothing
    expect(resolveOptions(listener, route, init)).toEqual({
      ...DEFAULT_WS_OPTIONS,
      idleTimeout: 2000,
      maxFrameSize: 20,
      validateUtf8: false,
    });
  });

  it('drops keys that are not options', () => {
    expect(resolveOptions({ idle_timeout: 5 } as never)).toEqual(DEFAULT_WS_OPTIONS);
  });
});

describe('checkOptions', () => {
  it('accepts valid values, Infinity for durations, and ignores unknown keys (as Cowboy does)', () => {
    expect(() =>
      checkOptions(
        { idleTimeout: Number.POSITIVE_INFINITY, maxFrameSize: 0, compress: true, other: 1 } as never,
        'x',
      ),
    ).not.toThrow();
  });

  it.each([
    [{ idleTimeout: -1 }, 'init: idleTimeout must be a number of ms >= 0 (or Infinity), got -1'],
    [
      { maxFrameSize: Number.POSITIVE_INFINITY },
      'init: maxFrameSize must be a finite number >= 0, got Infinity',
    ],
    [{ maxPendingFrames: 0 }, 'init: maxPendingFrames must be a finite number >= 1, got 0'],
    [{ compress: 'yes' }, 'init: compress must be a boolean, got yes'],
  ])('refuses %j with a TypeError naming the option', (opts, message) => {
    expect(() => checkOptions(opts as never, 'init')).toThrow(new TypeError(message));
  });
});

describe('sharedOptions: one frozen options object per distinct set of layers', () => {
  it('gives connections with the same defaults object and an equal init layer the same frozen object', () => {
    const route = resolveOptions({ idleTimeout: 1000 });
    const a = sharedOptions(route, { maxFrameSize: 64, validateUtf8: false });
    const b = sharedOptions(route, { validateUtf8: false, maxFrameSize: 64 }); // another literal, same entries
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({ ...DEFAULT_WS_OPTIONS, idleTimeout: 1000, maxFrameSize: 64, validateUtf8: false });
    expect(sharedOptions(route, undefined)).toBe(sharedOptions(route, undefined));
    expect(sharedOptions(undefined, undefined)).toEqual(DEFAULT_WS_OPTIONS);
  });

  it('resolves anew for other defaults, other values, more or fewer keys, or another object value', () => {
    const route = resolveOptions({ idleTimeout: 1000 });
    const base = sharedOptions(route, { maxFrameSize: 64 });
    const filter = (r: Req) => r;
    const variants = [
      sharedOptions(resolveOptions({ idleTimeout: 1000 }), { maxFrameSize: 64 }),
      sharedOptions(route, { maxFrameSize: 65 }),
      sharedOptions(route, { maxFrameSize: 64, compress: true }),
      sharedOptions(route, {}),
      sharedOptions(route, undefined),
      sharedOptions(route, { maxFrameSize: 64, reqFilter: filter }),
    ];
    for (const v of variants) expect(v).not.toBe(base);
    expect(variants.map((v) => [v.maxFrameSize, v.compress, v.reqFilter === filter])).toEqual([
      [64, false, false],
      [65, false, false],
      [64, true, false],
      [1_000_000, false, false],
      [1_000_000, false, false],
      [64, false, true],
    ]);
  });

  it('still resolves every layer right past the number it remembers', () => {
    const route = resolveOptions();
    for (let i = 1; i <= 20; i++) {
      expect(sharedOptions(route, { maxFrameSize: i }).maxFrameSize).toBe(i);
      expect(sharedOptions(route, { maxFrameSize: i }).maxFrameSize).toBe(i);
    }
    expect(sharedOptions(route, { maxFrameSize: 1 })).toBe(sharedOptions(route, { maxFrameSize: 1 }));
  });

  it('checks a layer it has not seen (naming where it comes from), and only once', () => {
    const route = resolveOptions();
    expect(() => sharedOptions(route, { idleTimeout: -1 }, 'init')).toThrow(
      'init: idleTimeout must be a number of ms >= 0 (or Infinity), got -1',
    );
    expect(sharedOptions(route, { idleTimeout: 7 }, 'init').idleTimeout).toBe(7);
  });

  it('is not changed by a later change to the layer it was given', () => {
    const route = resolveOptions();
    const layer = { idleTimeout: 5 };
    const first = sharedOptions(route, layer);
    layer.idleTimeout = 6;
    expect(first.idleTimeout).toBe(5);
    expect(sharedOptions(route, layer).idleTimeout).toBe(6);
    expect(sharedOptions(route, { idleTimeout: 5 })).toBe(first);
  });
});
