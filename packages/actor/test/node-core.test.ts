import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger, createNode, ManualClock, type Node, type Pid, self } from '../src/index.js';
import { inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('createNode', () => {
  it('takes a name, a logger and a clock', () => {
    const logger = captureLogger();
    const clock = new ManualClock(1234);
    const node: Node = createNode({ name: 'made', logger, clock });
    expect(node.name).toBe('made');
    expect(node.logger).toBe(logger);
    expect(node.clock).toBe(clock);
    expect(node.clock.now()).toBe(1234);
    node.shutdown();
  });

  it('needs a non-empty name (ERR_BADARG)', () => {
    expect(() => createNode({ name: '' })).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
    expect(() => createNode({} as { name: string })).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
  });

  it('nodes share nothing: names, processes and timers are per node', () => {
    const clock = new ManualClock();
    const a = createNode({ name: 'a', logger: captureLogger(), clock });
    const b = createNode({ name: 'b', logger: captureLogger(), clock });
    sleeper(a, { name: 'svc' });
    expect(b.whereis('svc')).toBeUndefined();
    sleeper(b, { name: 'svc' });
    expect(a.registered()).toEqual(['svc']);
    a.shutdown();
    b.shutdown();
  });
});

describe('shutdown', () => {
  it("ends every process with 'shutdown', even those trapping exits, and cancels their timers", async () => {
    t = testNode();
    const reasons: unknown[] = [];
    const trapper = sleeper(t.node, { trapExit: true });
    const plain = sleeper(t.node);
    t.node.onExit(trapper, (r) => reasons.push(r));
    t.node.onExit(plain, (r) => reasons.push(r));
    t.node.sendAfter(10, trapper, 'x');
    t.node.shutdown();
    expect(reasons).toEqual(['shutdown', 'shutdown']);
    expect(t.node.processCount()).toBe(0);
    expect(t.clock.pending()).toBe(0);
  });
});

describe('node.self, self() and runAs', () => {
  it('node.self() and self() name the process whose synchronous code runs; outside, undefined / an error', async () => {
    t = testNode();
    const p = puppet(t.node);
    const seen: (Pid | undefined)[] = [];
    await inside(t.node, p.pid, () => {
      seen.push(t.node.self(), self().pid);
    });
    expect(seen).toEqual([p.pid, p.pid]);
    expect(t.node.self()).toBeUndefined();
    expect(() => self()).toThrow(expect.objectContaining({ code: 'ERR_NOT_IN_PROCESS' }));
  });

  it('runAs runs plain code as a process (after an await, say) and restores the previous one', async () => {
    t = testNode();
    const p = puppet(t.node);
    const target = sleeper(t.node);
    const result = t.node.runAs({ pid: p.pid }, () => {
      t.node.linkCurrent(target);
      return t.node.self();
    });
    expect(result).toBe(p.pid);
    expect(t.node.self()).toBeUndefined();
    expect(t.node.processInfo(p.pid)?.links).toEqual([target]);
    t.node.exit(target, 'boom');
    await settle();
    expect(t.node.isAlive(p.pid)).toBe(false);
  });

  it('a receive-loop process keeps its own handle across awaits (self is an argument, not ambient)', async () => {
    t = testNode();
    const got: unknown[] = [];
    const pid = t.node.spawn<string>(async (me) => {
      const m = await me.receive();
      got.push(m, me.pid, t.node.self());
    });
    t.node.send(pid, 'hi');
    await settle();
    expect(got).toEqual(['hi', pid, undefined]);
  });
});

describe('hibernate', () => {
  it('keeps the mailbox and state, and the process goes on handling messages', async () => {
    t = testNode();
    const p = puppet(t.node);
    t.node.send(p.pid, (s: { hibernate(): void }) => s.hibernate());
    t.node.send(p.pid, 'after');
    await settle();
    expect(p.inbox).toEqual(['after']);
    await inside(t.node, p.pid, (s) => s.hibernate());
    expect(t.node.isAlive(p.pid)).toBe(true);
  });
});
