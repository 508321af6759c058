import { afterEach, describe, expect, it } from 'vitest';
import { type Pid, type Self, TIMEOUT } from '../src/index.js';
import { inside, puppet, settle, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

/** Spawns a receive-loop process running `body`; what it returns or receives is pushed on `log`. */
function loop<M>(body: (self: Self<M>, log: unknown[]) => Promise<void>): { pid: Pid<M>; log: unknown[] } {
  const log: unknown[] = [];
  const pid = t.node.spawn<M>(async function body_(self) {
    await body(self, log);
  });
  return { pid, log };
}

describe('receive-loop processes', () => {
  it('receive() returns messages in the order they arrived, waiting when the mailbox is empty', async () => {
    t = testNode();
    const { pid, log } = loop<number>(async (self, log) => {
      for (;;) log.push(await self.receive());
    });
    t.node.send(pid, 1);
    t.node.send(pid, 2);
    await settle();
    expect(log).toEqual([1, 2]);
    expect(t.node.processInfo(pid)).toMatchObject({ status: 'waiting', waitingOn: 'message' });
    t.node.send(pid, 3);
    await settle();
    expect(log).toEqual([1, 2, 3]);
    expect(t.node.processInfo(pid)?.messagesHandled).toBe(3);
  });

  it('ends with reason normal when its function returns', async () => {
    t = testNode();
    const watcher = puppet(t.node);
    const { pid } = loop<string>(async (self) => {
      await self.receive();
    });
    await inside(t.node, watcher.pid, (self) => void self.monitor(pid));
    t.node.send(pid, 'go');
    await settle();
    expect(watcher.inbox).toEqual([['DOWN', expect.anything(), 'process', pid, 'normal']]);
  });

  it('selective receive takes the first matching message and leaves the unmatched ones in the mailbox, in order', async () => {
    t = testNode();
    const gate = { open: false };
    const { pid, log } = loop<string>(async (self, log) => {
      while (!gate.open) await self.receive((m) => m === 'open');
      log.push(await self.receive((m) => m.startsWith('b')));
      log.push([...t.node.messages(self.pid)]);
      log.push(await self.receive());
      log.push(await self.receive());
      await self.receive(() => false);
    });
    for (const m of ['a1', 'a2', 'b1', 'a3', 'b2']) t.node.send(pid, m);
    await settle();
    gate.open = true;
    t.node.send(pid, 'open');
    await settle();
    expect(log).toEqual(['b1', ['a1', 'a2', 'a3', 'b2'], 'a1', 'a2']);
    expect(t.node.messages(pid)).toEqual(['a3', 'b2']);
  });

  it('a blocked selective receive skips messages that do not match and wakes on the first one that does', async () => {
    t = testNode();
    const { pid, log } = loop<[string, number]>(async (self, log) => {
      const isReply = (m: [string, number]): m is ['reply', number] => m[0] === 'reply';
      const [, value] = await self.receive(isReply);
      log.push(value);
    });
    await settle();
    t.node.send(pid, ['noise', 1]);
    t.node.send(pid, ['noise', 2]);
    await settle();
    expect(log).toEqual([]);
    expect(t.node.processInfo(pid)).toMatchObject({
      status: 'waiting',
      waitingOn: 'message',
      messageQueueLen: 2,
    });
    t.node.send(pid, ['reply', 42]);
    t.node.send(pid, ['noise', 3]);
    await settle();
    expect(log).toEqual([42]);
  });

  it("receive with a timeout returns TIMEOUT when no matching message comes in time (Erlang's after)", async () => {
    t = testNode();
    const { pid, log } = loop<string>(async (self, log) => {
      log.push(await self.receive((m) => m === 'wanted', 100));
      log.push(t.node.clock.now());
    });
    await settle();
    t.node.send(pid, 'other');
    t.clock.advance(99);
    await settle();
    expect(log).toEqual([]);
    t.clock.advance(1);
    await settle();
    expect(log).toEqual([TIMEOUT, 100]);
    expect(t.node.isAlive(pid)).toBe(false);
  });

  it('receive with a timeout returns the message when it comes first, and its timer is cancelled', async () => {
    t = testNode();
    const { pid, log } = loop<string>(async (self, log) => {
      log.push(await self.receive(undefined, 100));
      log.push(await self.receive(undefined, 1000));
    });
    await settle();
    t.clock.advance(50);
    t.node.send(pid, 'in time');
    await settle();
    expect(log).toEqual(['in time']);
    expect(t.clock.pending()).toBe(1);
    t.clock.advance(1000);
    await settle();
    expect(log).toEqual(['in time', TIMEOUT]);
    expect(t.clock.pending()).toBe(0);
  });

  it('a matching message that arrived before the deadline wins even if the clock passes the deadline before the process runs', async () => {
    t = testNode();
    const { pid, log } = loop<string>(async (self, log) => {
      log.push(await self.receive(undefined, 100));
    });
    await settle();
    t.node.send(pid, 'arrived first');
    t.clock.advance(100);
    await settle();
    expect(log).toEqual(['arrived first']);
  });

  it('receive with timeout 0 polls: TIMEOUT at once when nothing matches, the message when one does', async () => {
    t = testNode();
    const { pid, log } = loop<string>(async (self, log) => {
      log.push(await self.receive(undefined, 0));
      while ((await self.receive((m) => m === 'go')) !== 'go');
      log.push(await self.receive((m) => m === 'x', 0));
      log.push(await self.receive((m) => m === 'y', 0));
      log.push(t.node.messages(self.pid));
    });
    await settle();
    expect(log).toEqual([TIMEOUT]);
    t.node.send(pid, 'y');
    t.node.send(pid, 'go');
    await settle();
    expect(log).toEqual([TIMEOUT, TIMEOUT, 'y', []]);
    expect(t.clock.now()).toBe(0);
  });

  it('receive with an infinite timeout sets no timer', async () => {
    t = testNode();
    loop<string>(async (self) => {
      await self.receive(undefined, Number.POSITIVE_INFINITY);
    });
    await settle();
    expect(t.clock.pending()).toBe(0);
  });

  it('a process killed while blocked in receive never resumes, and its receive timer is cancelled', async () => {
    t = testNode();
    const { pid, log } = loop<string>(async (self, log) => {
      log.push(await self.receive(undefined, 500));
      log.push('resumed');
    });
    await settle();
    expect(t.clock.pending()).toBe(1);
    t.node.exit(pid, 'kill');
    expect(t.clock.pending()).toBe(0);
    t.clock.advance(1000);
    await settle();
    expect(log).toEqual([]);
  });

  it('calling receive() again before the previous one settled is a clear error that ends the process', async () => {
    t = testNode();
    const watcher = puppet(t.node);
    const { pid } = loop<string>(async (self) => {
      void self.receive();
      await self.receive();
    });
    await inside(t.node, watcher.pid, (self) => void self.monitor(pid));
    await settle();
    const [, , , , reason] = watcher.inbox[0] as [string, unknown, string, Pid, ['crash', Error]];
    expect(reason[1]).toMatchObject({
      code: 'ERR_BADARG',
      message: expect.stringMatching(/receive\(\) called again/),
    });
  });

  it('receive() from a callback process is a clear error (callback processes get messages in handle)', async () => {
    t = testNode();
    const watcher = puppet(t.node, { trapExit: true });
    await inside(t.node, watcher.pid, (self) => {
      self.spawnLink({
        init: (s) => {
          void s.receive();
          return null;
        },
        handle: (_m, st) => st,
      });
    });
    const [[, , reason]] = watcher.inbox as [['EXIT', Pid, ['crash', Error]]];
    expect(reason[1]).toMatchObject({
      code: 'ERR_BADARG',
      message: expect.stringMatching(/receive-loop processes/),
    });
  });
});
