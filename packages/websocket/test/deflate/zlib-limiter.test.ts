/**
 * The process-wide bound on zlib jobs (ws's Limiter): at most `concurrency` run at once, the
 * others wait in arrival order, and each job's `done` frees exactly one slot.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ZLIB_CONCURRENCY, ZlibLimiter, zlibLimiter } from '../../src/deflate/zlib-limiter.js';

describe('ZlibLimiter', () => {
  it('runs at most `concurrency` jobs at once and starts the rest in arrival order as slots free', () => {
    const limiter = new ZlibLimiter(3);
    const started: number[] = [];
    const dones: (() => void)[] = [];
    for (let i = 0; i < 10; i++)
      limiter.run((done) => {
        started.push(i);
        dones.push(done);
      });
    expect(started).toEqual([0, 1, 2]);
    expect([limiter.running, limiter.queued]).toEqual([3, 7]);
    dones[1]!();
    expect(started).toEqual([0, 1, 2, 3]);
    dones[0]!();
    dones[2]!();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    while (started.length < 10) dones[started.length - 3]!();
    for (let i = 6; i < 10; i++) dones[i]!();
    expect([limiter.running, limiter.queued, limiter.peak]).toEqual([0, 0, 3]);
  });

  it('frees one slot per job even if its done is called twice', () => {
    const limiter = new ZlibLimiter(1);
    const dones: (() => void)[] = [];
    let ran = 0;
    for (let i = 0; i < 3; i++)
      limiter.run((done) => {
        ran++;
        dones.push(done);
      });
    dones[0]!();
    dones[0]!();
    expect(ran).toBe(2);
    expect(limiter.running).toBe(1);
  });

  it('starts waiting jobs at once when the concurrency is raised, and refuses a concurrency below 1', () => {
    const limiter = new ZlibLimiter(1);
    let ran = 0;
    for (let i = 0; i < 4; i++) limiter.run(() => ran++);
    expect(ran).toBe(1);
    limiter.concurrency = 3;
    expect(ran).toBe(3);
    expect(() => {
      limiter.concurrency = 0;
    }).toThrow(RangeError);
  });

  it('frees the slot of a job that throws, and the error reaches the caller', () => {
    const limiter = new ZlibLimiter(1);
    expect(() =>
      limiter.run(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    let ran = false;
    limiter.run(() => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it("is one process-wide instance, ws's default of 10 concurrent jobs", () => {
    expect(zlibLimiter.concurrency).toBe(DEFAULT_ZLIB_CONCURRENCY);
    expect(DEFAULT_ZLIB_CONCURRENCY).toBe(10);
  });
});
