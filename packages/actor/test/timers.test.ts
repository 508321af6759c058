import { afterEach, describe, expect, it } from 'vitest';
import type { Ref } from '../src/index.js';
import { inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('timers', () => {
  it('sendAfter delivers the message when the time has passed, not before (erlang:send_after/3)', async () => {
    t = testNode();
    const p = puppet(t.node);
    t.node.sendAfter(1000, p.pid, 'tick');
    t.clock.advance(999);
    await settle();
    expect(p.inbox).toEqual([]);
    t.clock.advance(1);
    await settle();
    expect(p.inbox).toEqual(['tick']);
    expect(t.node.timerCount()).toBe(0);
  });

  it('timers due at the same time deliver in the order they were set', async () => {
    t = testNode();
    const p = puppet(t.node);
    t.node.sendAfter(20, p.pid, 'b');
    t.node.sendAfter(10, p.pid, 'a');
    t.node.sendAfter(20, p.pid, 'c');
    t.clock.advance(20);
    await settle();
    expect(p.inbox).toEqual(['a', 'b', 'c']);
  });

  it("startTimer delivers ['timeout', ref, msg] (erlang:start_timer/3)", async () => {
    t = testNode();
    const p = puppet(t.node);
    const ref = t.node.startTimer(50, p.pid, { job: 7 });
    t.clock.advance(50);
    await settle();
    expect(p.inbox).toEqual([['timeout', ref, { job: 7 }]]);
  });

  it('a process can set timers for itself with self.sendAfter and self.startTimer', async () => {
    t = testNode();
    const p = puppet(t.node);
    let ref: Ref | undefined;
    await inside(t.node, p.pid, (self) => {
      self.sendAfter(10, self.pid, 'plain');
      ref = self.startTimer(20, self.pid, 'wrapped');
    });
    t.clock.advance(20);
    await settle();
    expect(p.inbox).toEqual(['plain', ['timeout', ref, 'wrapped']]);
  });

  it('cancelTimer returns the milliseconds left and stops the message; false once fired or already cancelled', async () => {
    t = testNode();
    const p = puppet(t.node);
    const ref = t.node.sendAfter(1000, p.pid, 'never');
    t.clock.advance(300);
    expect(t.node.cancelTimer(ref)).toBe(700);
    expect(t.node.cancelTimer(ref)).toBe(false);
    expect(t.clock.pending()).toBe(0);
    t.clock.advance(1000);
    await settle();
    expect(p.inbox).toEqual([]);
    const fired = t.node.sendAfter(10, p.pid, 'fired');
    t.clock.advance(10);
    expect(t.node.cancelTimer(fired)).toBe(false);
    await settle();
    expect(p.inbox).toEqual(['fired']);
  });

  it('self.cancelTimer cancels from inside a process', async () => {
    t = testNode();
    const p = puppet(t.node);
    let left: number | false | undefined;
    await inside(t.node, p.pid, (self) => {
      const ref = self.sendAfter(100, self.pid, 'never');
      left = self.cancelTimer(ref);
    });
    t.clock.advance(100);
    await settle();
    expect(left).toBe(100);
    expect(p.inbox).toEqual([]);
  });

  it('readTimer gives the milliseconds left, or false for a fired or unknown timer', () => {
    t = testNode();
    const p = puppet(t.node);
    const ref = t.node.sendAfter(100, p.pid, 'x');
    expect(t.node.readTimer(ref)).toBe(100);
    t.clock.advance(40);
    expect(t.node.readTimer(ref)).toBe(60);
    t.clock.advance(60);
    expect(t.node.readTimer(ref)).toBe(false);
  });

  it('a timer to a pid is cancelled, on the clock too, when that process exits', async () => {
    t = testNode();
    const target = sleeper(t.node);
    const refs = [t.node.sendAfter(100, target, 'a'), t.node.startTimer(200, target, 'b')];
    expect(t.node.processInfo(target)?.timers).toBe(2);
    expect(t.clock.pending()).toBe(2);
    t.node.exit(target, 'kill');
    expect(t.clock.pending()).toBe(0);
    expect(t.node.timerCount()).toBe(0);
    expect(refs.map((r) => t.node.readTimer(r))).toEqual([false, false]);
    expect(refs.map((r) => t.node.cancelTimer(r))).toEqual([false, false]);
  });

  it('a timer to a pid that is already dead is dropped at once (it still returns a ref)', () => {
    t = testNode();
    const dead = sleeper(t.node);
    t.node.exit(dead, 'kill');
    const ref = t.node.sendAfter(100, dead, 'x');
    expect(ref.toString()).toMatch(/^#Ref</);
    expect(t.clock.pending()).toBe(0);
    expect(t.node.readTimer(ref)).toBe(false);
  });

  it('a timer to a name looks the name up when it fires; nobody holding it then drops the message silently', async () => {
    t = testNode();
    t.node.sendAfter(10, 'later', 'first');
    t.node.sendAfter(20, 'later', 'second');
    t.clock.advance(10);
    const p = puppet(t.node, { name: 'later' });
    t.clock.advance(10);
    await settle();
    expect(p.inbox).toEqual(['second']);
  });

  it('a timer set by a process that then exits still fires at its target (only the target owns it)', async () => {
    t = testNode();
    const target = puppet(t.node);
    const setter = puppet(t.node);
    await inside(t.node, setter.pid, (self) => void self.sendAfter(10, target.pid, 'from the dead'));
    t.node.exit(setter.pid, 'kill');
    t.clock.advance(10);
    await settle();
    expect(target.inbox).toEqual(['from the dead']);
  });

  it('a negative or NaN time is an ERR_BADARG error', () => {
    t = testNode();
    const p = puppet(t.node);
    expect(() => t.node.sendAfter(-1, p.pid, 'x')).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
    expect(() => t.node.startTimer(Number.NaN, p.pid, 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_BADARG' }),
    );
  });

  it('a zero-time timer fires on the next clock step, not synchronously', async () => {
    t = testNode();
    const p = puppet(t.node);
    t.node.sendAfter(0, p.pid, 'now');
    await settle();
    expect(p.inbox).toEqual([]);
    t.clock.advance(0);
    await settle();
    expect(p.inbox).toEqual(['now']);
  });

  it('shutdown cancels every pending timer, those addressed to names included', () => {
    t = testNode();
    const p = puppet(t.node, { name: 'svc' });
    t.node.sendAfter(100, p.pid, 'to pid');
    t.node.sendAfter(100, 'svc', 'to name');
    t.node.shutdown();
    expect(t.node.timerCount()).toBe(0);
    expect(t.clock.pending()).toBe(0);
  });
});
