import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessInfo, Ref } from '../src/index.js';
import { deferred, inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('processes, processCount, isAlive', () => {
  it('list live processes in spawn order and drop the dead ones', async () => {
    t = testNode();
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    const c = sleeper(t.node);
    expect(t.node.processes()).toEqual([a, b, c]);
    expect(t.node.processCount()).toBe(3);
    t.node.exit(b, 'kill');
    expect(t.node.processes()).toEqual([a, c]);
    expect(t.node.processCount()).toBe(2);
    expect([t.node.isAlive(a), t.node.isAlive(b)]).toEqual([true, false]);
  });

  it('a process condemned in the same cascade of exits is already not alive when an exit observer runs', async () => {
    t = testNode();
    const hub = puppet(t.node);
    const b = sleeper(t.node);
    const c = sleeper(t.node);
    await inside(t.node, hub.pid, (self) => {
      self.link(b);
      self.link(c);
    });
    const seen: unknown[] = [];
    t.node.onExit(b, () => seen.push(['c alive?', t.node.isAlive(c), t.node.processInfo(c)]));
    t.node.exit(hub.pid, 'boom');
    expect(seen).toEqual([['c alive?', false, undefined]]);
  });
});

describe('processInfo', () => {
  it('reports every field of an idle callback process', async () => {
    t = testNode('info');
    const peer = sleeper(t.node);
    let held: Ref | undefined;
    const pid = t.node.spawn<string, { count: number; secret: string }>(
      {
        name: 'counter',
        init(self) {
          self.link(peer);
          held = self.monitor(peer);
          return { count: 0, secret: 'hidden' };
        },
        handle: (_m, s) => ({ ...s, count: s.count + 1 }),
        formatState: (s) => ({ count: s.count }),
      },
      { name: 'the-counter', trapExit: true },
    );
    t.node.send(pid, 'a');
    t.node.send(pid, 'b');
    await settle();
    const w = puppet(t.node);
    let watchedBy: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      watchedBy = self.monitor(pid);
    });
    t.node.sendAfter(1000, pid, 'later');
    expect(t.node.processInfo(pid)).toEqual<ProcessInfo>({
      pid,
      status: 'waiting',
      waitingOn: 'message',
      messageQueueLen: 0,
      messagesHandled: 2,
      links: [peer],
      monitors: [{ ref: held!, pid: peer }],
      monitoredBy: [{ ref: watchedBy!, pid: w.pid }],
      registeredName: 'the-counter',
      trapExit: true,
      initialCall: 'counter',
      kind: 'callback',
      state: { count: 2 },
      timers: 1,
    });
  });

  it('lists monitors the process holds, with their refs and targets', async () => {
    t = testNode();
    const target = sleeper(t.node);
    const w = puppet(t.node);
    let ref: Ref | undefined;
    await inside(t.node, w.pid, (self) => {
      ref = self.monitor(target);
    });
    expect(t.node.processInfo(w.pid)?.monitors).toEqual([{ ref, pid: target }]);
    expect(t.node.processInfo(target)?.monitoredBy).toEqual([{ ref, pid: w.pid }]);
  });

  it("status is 'runnable' for a process with work in the run queue", () => {
    t = testNode();
    const pid = puppet(t.node).pid;
    t.node.send(pid, 'x');
    expect(t.node.processInfo(pid)).toMatchObject({
      status: 'runnable',
      waitingOn: undefined,
      messageQueueLen: 1,
    });
  });

  it("status is 'running' when asked from the process's own code", async () => {
    t = testNode();
    const p = puppet(t.node);
    let seen: ProcessInfo | undefined;
    await inside(t.node, p.pid, (self) => {
      seen = t.node.processInfo(self.pid);
    });
    expect(seen).toMatchObject({ status: 'running', messagesHandled: 1 });
    let seenLoop: ProcessInfo | undefined;
    t.node.spawn(async (self) => {
      seenLoop = t.node.processInfo(self.pid);
    });
    await settle();
    expect(seenLoop).toMatchObject({ status: 'running', kind: 'receive-loop' });
  });

  it("status is 'waiting' on 'promise' for a callback process busy on a promise, with the waiting messages counted", async () => {
    t = testNode();
    const gate = deferred<null>();
    const p = puppet(t.node);
    t.node.send(p.pid, () => gate.promise);
    t.node.send(p.pid, 'queued');
    await settle();
    expect(t.node.processInfo(p.pid)).toMatchObject({
      status: 'waiting',
      waitingOn: 'promise',
      messageQueueLen: 1,
      messagesHandled: 1,
    });
    gate.resolve(null);
    await settle();
    expect(t.node.processInfo(p.pid)).toMatchObject({
      status: 'waiting',
      waitingOn: 'message',
      messagesHandled: 2,
    });
  });

  it("a receive-loop process blocked in receive is 'waiting' on 'message'; awaiting something else, on 'promise'", async () => {
    t = testNode();
    const gate = deferred();
    const pid = t.node.spawn<string>(async function worker(self) {
      await self.receive((m) => m === 'go');
      await gate.promise;
      await self.receive(() => false);
    });
    t.node.send(pid, 'noise');
    await settle();
    expect(t.node.processInfo(pid)).toMatchObject({
      status: 'waiting',
      waitingOn: 'message',
      messageQueueLen: 1,
      kind: 'receive-loop',
      initialCall: 'worker',
      state: undefined,
    });
    t.node.send(pid, 'go');
    await settle();
    expect(t.node.processInfo(pid)).toMatchObject({
      status: 'waiting',
      waitingOn: 'promise',
      messagesHandled: 1,
    });
    gate.resolve();
    await settle();
    expect(t.node.processInfo(pid)?.waitingOn).toBe('message');
  });

  it("initialCall is 'anonymous' for an unnamed function, and the behaviour name or function name otherwise", () => {
    t = testNode();
    const anon = t.node.spawn((() => async () => {})());
    const named = sleeper(t.node);
    const behaviour = t.node.spawn({ init: () => 0, handle: (_m, s) => s });
    expect(t.node.processInfo(anon)?.initialCall).toBe('anonymous');
    expect(t.node.processInfo(named)?.initialCall).toBe('sleeper');
    expect(t.node.processInfo(behaviour)?.initialCall).toBe('anonymous');
  });

  it('state is the raw state when the behaviour has no formatState', async () => {
    t = testNode();
    const pid = t.node.spawn({ init: () => ({ n: 1 }), handle: (_m, s) => s });
    await settle();
    expect(t.node.processInfo(pid)?.state).toEqual({ n: 1 });
  });

  it('is undefined for a dead pid; messages() of a dead pid is empty', () => {
    t = testNode();
    const pid = sleeper(t.node);
    t.node.send(pid, 'x');
    t.node.exit(pid, 'kill');
    expect(t.node.processInfo(pid)).toBeUndefined();
    expect(t.node.messages(pid)).toEqual([]);
  });

  it('messages() is a copy of the mailbox, oldest first', () => {
    t = testNode();
    const pid = sleeper(t.node);
    t.node.send(pid, 1);
    t.node.send(pid, 2);
    const copy = t.node.messages(pid);
    copy.push(3);
    expect(t.node.messages(pid)).toEqual([1, 2]);
  });
});
