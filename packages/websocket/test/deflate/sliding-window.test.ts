/**
 * The LZ77 history of one direction (RFC 7692 §7.1.1: context takeover): the last 2^bits bytes
 * of data, appended in order, whatever the sizes of the appends.
 */
import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../src/deflate/sliding-window.js';

/** A reference model: everything appended, last `size` bytes. */
function model(appends: Buffer[], size: number): Buffer {
  const all = Buffer.concat(appends);
  return all.subarray(Math.max(0, all.length - size));
}

describe('SlidingWindow', () => {
  it('holds nothing at first', () => {
    const w = new SlidingWindow(9);
    expect(w.view()).toBeUndefined();
    expect(w.held).toBe(0);
    expect(w.allocated).toBe(0);
  });

  it('keeps exactly the last 2^bits bytes over appends of every size, and views the last `max` of them', () => {
    const size = 512;
    let seed = 1;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const w = new SlidingWindow(9);
    const appends: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const n = next() % 3 === 0 ? next() % 700 : next() % 60; // mostly small, sometimes over the window
      const data = Buffer.alloc(n, i % 251);
      for (let j = 0; j < n; j++) data[j] = (i * 31 + j) % 256;
      appends.push(data);
      w.append(data);
      expect(w.view()?.equals(model(appends, size)) ?? model(appends, size).length === 0).toBe(true);
      expect(w.allocated).toBeLessThanOrEqual(size + size / 4);
      const max = next() % 600;
      const expected = model(appends, Math.min(size, max));
      expect(w.view(max)?.equals(expected) ?? expected.length === 0).toBe(true);
    }
  });

  it('grows with the data (a connection of small messages holds little), up to the window plus a quarter', () => {
    const w = new SlidingWindow(15);
    w.append(Buffer.alloc(100));
    expect(w.allocated).toBe(1024);
    w.append(Buffer.alloc(3000));
    expect(w.allocated).toBe(4096);
    for (let i = 0; i < 100; i++) w.append(Buffer.alloc(1000, i));
    expect(w.held).toBe(32768);
    expect(w.allocated).toBe(40960);
  });

  it('compact trims the buffer to the bytes held (hibernate) and keeps them', () => {
    const w = new SlidingWindow(15);
    for (let i = 0; i < 50; i++) w.append(Buffer.alloc(1000, i));
    const before = Buffer.from(w.view()!);
    w.compact();
    expect(w.allocated).toBe(32768);
    expect(w.view()!.equals(before)).toBe(true);
    w.append(Buffer.from('more'));
    expect(w.view()!.subarray(-4).toString()).toBe('more');
    expect(w.view()!.subarray(0, -4).equals(before.subarray(4))).toBe(true);
  });

  it('clear forgets the history and frees the buffer (a context reset)', () => {
    const w = new SlidingWindow(10);
    w.append(Buffer.from('history'));
    w.clear();
    expect(w.view()).toBeUndefined();
    expect(w.allocated).toBe(0);
  });
});
