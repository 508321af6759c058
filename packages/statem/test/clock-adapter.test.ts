/**
 * Delays on the node's clock. xstate's `after` transitions, delayed `raise` and `sendTo`
 * and `cancel` (xstate docs, "Delayed transitions", "Delayed events") must move with an
 * injected clock, as with xstate's SimulatedClock; a delayed event is a timer message to the
 * process, like a gen_statem timeout (OTP gen_statem: "state_timeout", cancelled when the
 * state changes). Every test runs on both engines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assign, cancel, raise, sendTo, setup } from 'xstate';
import { ClockTick, processClock } from '../src/clock-adapter.js';
import { type Engine, spawnMachine } from '../src/index.js';
import { inbox, settle, snapshotOf, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

/** A lock that relocks 5 s after it was opened, unless it is opened again (which restarts the delay). */
const lock = setup({ types: { context: {} as { opened: number } } }).createMachine({
  id: 'lock',
  context: { opened: 0 },
  initial: 'locked',
  states: {
    locked: {
      on: { open: { target: 'open', actions: assign({ opened: ({ context }) => context.opened + 1 }) } },
    },
    open: {
      after: { 5000: 'locked' },
      on: { open: { target: 'open', reenter: true }, close: 'locked' },
    },
  },
});

describe.each(['transition', 'actor'] as Engine[])('delays with the %s engine', (engine) => {
  it('an after transition fires when the node clock reaches it, and not a millisecond before', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, lock, { engine });
    t.node.send(pid, 'open');
    await settle();
    expect(snapshotOf(t.node, pid).value).toBe('open');
    expect(t.node.processInfo(pid)?.timers).toBe(1);
    t.clock.advance(4999);
    await settle();
    expect(snapshotOf(t.node, pid).value).toBe('open');
    t.clock.advance(1);
    await settle();
    expect(snapshotOf(t.node, pid).value).toBe('locked');
    expect(t.node.processInfo(pid)?.timers).toBe(0);
  });

  it('leaving the state cancels its after timer: no timer is left and nothing fires later', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, lock, { engine });
    t.node.send(pid, 'open');
    t.node.send(pid, 'close');
    await settle();
    expect(t.node.processInfo(pid)?.timers).toBe(0);
    t.node.send(pid, 'open');
    await settle();
    t.clock.advance(3000);
    t.node.send(pid, 'open'); // re-entering restarts the 5 s
    await settle();
    t.clock.advance(3000);
    await settle();
    expect(snapshotOf(t.node, pid).value).toBe('open');
    t.clock.advance(2000);
    await settle();
    expect(snapshotOf(t.node, pid)).toMatchObject({ value: 'locked', context: { opened: 2 } });
  });

  it('a delayed event cancelled after its timer fired, but before the process handled it, never reaches the machine', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, lock, { engine });
    t.node.send(pid, 'open');
    await settle();
    // 'close' is queued first; the timer then fires and queues its event behind it. Handling
    // 'close' cancels the timer too late to stop the message: it must be dropped.
    t.node.send(pid, 'close');
    t.clock.advance(5000);
    t.node.send(pid, 'open');
    await settle();
    expect(snapshotOf(t.node, pid)).toMatchObject({ value: 'open', context: { opened: 2 } });
  });

  it('raise with a delay, and cancel by id (a debounce)', async () => {
    t = testNode();
    const search = setup({ types: { context: {} as { searches: number } } }).createMachine({
      context: { searches: 0 },
      on: {
        typed: { actions: [cancel('debounce'), raise({ type: 'search' }, { delay: 300, id: 'debounce' })] },
        search: { actions: assign({ searches: ({ context }) => context.searches + 1 }) },
      },
    });
    const pid = spawnMachine(t.node, search, { engine });
    for (let i = 0; i < 5; i++) {
      t.node.send(pid, 'typed');
      await settle();
      t.clock.advance(100);
    }
    expect(snapshotOf(t.node, pid).context.searches).toBe(0);
    t.clock.advance(200);
    await settle();
    expect(snapshotOf(t.node, pid).context.searches).toBe(1);
  });

  it("sendTo(self) with a delay comes back through the process's mailbox", async () => {
    t = testNode();
    const echo = setup({ types: { context: {} as { pongs: number } } }).createMachine({
      context: { pongs: 0 },
      on: {
        ping: { actions: sendTo(({ self }) => self, { type: 'pong' }, { delay: 1000 }) },
        pong: { actions: assign({ pongs: ({ context }) => context.pongs + 1 }) },
      },
    });
    const pid = spawnMachine(t.node, echo, { engine });
    t.node.send(pid, 'ping');
    await settle();
    t.clock.advance(999);
    await settle();
    expect(snapshotOf(t.node, pid).context.pongs).toBe(0);
    t.clock.advance(1);
    await settle();
    expect(snapshotOf(t.node, pid).context.pongs).toBe(1);
  });

  it("a machine's timers die with its process (a timer to a pid is cancelled when it exits)", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, lock, { engine });
    t.node.send(pid, 'open');
    await settle();
    expect(t.clock.pending()).toBeGreaterThan(0);
    t.node.exit(pid, 'kill');
    expect(t.clock.pending()).toBe(0);
  });
});

describe('processClock', () => {
  it("is xstate's clock on node timers: each timeout is a ClockTick message to the process; clearTimeout cancels it", async () => {
    t = testNode();
    const box = inbox(t.node);
    // The Self surface processClock uses, for the inbox process.
    const self = {
      pid: box.pid,
      sendAfter: (ms: number, dest: typeof box.pid, msg: unknown) => t.node.sendAfter(ms, dest, msg),
      cancelTimer: (ref: Parameters<typeof t.node.cancelTimer>[0]) => t.node.cancelTimer(ref),
    };
    const clock = processClock(self as never);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('a'), 100);
    const b = clock.setTimeout(() => fired.push('b'), 100);
    clock.clearTimeout(b);
    expect(t.clock.pending()).toBe(1);
    t.clock.advance(100);
    await settle();
    expect(box.messages).toHaveLength(1);
    const tick = box.messages[0] as ClockTick;
    expect(tick).toBeInstanceOf(ClockTick);
    tick.fn();
    expect(fired).toEqual(['a']);
  });
});
