/**
 * The shared idle ticker (`src/connection/idle-ticker.ts`): one timer per clock and timeout for
 * all connections; a watcher that received nothing for a whole tick is told so (once) and
 * dropped; one that joins counts as active, so it goes idle between 1x and 2x the timeout after
 * its last received byte, as with Cowboy's tick-based idle_timeout.
 */
import { ManualClock } from '@corral/actor';
import { describe, expect, it } from 'vitest';
import {
  currentIdleTicker,
  IdleTicker,
  type IdleWatched,
  idleTicker,
} from '../../src/connection/idle-ticker.js';

function watcher(name: string, log: string[]): IdleWatched {
  return {
    idlePrev: undefined,
    idleNext: undefined,
    rxSinceTick: false,
    onIdle: () => log.push(name),
  };
}

describe('IdleTicker', () => {
  it('tells a watcher it is idle after a whole tick without input, between 1x and 2x the timeout after it joined', () => {
    const clock = new ManualClock();
    const ticker = new IdleTicker(clock, 1000);
    const log: string[] = [];
    clock.advance(400);
    ticker.add(watcher('a', log));
    clock.advance(1000); // first tick, 1000 ms after the ticker started: a counts as active
    expect(log).toEqual([]);
    clock.advance(999);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['a']);
    clock.advance(5000); // told once: it is no longer watched
    expect(log).toEqual(['a']);
    expect(clock.pending()).toBe(0);
  });

  it('keeps a watcher that receives something within every tick', () => {
    const clock = new ManualClock();
    const ticker = new IdleTicker(clock, 100);
    const log: string[] = [];
    const a = watcher('a', log);
    const b = watcher('b', log);
    ticker.add(a);
    ticker.add(b);
    for (let i = 0; i < 10; i++) {
      a.rxSinceTick = true;
      clock.advance(100);
    }
    expect(log).toEqual(['b']);
    clock.advance(200);
    expect(log).toEqual(['b', 'a']);
  });

  it('uses one timer for all its watchers and none once they are all removed', () => {
    const clock = new ManualClock();
    const ticker = new IdleTicker(clock, 100);
    const log: string[] = [];
    const ws = Array.from({ length: 50 }, (_, i) => watcher(String(i), log));
    for (const w of ws) ticker.add(w);
    expect(clock.pending()).toBe(1);
    for (const w of ws) ticker.remove(w);
    expect(clock.pending()).toBe(0);
    clock.advance(1000);
    expect(log).toEqual([]);
  });

  it('removes any watcher (head, middle, tail) and ignores one it does not hold; adding twice is adding once', () => {
    const clock = new ManualClock();
    const ticker = new IdleTicker(clock, 100);
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => watcher(n, log)) as [
      IdleWatched,
      IdleWatched,
      IdleWatched,
      IdleWatched,
    ];
    for (const w of [a, b, c, d]) ticker.add(w);
    ticker.add(c);
    ticker.remove(b);
    ticker.remove(d); // the head (last added)
    ticker.remove(a); // the tail
    ticker.remove(b); // not held any more
    new IdleTicker(clock, 100).remove(c); // another ticker's watcher: untouched
    clock.advance(200);
    expect(log).toEqual(['c']);
  });

  it('lets a watcher told it is idle join again (a byte came in before it acted)', () => {
    const clock = new ManualClock();
    const ticker = new IdleTicker(clock, 100);
    const log: string[] = [];
    const a: IdleWatched = {
      ...watcher('a', log),
      onIdle: () => {
        log.push('a');
        ticker.add(a);
      },
    };
    ticker.add(a);
    clock.advance(200);
    expect(log).toEqual(['a']);
    clock.advance(100);
    expect(log).toEqual(['a']);
    clock.advance(100);
    expect(log).toEqual(['a', 'a']);
  });
});

describe('idleTicker', () => {
  it('forgets a ticker once its last watcher goes, and makes a new one on the next use', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const t = idleTicker(clock, 250);
    const a = watcher('a', log);
    t.add(a);
    expect(currentIdleTicker(clock, 250)).toBe(t);
    t.remove(a);
    expect(currentIdleTicker(clock, 250)).toBeUndefined();
    const again = idleTicker(clock, 250);
    expect(again).not.toBe(t);
    again.add(a);
    clock.advance(500);
    expect(log).toEqual(['a']);
    expect(currentIdleTicker(clock, 250)).toBeUndefined(); // its watcher went idle and was dropped
  });

  it('gives one ticker per clock and timeout', () => {
    const one = new ManualClock();
    const two = new ManualClock();
    expect(idleTicker(one, 100)).toBe(idleTicker(one, 100));
    expect(idleTicker(one, 100)).not.toBe(idleTicker(one, 200));
    expect(idleTicker(one, 100)).not.toBe(idleTicker(two, 100));
  });
});
