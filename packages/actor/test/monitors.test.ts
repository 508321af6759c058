import { afterEach, describe, expect, it } from 'vitest';
import type { Pid, Ref } from '../src/index.js';
import { inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('monitor and demonitor', () => {
  it("if Pid2 terminates with Reason, Pid1 gets ['DOWN', Ref, 'process', Pid2, Reason] (reference manual, Monitors)", async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = sleeper(t.node);
    let ref: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      ref = self.monitor(target);
    });
    t.node.exit(target, 'bye');
    await settle();
    expect(w.inbox).toEqual([['DOWN', ref, 'process', target, 'bye']]);
  });

  it('repeated calls to monitor create several independent monitors, and each one sends a DOWN message', async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = sleeper(t.node);
    const refs: Ref[] = [];
    await inside(t.node, w.pid, (self) => {
      refs.push(self.monitor(target), self.monitor(target));
    });
    expect(refs[0]).not.toBe(refs[1]);
    expect(t.node.processInfo(target)?.monitoredBy).toHaveLength(2);
    t.node.exit(target, 'bye');
    await settle();
    expect(w.inbox).toEqual([
      ['DOWN', refs[0], 'process', target, 'bye'],
      ['DOWN', refs[1], 'process', target, 'bye'],
    ]);
  });

  it("if Pid2 does not exist, the DOWN message is sent immediately with Reason 'noproc'", async () => {
    t = testNode();
    const w = puppet(t.node);
    const dead = sleeper(t.node);
    t.node.exit(dead, 'kill');
    let ref: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      ref = self.monitor(dead);
      w.inbox.push([...t.node.messages(self.pid)]);
    });
    expect(w.inbox[0]).toEqual([['DOWN', ref, 'process', dead, 'noproc']]);
  });

  it('a monitor is removed by demonitor(Ref): its DOWN is dropped, another monitor still fires; true only while active', async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = sleeper(t.node);
    const results: boolean[] = [];
    let kept: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      const gone = self.monitor(target);
      kept = self.monitor(target);
      results.push(self.demonitor(gone), self.demonitor(gone));
    });
    expect(results).toEqual([true, false]);
    expect(t.node.processInfo(target)?.monitoredBy).toEqual([{ ref: kept, pid: w.pid }]);
    t.node.exit(target, 'bye');
    await settle();
    expect(w.inbox).toEqual([['DOWN', kept, 'process', target, 'bye']]);
  });

  it('demonitor with flush removes a DOWN already in the mailbox (Erlang [flush])', async () => {
    t = testNode();
    const target = sleeper(t.node);
    const log: unknown[] = [];
    const w = t.node.spawn<unknown>(async (self) => {
      const ref = self.monitor(target);
      const other = self.monitor(target);
      await self.receive((m) => m === 'go');
      log.push(t.node.messages(self.pid).length);
      log.push(self.demonitor(ref, { flush: true }));
      log.push(t.node.messages(self.pid));
      log.push(other);
    });
    await settle();
    t.node.exit(target, 'bye');
    t.node.send(w, 'go');
    await settle();
    expect(log).toEqual([2, false, [['DOWN', log[3], 'process', target, 'bye']], log[3]]);
  });

  it('demonitor without flush leaves an already-delivered DOWN in the mailbox', async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = sleeper(t.node);
    let ref: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      ref = self.monitor(target);
      t.node.exit(target, 'bye');
      self.demonitor(ref);
    });
    expect(w.inbox).toEqual([['DOWN', ref, 'process', target, 'bye']]);
  });

  it('monitors are unidirectional: the watched process is not affected when the watcher dies, and the watcher survives any reason', async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = puppet(t.node);
    await inside(t.node, w.pid, (self) => void self.monitor(target.pid));
    await inside(t.node, target.pid, (self) => void self.monitor(w.pid));
    t.node.exit(w.pid, 'boom');
    await settle();
    expect(t.node.isAlive(target.pid)).toBe(true);
    expect(t.node.processInfo(target.pid)?.monitoredBy).toEqual([]);
    expect(target.inbox).toEqual([['DOWN', expect.anything(), 'process', w.pid, 'boom']]);
  });

  it('monitors can be created for processes with registered names', async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = sleeper(t.node, { name: 'svc' });
    let ref: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      ref = self.monitor('svc');
    });
    expect(t.node.processInfo(w.pid)?.monitors).toEqual([{ ref, pid: target }]);
    t.node.exit(target, 'bye');
    await settle();
    expect(w.inbox).toEqual([['DOWN', ref, 'process', target, 'bye']]);
  });

  it("a monitor on a name nobody holds gives an immediate DOWN with the name and 'noproc'", async () => {
    t = testNode();
    const w = puppet(t.node);
    let ref: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      ref = self.monitor('nobody');
    });
    expect(w.inbox).toEqual([['DOWN', ref, 'process', 'nobody', 'noproc']]);
  });

  it('when the watcher exits its monitors are removed from the watched processes', async () => {
    t = testNode();
    const w = puppet(t.node);
    const target = sleeper(t.node);
    await inside(t.node, w.pid, (self) => void self.monitor(target));
    expect(t.node.processInfo(target)?.monitoredBy).toHaveLength(1);
    t.node.exit(w.pid, 'kill');
    expect(t.node.processInfo(target)?.monitoredBy).toEqual([]);
  });

  it('node.onExit observes an exit from plain code, can be cancelled, and reports noproc for a dead pid at once', async () => {
    t = testNode();
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    const seen: [string, unknown][] = [];
    t.node.onExit(a, (r) => seen.push(['a', r]));
    const cancel = t.node.onExit(b, (r) => seen.push(['b', r]));
    cancel();
    t.node.exit(a, 'bye');
    t.node.exit(b, 'bye');
    t.node.onExit(a, (r) => seen.push(['a again', r]));
    expect(seen).toEqual([
      ['a', 'bye'],
      ['a again', 'noproc'],
    ]);
  });

  it('node.onExit hooks on one process run in the order they were added; each canceller removes its own', async () => {
    t = testNode();
    const seen: string[] = [];
    const hook = (name: string) => (r: unknown) => void seen.push(`${name}:${String(r)}`);
    const [a, b, c, d] = [sleeper(t.node), sleeper(t.node), sleeper(t.node), sleeper(t.node)];
    // a: three hooks, the first cancelled; b: one hook, cancelled; c: the same function twice, one cancelled.
    const cancelA1 = t.node.onExit(a, hook('a1'));
    t.node.onExit(a, hook('a2'));
    t.node.onExit(a, hook('a3'));
    cancelA1();
    cancelA1();
    t.node.onExit(b, hook('b'))();
    const twice = hook('c');
    t.node.onExit(c, twice);
    t.node.onExit(c, twice)();
    t.node.onExit(d, hook('d1'));
    const cancelD2 = t.node.onExit(d, hook('d2'));
    for (const p of [a, b, c, d]) t.node.exit(p, 'bye');
    cancelD2(); // after the exit: nothing to cancel any more
    expect(seen).toEqual(['a2:bye', 'a3:bye', 'c:bye', 'd1:bye', 'd2:bye']);
  });

  it('an onExit hook that throws is logged and does not stop the exit from reaching links and monitors', async () => {
    t = testNode();
    const w = puppet(t.node, { trapExit: true });
    const target = sleeper(t.node);
    await inside(t.node, w.pid, (self) => {
      self.link(target);
      self.monitor(target);
    });
    t.node.onExit(target, () => {
      throw new Error('bad hook');
    });
    t.node.exit(target, 'bye');
    await settle();
    expect(w.inbox).toEqual([
      ['DOWN', expect.anything(), 'process', target, 'bye'],
      ['EXIT', target, 'bye'],
    ]);
    expect(t.records).toContainEqual(expect.objectContaining({ level: 'error', err: new Error('bad hook') }));
    expect(sleeper(t.node)).toBeDefined();
    expect(t.node.processCount()).toBe(2);
  });

  it('spawnMonitor by a process that then exits leaves no monitor behind on the child', async () => {
    t = testNode();
    const w = puppet(t.node);
    let child: Pid | undefined;
    await inside(t.node, w.pid, (self) => {
      [child] = self.spawnMonitor(async (c) => {
        await c.receive(() => false);
      });
    });
    expect(t.node.processInfo(child!)?.monitoredBy).toEqual([{ ref: expect.anything(), pid: w.pid }]);
    t.node.exit(w.pid, 'kill');
    expect(t.node.processInfo(child!)?.monitoredBy).toEqual([]);
  });
});
