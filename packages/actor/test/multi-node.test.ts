import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger, createNode, ManualClock, type Node, type Pid } from '../src/index.js';
import { crashReports, inside, puppet, settle, sleeper } from './support.js';

let nodes: Node[] = [];
afterEach(() => {
  for (const n of nodes) n.shutdown();
  nodes = [];
});

function twoNodes() {
  const clock = new ManualClock();
  const logA = captureLogger();
  const logB = captureLogger();
  const a = createNode({ name: 'a', logger: logA, clock });
  const b = createNode({ name: 'b', logger: logB, clock });
  nodes = [a, b];
  return { a, b, clock, logA, logB };
}

describe('several nodes in one JS process', () => {
  it('each node numbers its own processes and names them after itself', () => {
    const { a, b } = twoNodes();
    expect([sleeper(a), sleeper(b), sleeper(a)].map(String)).toEqual(['<a.1.0>', '<b.1.0>', '<a.2.0>']);
    expect([a.processCount(), b.processCount()]).toEqual([2, 1]);
  });

  it('a pid of node A can be sent to from node B, from plain code and from inside a process of B', async () => {
    const { a, b } = twoNodes();
    const onA = puppet(a);
    const onB = puppet(b);
    b.send(onA.pid, 'from b plain code');
    await inside(b, onB.pid, (self) => self.send(onA.pid, 'from a process on b'));
    expect(onA.inbox).toEqual(['from b plain code', 'from a process on b']);
  });

  it('a link between processes on two nodes carries exit signals both ways', async () => {
    const { a, b } = twoNodes();
    const onA = puppet(a, { trapExit: true });
    const onB = puppet(b, { trapExit: true });
    await inside(b, onB.pid, (self) => self.link(onA.pid));
    expect(a.processInfo(onA.pid)?.links).toEqual([onB.pid]);
    const doomedA = puppet(a);
    await inside(b, onB.pid, (self) => self.link(doomedA.pid));
    a.exit(doomedA.pid, 'gone');
    await settle();
    expect(onB.inbox).toEqual([['EXIT', doomedA.pid, 'gone']]);
  });

  it('a crash on node A kills a linked process on node B: B frees its table entry, name and timers, and only A reports the crash', async () => {
    const { a, b, clock, logA, logB } = twoNodes();
    const victim = puppet(b, { name: 'victim-on-b' });
    const other = sleeper(b);
    b.sendAfter(100, victim.pid, 'timer');
    const crasher = puppet(a);
    await inside(a, crasher.pid, (self) => self.link(victim.pid));
    await inside(a, crasher.pid, () => {
      throw new Error('crash on a');
    });
    expect(b.isAlive(victim.pid)).toBe(false);
    expect(b.processes()).toEqual([other]);
    expect(b.processCount()).toBe(1);
    expect(a.processCount()).toBe(0);
    expect(b.whereis('victim-on-b')).toBeUndefined();
    expect(b.timerCount()).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(crashReports(logA.records)).toHaveLength(1);
    expect(crashReports(logB.records)).toHaveLength(0);
  });

  it('a process on B that dies by a signal from A, while first in B’s table, leaves B’s table consistent', async () => {
    const { a, b } = twoNodes();
    const first = puppet(b);
    const second = sleeper(b);
    const onA = puppet(a);
    a.exit(first.pid, 'kill');
    await inside(a, onA.pid, (self) => self.exit(second, 'boom'));
    expect(b.processes()).toEqual([]);
    expect(b.processCount()).toBe(0);
    expect(a.processes()).toEqual([onA.pid]);
    expect(sleeper(b).toString()).toBe('<b.3.0>');
    expect(b.processCount()).toBe(1);
  });

  it('a monitor from node B on a process of node A gets its DOWN', async () => {
    const { a, b } = twoNodes();
    const target = sleeper(a);
    const w = puppet(b);
    let ref: unknown;
    await inside(b, w.pid, (self) => {
      ref = self.monitor(target);
    });
    a.exit(target, 'bye');
    await settle();
    expect(w.inbox).toEqual([['DOWN', ref, 'process', target, 'bye']]);
  });

  it('a process on B can spawnLink through node A from its own code (the calling process is known across nodes)', async () => {
    const { a, b } = twoNodes();
    const parent = puppet(b, { trapExit: true });
    let child: Pid | undefined;
    await inside(b, parent.pid, () => {
      child = a.spawnLink(async (self) => self.exit('child done'));
    });
    expect(child?.toString()).toMatch(/^<a\./);
    expect(parent.inbox).toEqual([['EXIT', child, 'child done']]);
  });

  it('a timer set on node B to a pid of node A is cancelled on B when that process exits', () => {
    const { a, b, clock } = twoNodes();
    const target = sleeper(a);
    const ref = b.sendAfter(100, target, 'x');
    expect(b.readTimer(ref)).toBe(100);
    a.exit(target, 'kill');
    expect(b.readTimer(ref)).toBe(false);
    expect(b.timerCount()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('node names keep pids apart: the same number on two nodes is two processes', () => {
    const { a, b } = twoNodes();
    const pa = sleeper(a);
    const pb = sleeper(b);
    expect(pa.id).toBe(pb.id);
    expect(pa.equals(pb)).toBe(false);
    expect(new Set([pa, pb]).size).toBe(2);
  });

  it('shutting one node down leaves the other running', () => {
    const { a, b } = twoNodes();
    sleeper(a);
    const pb = sleeper(b);
    a.shutdown();
    expect(a.processCount()).toBe(0);
    expect(b.processes()).toEqual([pb]);
  });
});
