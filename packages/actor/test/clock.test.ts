import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/index.js';

describe('ManualClock', () => {
  it('starts at the given time and only moves when advanced', () => {
    const clock = new ManualClock(500);
    expect(clock.now()).toBe(500);
    clock.advance(250);
    expect(clock.now()).toBe(750);
  });

  it('fires a timer when time reaches its deadline, not before', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([100]);
    expect(clock.pending()).toBe(0);
  });

  it('fires timers in deadline order, and those due at the same instant in the order they were set', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('c@30'), 30);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('b1@20'), 20);
    clock.setTimeout(() => fired.push('b2@20'), 20);
    clock.advance(1000);
    expect(fired).toEqual(['a@10', 'b1@20', 'b2@20', 'c@30']);
  });

  it('runs each timer at its own time, and fires timers set by a timer within the same advance', () => {
    const clock = new ManualClock();
    const fired: [string, number][] = [];
    clock.setTimeout(() => {
      fired.push(['first', clock.now()]);
      clock.setTimeout(() => fired.push(['second', clock.now()]), 10);
      clock.setTimeout(() => fired.push(['late', clock.now()]), 1000);
    }, 5);
    clock.advance(20);
    expect(fired).toEqual([
      ['first', 5],
      ['second', 15],
    ]);
    expect(clock.now()).toBe(20);
    expect(clock.pending()).toBe(1);
  });

  it('clearTimeout cancels a pending timer; clearing twice or clearing junk is harmless', () => {
    const clock = new ManualClock();
    let fired = false;
    const h = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(h);
    clock.clearTimeout(h);
    clock.clearTimeout(undefined);
    clock.advance(100);
    expect(fired).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('treats a negative delay as 0 (due now, fired by the next advance)', () => {
    const clock = new ManualClock(10);
    let at = -1;
    clock.setTimeout(() => {
      at = clock.now();
    }, -5);
    clock.advance(0);
    expect(at).toBe(10);
  });
});

describe('systemClock', () => {
  it('is monotonic and fires real timers', async () => {
    const t0 = systemClock.now();
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
    expect(systemClock.now()).toBeGreaterThanOrEqual(t0 + 4);
    let fired = false;
    const h = systemClock.setTimeout(() => {
      fired = true;
    }, 1);
    systemClock.clearTimeout(h);
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(false);
  });
});
