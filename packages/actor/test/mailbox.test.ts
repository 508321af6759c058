import { describe, expect, it } from 'vitest';
import { Mailbox } from '../src/mailbox.js';

describe('Mailbox', () => {
  it('is a FIFO queue: shift returns messages in the order they were pushed', () => {
    const mb = new Mailbox<string>();
    mb.push('a');
    mb.push('b');
    mb.push('c');
    expect(mb.length).toBe(3);
    expect([mb.shift(), mb.shift(), mb.shift()]).toEqual(['a', 'b', 'c']);
    expect(mb.length).toBe(0);
  });

  it('shift on an empty mailbox returns undefined and keeps the length at 0', () => {
    const mb = new Mailbox<number>();
    expect(mb.shift()).toBeUndefined();
    mb.push(1);
    mb.shift();
    expect(mb.shift()).toBeUndefined();
    expect(mb.length).toBe(0);
  });

  it('keeps order across its internal compaction (many messages pushed and taken in waves)', () => {
    const mb = new Mailbox<number>();
    const out: number[] = [];
    let next = 0;
    for (let wave = 0; wave < 5; wave++) {
      for (let i = 0; i < 3000; i++) mb.push(next++);
      for (let i = 0; i < 2500; i++) out.push(mb.shift()!);
    }
    while (mb.length > 0) out.push(mb.shift()!);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('at(i) reads without removing; 0 is the oldest', () => {
    const mb = new Mailbox<string>();
    mb.push('x');
    mb.push('y');
    mb.shift();
    mb.push('z');
    expect([mb.at(0), mb.at(1)]).toEqual(['y', 'z']);
    expect(mb.length).toBe(2);
  });

  it('removeAt takes a message out of the middle and leaves the others in order (selective receive)', () => {
    const mb = new Mailbox<string>();
    for (const m of ['a', 'b', 'c', 'd']) mb.push(m);
    mb.shift();
    expect(mb.removeAt(1)).toBe('c');
    expect(mb.removeAt(0)).toBe('b');
    expect(mb.toArray()).toEqual(['d']);
  });

  it('findIndex scans from an index, relative to the oldest message', () => {
    const mb = new Mailbox<number>();
    for (const m of [0, 1, 2, 3, 4, 5]) mb.push(m);
    mb.shift();
    const even = (m: number) => m % 2 === 0;
    expect(mb.findIndex(even)).toBe(1);
    expect(mb.findIndex(even, 2)).toBe(3);
    expect(mb.findIndex((m) => m > 9)).toBe(-1);
  });

  it('removeAll drops every matching message, counts them and keeps the rest in order', () => {
    const mb = new Mailbox<number>();
    for (let i = 0; i < 10; i++) mb.push(i);
    mb.shift();
    expect(mb.removeAll((m) => m % 3 === 0)).toBe(3);
    expect(mb.toArray()).toEqual([1, 2, 4, 5, 7, 8]);
    mb.push(10);
    expect(mb.shift()).toBe(1);
    expect(mb.length).toBe(6);
  });

  it('clear empties it and compact keeps the messages', () => {
    const mb = new Mailbox<number>();
    for (let i = 0; i < 2000; i++) mb.push(i);
    for (let i = 0; i < 1500; i++) mb.shift();
    mb.compact();
    expect(mb.length).toBe(500);
    expect(mb.at(0)).toBe(1500);
    mb.clear();
    expect(mb.length).toBe(0);
    expect(mb.toArray()).toEqual([]);
  });

  it('empty mailboxes share nothing: however each was emptied (shift, removeAll, clear, compact), a push lands in that one only', () => {
    const boxes = Array.from({ length: 6 }, () => new Mailbox<string>());
    const [fresh, shifted, removed, cleared, compacted, other] = boxes as [
      Mailbox<string>,
      Mailbox<string>,
      Mailbox<string>,
      Mailbox<string>,
      Mailbox<string>,
      Mailbox<string>,
    ];
    for (const mb of [shifted, removed, cleared, compacted]) mb.push('old');
    shifted.shift();
    removed.removeAll(() => true);
    cleared.clear();
    compacted.shift();
    compacted.compact();
    for (const [i, mb] of [fresh, shifted, removed, cleared, compacted].entries()) mb.push(`new ${i}`);
    expect(boxes.map((mb) => mb.toArray())).toEqual([
      ['new 0'],
      ['new 1'],
      ['new 2'],
      ['new 3'],
      ['new 4'],
      [],
    ]);
    expect(other.shift()).toBeUndefined();
    expect(other.findIndex(() => true)).toBe(-1);
  });

  it('carries undefined as a message: length, not the value, tells whether it is empty', () => {
    const mb = new Mailbox<undefined | number>();
    mb.push(undefined);
    mb.push(1);
    expect(mb.length).toBe(2);
    expect(mb.shift()).toBeUndefined();
    expect(mb.length).toBe(1);
  });
});
