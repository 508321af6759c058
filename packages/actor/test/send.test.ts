import { afterEach, describe, expect, it } from 'vitest';
import { ActorError, send } from '../src/index.js';
import { inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('send', () => {
  it('from plain code to a pid puts the message in its mailbox', async () => {
    t = testNode();
    const p = puppet(t.node);
    t.node.send(p.pid, 'hello');
    t.node.send(p.pid, { n: 1 });
    await settle();
    expect(p.inbox).toEqual(['hello', { n: 1 }]);
  });

  it('from plain code to a registered name reaches the process holding it', async () => {
    t = testNode();
    const p = puppet(t.node, { name: 'inbox' });
    t.node.send('inbox', 'by name');
    await settle();
    expect(p.inbox).toEqual(['by name']);
  });

  it('from inside a process, to a pid and to a registered name', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = puppet(t.node, { name: 'b' });
    await inside(t.node, a.pid, (self) => {
      self.send(b.pid, 'by pid');
      self.send('b', 'by name');
      t.node.send(b.pid, 'node.send inside a process');
    });
    expect(b.inbox).toEqual(['by pid', 'by name', 'node.send inside a process']);
  });

  it('the free send(pid, msg) function needs no node', async () => {
    t = testNode();
    const p = puppet(t.node);
    send(p.pid, 'free');
    await settle();
    expect(p.inbox).toEqual(['free']);
  });

  it('to a process that has exited is a silent no-op (as Pid ! Msg in Erlang)', async () => {
    t = testNode();
    const dead = sleeper(t.node);
    t.node.exit(dead, 'kill');
    const p = puppet(t.node);
    expect(() => t.node.send(dead, 'lost')).not.toThrow();
    expect(() => send(dead, 'lost')).not.toThrow();
    await inside(t.node, p.pid, (self) => self.send(dead, 'lost'));
    expect(t.node.isAlive(p.pid)).toBe(true);
    expect(t.node.processes()).toEqual([p.pid]);
  });

  it('to a name nobody holds throws ERR_NAME_NOT_REGISTERED, naming the name (Erlang raises badarg)', async () => {
    t = testNode();
    let err: unknown;
    try {
      t.node.send('nobody', 'x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ActorError);
    expect(err).toMatchObject({
      code: 'ERR_NAME_NOT_REGISTERED',
      message: 'no process is registered as "nobody"',
    });
  });

  it('to an unregistered name from inside a process throws there, so an uncaught one crashes that process', async () => {
    t = testNode();
    const watcher = puppet(t.node, { trapExit: true });
    let child: unknown;
    await inside(t.node, watcher.pid, (self) => {
      child = self.spawnLink({ init: (s) => s.send('nobody', 'x'), handle: (_m, st) => st });
    });
    expect(watcher.inbox).toEqual([
      ['EXIT', child, ['crash', expect.objectContaining({ code: 'ERR_NAME_NOT_REGISTERED' })]],
    ]);
  });

  it('keeps the order of messages from one sender to one receiver', async () => {
    t = testNode();
    const p = puppet(t.node);
    const sender = puppet(t.node);
    await inside(t.node, sender.pid, (self) => {
      for (let i = 0; i < 5000; i++) self.send(p.pid, i);
    });
    for (let i = 5000; i < 10_000; i++) t.node.send(p.pid, i);
    await settle(5);
    expect(p.inbox).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('a process may send to itself; the message is handled after the current one', async () => {
    t = testNode();
    const p = puppet(t.node);
    await inside(t.node, p.pid, (self) => {
      self.send(self.pid, 'to me');
      p.inbox.push('still in the first message');
    });
    expect(p.inbox).toEqual(['still in the first message', 'to me']);
  });
});
