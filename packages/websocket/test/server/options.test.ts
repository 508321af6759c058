import { describe, expect, it } from 'vitest';
import { DEFAULT_WS_OPTIONS } from '../../src/handler/handler.js';
import { checkOptions, resolveOptions } from '../../src/server/options.js';

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
