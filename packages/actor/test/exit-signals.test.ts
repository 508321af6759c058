/**
 * The rules of the Erlang reference manual's "Processes" chapter (system/doc/reference_manual/
 * ref_man_processes.md: Process Termination, Signals, Links, Sending Exit Signals, Receiving
 * Exit Signals, Delivery of Signals, Irregularities), one test per rule, each named after it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '../src/index.js';
import {
  deferred,
  inside,
  type Puppet,
  puppet,
  settle,
  sleeper,
  type TestNode,
  testNode,
} from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

/** A puppet monitoring `target`; its inbox gets the DOWN. */
async function watch(target: Pid): Promise<Puppet> {
  const w = puppet(t.node, { label: 'watcher' });
  await inside(t.node, w.pid, (self) => void self.monitor(target));
  return w;
}

/** The exit reason a watcher saw in its (only) DOWN message. */
const downReason = (w: Puppet): unknown =>
  (w.inbox[0] as [string, unknown, string, Pid, unknown] | undefined)?.[4];

describe('Process Termination', () => {
  it('a process with no more code to execute terminates normally (reason normal)', async () => {
    t = testNode();
    const pid = t.node.spawn(async (self) => {
      await self.receive();
    });
    const w = await watch(pid);
    t.node.send(pid, 'last');
    await settle();
    expect(downReason(w)).toBe('normal');
  });

  it('a process can terminate itself by calling exit(Reason); it then terminates with Reason', async () => {
    t = testNode();
    const p = puppet(t.node);
    const w = await watch(p.pid);
    await inside(t.node, p.pid, (self) => self.exit({ custom: 'reason' }));
    expect(downReason(w)).toEqual({ custom: 'reason' });
  });

  it('a run-time error terminates the process with an error reason carrying the stack: here ["crash", error]', async () => {
    t = testNode();
    const p = puppet(t.node);
    const w = await watch(p.pid);
    await inside(t.node, p.pid, () => {
      throw new TypeError('bad thing');
    });
    const reason = downReason(w) as ['crash', Error];
    expect(reason[0]).toBe('crash');
    expect(reason[1]).toBeInstanceOf(TypeError);
    expect(reason[1].stack).toMatch(/TypeError: bad thing/);
  });

  it('a process is terminated if it receives an exit signal with a reason other than normal', async () => {
    t = testNode();
    const p = puppet(t.node);
    const w = await watch(p.pid);
    t.node.exit(p.pid, 'other');
    await settle();
    expect(downReason(w)).toBe('other');
  });
});

describe('Links', () => {
  it('if one participant of a link terminates, it sends an exit signal with its exit reason to the other', async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const b = puppet(t.node);
    await inside(t.node, a.pid, (self) => self.link(b.pid));
    await inside(t.node, b.pid, (self) => self.exit('why'));
    expect(a.inbox).toEqual([['EXIT', b.pid, 'why']]);
  });

  it('links are bidirectional: the process that did not call link is signalled too', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = puppet(t.node, { trapExit: true });
    await inside(t.node, a.pid, (self) => self.link(b.pid));
    await inside(t.node, a.pid, (self) => self.exit('why'));
    expect(b.inbox).toEqual([['EXIT', a.pid, 'why']]);
  });

  it('there can only be one link between two processes: repeated link() calls, from either side, give one exit signal', async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const b = puppet(t.node);
    await inside(t.node, a.pid, (self) => {
      self.link(b.pid);
      self.link(b.pid);
    });
    await inside(t.node, b.pid, (self) => self.link(a.pid));
    await inside(t.node, b.pid, (self) => self.exit('once'));
    expect(a.inbox).toEqual([['EXIT', b.pid, 'once']]);
  });

  it('either one of the involved processes may remove a link', async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const b = puppet(t.node, { trapExit: true });
    await inside(t.node, a.pid, (self) => self.link(b.pid));
    await inside(t.node, b.pid, (self) => self.unlink(a.pid));
    t.node.exit(a.pid, 'kill');
    await settle();
    expect(b.inbox).toEqual([]);
  });

  it('spawn_link performs the spawn and the link atomically: a child dying at once still signals the parent', async () => {
    t = testNode();
    const parent = puppet(t.node, { trapExit: true });
    let child: Pid | undefined;
    await inside(t.node, parent.pid, (self) => {
      child = self.spawnLink(async (c) => c.exit('at once'));
    });
    expect(parent.inbox).toEqual([['EXIT', child, 'at once']]);
  });
});

describe('Sending Exit Signals', () => {
  it('a terminating process sends exit signals to all processes it is linked to', async () => {
    t = testNode();
    const linked = [puppet(t.node, { trapExit: true }), puppet(t.node, { trapExit: true }), puppet(t.node)];
    const dying = puppet(t.node);
    await inside(t.node, dying.pid, (self) => {
      for (const l of linked) self.link(l.pid);
    });
    const w = await watch(linked[2]!.pid);
    await inside(t.node, dying.pid, (self) => self.exit('fatal'));
    expect(linked[0]!.inbox).toEqual([['EXIT', dying.pid, 'fatal']]);
    expect(linked[1]!.inbox).toEqual([['EXIT', dying.pid, 'fatal']]);
    expect(downReason(w)).toBe('fatal');
  });

  it('noproc when no process was found by link(): the sender identifier equals the pid passed to link', async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const gone = t.node.spawn(async () => {});
    await settle();
    await inside(t.node, a.pid, (self) => self.link(gone));
    expect(a.inbox).toEqual([['EXIT', gone, 'noproc']]);
  });

  it('exit(Pid, Reason): the sender identifier is the process that called exit/2 (node.outside for plain code)', async () => {
    t = testNode();
    const target = puppet(t.node, { trapExit: true });
    const caller = puppet(t.node);
    await inside(t.node, caller.pid, (self) => self.exit(target.pid, 'from a process'));
    t.node.exit(target.pid, 'from plain code');
    await inside(t.node, caller.pid, () => t.node.exit(target.pid, 'node.exit inside a process'));
    expect(target.inbox).toEqual([
      ['EXIT', caller.pid, 'from a process'],
      ['EXIT', t.node.outside, 'from plain code'],
      ['EXIT', caller.pid, 'node.exit inside a process'],
    ]);
  });

  it('exit(Pid, kill): the receiver cannot trap the signal and terminates unconditionally', async () => {
    t = testNode();
    const target = puppet(t.node, { trapExit: true });
    const w = await watch(target.pid);
    t.node.exit(target.pid, 'kill');
    await settle();
    expect(target.inbox).toEqual([]);
    expect(downReason(w)).toBe('killed');
  });

  it('exit and down signals are sent after the directly visible resources (the registered name) are released', async () => {
    t = testNode();
    const dying = sleeper(t.node, { name: 'svc' });
    const seen: unknown[] = [];
    const heir = t.node.spawn<unknown>(
      async (self) => {
        self.monitor(dying);
        self.link(dying);
        for (let i = 0; i < 2; i++) {
          const m = await self.receive();
          seen.push([(m as unknown[])[0], t.node.whereis('svc')]);
        }
        self.register('svc');
        await self.receive(() => false);
      },
      { trapExit: true },
    );
    await settle();
    t.node.exit(dying, 'kill');
    await settle();
    expect(seen).toEqual([
      ['DOWN', undefined],
      ['EXIT', undefined],
    ]);
    expect(t.node.whereis('svc')).toBe(heir);
  });
});

describe('Receiving Exit Signals', () => {
  it('dropped: the link flag is set and the link has been deactivated (unlink before the exit)', async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const b = puppet(t.node);
    const c = puppet(t.node);
    await inside(t.node, a.pid, (self) => {
      self.link(b.pid);
      self.link(c.pid);
      self.unlink(b.pid);
    });
    await inside(t.node, c.pid, (self) => self.unlink(a.pid));
    t.node.exit(b.pid, 'boom');
    t.node.exit(c.pid, 'boom');
    await settle();
    expect(a.inbox).toEqual([]);
  });

  it('dropped: reason normal, receiver not trapping exits, and sender not the receiver (by exit/2 and by a link)', async () => {
    t = testNode();
    const target = puppet(t.node);
    const sender = puppet(t.node);
    await inside(t.node, sender.pid, (self) => {
      self.link(target.pid);
      self.exit(target.pid, 'normal');
    });
    t.node.exit(target.pid, 'normal');
    await inside(t.node, sender.pid, (self) => self.exit('normal'));
    expect(t.node.isAlive(target.pid)).toBe(true);
    expect(target.inbox).toEqual([]);
  });

  it('terminated: link flag not set and reason kill; the exit reason is killed', async () => {
    t = testNode();
    const target = puppet(t.node, { trapExit: true });
    const w = await watch(target.pid);
    const killer = puppet(t.node);
    await inside(t.node, killer.pid, (self) => self.exit(target.pid, 'kill'));
    expect(downReason(w)).toBe('killed');
  });

  it("terminated: receiver not trapping and reason other than normal; the receiver's exit reason equals the signal's (exit/2 and link)", async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = puppet(t.node);
    const wa = await watch(a.pid);
    const wb = await watch(b.pid);
    const dying = puppet(t.node);
    await inside(t.node, dying.pid, (self) => {
      self.link(b.pid);
      self.exit(a.pid, ['custom', 1]);
    });
    await inside(t.node, dying.pid, (self) => self.exit(['custom', 2]));
    expect([downReason(wa), downReason(wb)]).toEqual([
      ['custom', 1],
      ['custom', 2],
    ]);
  });

  it('terminated: with the link flag set, an exit reason of kill is NOT converted to killed', async () => {
    t = testNode();
    const a = puppet(t.node);
    const linked = puppet(t.node);
    const w = await watch(linked.pid);
    const wa = await watch(a.pid);
    await inside(t.node, a.pid, (self) => self.link(linked.pid));
    await inside(t.node, a.pid, (self) => self.exit('kill'));
    expect(downReason(wa)).toBe('kill');
    expect(downReason(w)).toBe('kill');
  });

  it('terminated: reason normal and the sender is the receiver (exit(self(), normal)); the exit reason is normal', async () => {
    t = testNode();
    const p = puppet(t.node);
    const w = await watch(p.pid);
    const after: string[] = [];
    await inside(t.node, p.pid, (self) => {
      self.exit(self.pid, 'normal');
      after.push('code after exit(self(), normal)');
    });
    expect(t.node.isAlive(p.pid)).toBe(false);
    expect(downReason(w)).toBe('normal');
    expect(after).toEqual([]);
  });

  it("converted to a message: trapping, link flag not set, reason not kill: {'EXIT', Sender, Reason}, normal included", async () => {
    t = testNode();
    const target = puppet(t.node, { trapExit: true });
    const sender = puppet(t.node);
    await inside(t.node, sender.pid, (self) => {
      self.exit(target.pid, 'normal');
      self.exit(target.pid, 'shutdown');
      self.exit(target.pid, 'killed');
    });
    await inside(t.node, target.pid, (self) => self.exit(self.pid, 'normal'));
    expect(target.inbox).toEqual([
      ['EXIT', sender.pid, 'normal'],
      ['EXIT', sender.pid, 'shutdown'],
      ['EXIT', sender.pid, 'killed'],
      ['EXIT', target.pid, 'normal'],
    ]);
    expect(t.node.isAlive(target.pid)).toBe(true);
  });

  it('converted to a message: trapping, link flag set and link active; kill neither terminates nor becomes killed', async () => {
    t = testNode();
    const trapper = puppet(t.node, { trapExit: true });
    const a = puppet(t.node);
    const b = puppet(t.node);
    await inside(t.node, trapper.pid, (self) => {
      self.link(a.pid);
      self.link(b.pid);
    });
    await inside(t.node, a.pid, (self) => self.exit('kill'));
    await inside(t.node, b.pid, (self) => self.exit('normal'));
    expect(trapper.inbox).toEqual([
      ['EXIT', a.pid, 'kill'],
      ['EXIT', b.pid, 'normal'],
    ]);
    expect(t.node.isAlive(trapper.pid)).toBe(true);
  });

  it('the converted message is added to the end of the message queue', async () => {
    t = testNode();
    const target = t.node.spawn<unknown>(
      async (self) => {
        await self.receive((m) => m === 'never');
      },
      { trapExit: true },
    );
    t.node.send(target, 'first');
    t.node.exit(target, 'signal');
    t.node.send(target, 'last');
    expect(t.node.messages(target)).toEqual(['first', ['EXIT', t.node.outside, 'signal'], 'last']);
  });

  it('the outcome depends on the trap-exit state at the time the signal is received', async () => {
    t = testNode();
    const p = puppet(t.node, { trapExit: true });
    const w = await watch(p.pid);
    t.node.exit(p.pid, 'while trapping');
    await inside(t.node, p.pid, (self) => void self.trapExit(false));
    t.node.exit(p.pid, 'after trapping stopped');
    await settle();
    expect(p.inbox).toEqual([['EXIT', t.node.outside, 'while trapping']]);
    expect(downReason(w)).toBe('after trapping stopped');
  });

  it('signal reception is not tied to receive: a process busy on a promise is terminated by an exit signal at once', async () => {
    t = testNode();
    const never = deferred<null>();
    const p = puppet(t.node);
    t.node.send(p.pid, () => never.promise);
    await settle();
    expect(t.node.processInfo(p.pid)?.waitingOn).toBe('promise');
    t.node.exit(p.pid, 'stop now');
    expect(t.node.isAlive(p.pid)).toBe(false);
    expect(t.node.processInfo(p.pid)).toBeUndefined();
  });

  it('trapExit(flag) returns the previous value; trapExit() reads it', async () => {
    t = testNode();
    const p = puppet(t.node);
    const seen: boolean[] = [];
    await inside(t.node, p.pid, (self) => {
      seen.push(self.trapExit(true), self.trapExit(), self.trapExit(false), self.trapExit());
    });
    expect(seen).toEqual([false, true, true, false]);
  });
});

describe('kill and killed', () => {
  it("an untrappable exit(pid, 'kill') is seen as 'killed' by linked processes and by monitors", async () => {
    t = testNode();
    const victim = puppet(t.node);
    const trapper = puppet(t.node, { trapExit: true });
    const plain = puppet(t.node);
    const w = await watch(victim.pid);
    const wPlain = await watch(plain.pid);
    await inside(t.node, victim.pid, (self) => {
      self.link(trapper.pid);
      self.link(plain.pid);
    });
    t.node.exit(victim.pid, 'kill');
    await settle();
    expect(downReason(w)).toBe('killed');
    expect(trapper.inbox).toEqual([['EXIT', victim.pid, 'killed']]);
    expect(downReason(wPlain)).toBe('killed');
  });

  it("a process that exits with reason 'kill' itself sends 'kill' along its links, where it can be trapped", async () => {
    t = testNode();
    const self_killer = puppet(t.node);
    const trapper = puppet(t.node, { trapExit: true });
    await inside(t.node, self_killer.pid, (self) => self.link(trapper.pid));
    await inside(t.node, self_killer.pid, (self) => self.exit('kill'));
    expect(trapper.inbox).toEqual([['EXIT', self_killer.pid, 'kill']]);
    expect(t.node.isAlive(trapper.pid)).toBe(true);
  });
});

describe('Delivery of Signals: ordering between one sender and one receiver', () => {
  it('a message sent before an exit signal arrives before the EXIT message', async () => {
    t = testNode();
    const target = puppet(t.node, { trapExit: true });
    const sender = puppet(t.node);
    await inside(t.node, sender.pid, (self) => {
      self.send(target.pid, 'before');
      self.exit(target.pid, 'signal');
      self.send(target.pid, 'after');
    });
    expect(target.inbox).toEqual(['before', ['EXIT', sender.pid, 'signal'], 'after']);
  });

  it('a message sent by a process before it terminates arrives before its link EXIT and its DOWN', async () => {
    t = testNode();
    const target = puppet(t.node, { trapExit: true });
    const sender = puppet(t.node);
    await inside(t.node, target.pid, (self) => {
      self.link(sender.pid);
      self.monitor(sender.pid);
    });
    await inside(t.node, sender.pid, (self) => {
      self.send(target.pid, 'last words');
      self.exit('done');
    });
    expect(target.inbox).toEqual([
      'last words',
      ['DOWN', expect.anything(), 'process', sender.pid, 'done'],
      ['EXIT', sender.pid, 'done'],
    ]);
  });

  it('messages from one sender are in the queue in the order sent; from several, in the order received', async () => {
    t = testNode();
    const target = puppet(t.node);
    const a = puppet(t.node);
    const b = puppet(t.node);
    await inside(t.node, a.pid, (self) => {
      self.send(target.pid, 'a1');
      t.node.send(b.pid, (bs: typeof self) => bs.send(target.pid, 'b1'));
      self.send(target.pid, 'a2');
    });
    expect(target.inbox).toEqual(['a1', 'a2', 'b1']);
  });
});

describe('Irregularities', () => {
  it('synchronous error checking: sending to a name that is not registered fails at the call', () => {
    t = testNode();
    expect(() => t.node.send('unregistered', 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_NAME_NOT_REGISTERED' }),
    );
  });

  it('exit(self(), normal) terminates the process, while any other normal exit signal received is dropped', async () => {
    t = testNode();
    const p = puppet(t.node);
    const other = puppet(t.node);
    await inside(t.node, other.pid, (self) => self.exit(p.pid, 'normal'));
    expect(t.node.isAlive(p.pid)).toBe(true);
    await inside(t.node, p.pid, (self) => self.exit(self.pid, 'normal'));
    expect(t.node.isAlive(p.pid)).toBe(false);
  });

  it('kill sent with exit/2 cannot be trapped, kill sent because of a link can', async () => {
    t = testNode();
    const viaExit = puppet(t.node, { trapExit: true });
    const viaLink = puppet(t.node, { trapExit: true });
    const linked = puppet(t.node);
    await inside(t.node, linked.pid, (self) => self.link(viaLink.pid));
    t.node.exit(viaExit.pid, 'kill');
    await inside(t.node, linked.pid, (self) => self.exit('kill'));
    expect(t.node.isAlive(viaExit.pid)).toBe(false);
    expect(t.node.isAlive(viaLink.pid)).toBe(true);
    expect(viaLink.inbox).toEqual([['EXIT', linked.pid, 'kill']]);
  });
});
