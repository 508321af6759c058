import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ActorError, type DownMessage, type Pid, type ProcessBehaviour } from '../src/index.js';
import { deferred, inside, puppet, settle, sleeper, type TestNode, testNode, tick } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

/** A callback process that appends every message it handles to `log` and keeps a count as state. */
function recorder(log: unknown[]): ProcessBehaviour<unknown, number> {
  return {
    name: 'recorder',
    init: () => 0,
    handle: (msg, n) => {
      log.push(msg);
      return n + 1;
    },
  };
}

describe('spawn', () => {
  it('returns the pid at once and runs init later, inside the new process, before any message', async () => {
    t = testNode();
    const log: unknown[] = [];
    const pid = t.node.spawn<string, string[]>({
      init(self) {
        log.push(['init', self.pid, t.node.self()]);
        return [];
      },
      handle(msg, seen, self) {
        log.push(['handle', msg, [...seen], self.pid]);
        return [...seen, msg];
      },
    });
    t.node.send(pid, 'a');
    t.node.send(pid, 'b');
    expect(log).toEqual([]);
    await settle();
    expect(log).toEqual([
      ['init', pid, pid],
      ['handle', 'a', [], pid],
      ['handle', 'b', ['a'], pid],
    ]);
    expect(t.node.processInfo(pid)?.state).toEqual(['a', 'b']);
  });

  it('registers the new process under opts.name before it runs', async () => {
    t = testNode();
    let seenName: Pid | undefined;
    const pid = t.node.spawn(
      { init: () => (seenName = t.node.whereis('svc')), handle: (_m, s) => s },
      { name: 'svc' },
    );
    expect(t.node.whereis('svc')).toBe(pid);
    await settle();
    expect(seenName).toBe(pid);
  });

  it('a process killed before it first ran never runs its init or its code', async () => {
    t = testNode();
    const ran: string[] = [];
    const cb = t.node.spawn({ init: () => ran.push('init'), handle: (_m, s) => s });
    const fn = t.node.spawn(async () => {
      ran.push('function');
    });
    t.node.exit(cb, 'kill');
    t.node.exit(fn, 'kill');
    await settle();
    expect(ran).toEqual([]);
  });

  it('spawn from inside a process neither links nor monitors', async () => {
    t = testNode();
    const parent = puppet(t.node);
    let child: Pid | undefined;
    await inside(t.node, parent.pid, (self) => {
      child = self.spawn(async (c) => c.exit('bye'));
      t.node.spawn(async (c) => c.exit('bye too'));
    });
    expect(t.node.isAlive(parent.pid)).toBe(true);
    expect(t.node.isAlive(child!)).toBe(false);
    expect(parent.inbox).toEqual([]);
  });

  it('starts the process trapping exits with opts.trapExit', () => {
    t = testNode();
    const pid = sleeper(t.node, { trapExit: true });
    expect(t.node.processInfo(pid)?.trapExit).toBe(true);
  });

  it('rejects code that is neither a function nor a behaviour with handle (ERR_BADARG)', () => {
    t = testNode();
    const bad = { init: () => 0 } as unknown as ProcessBehaviour<unknown, number>;
    expect(() => t.node.spawn(bad)).toThrow(ActorError);
    expect(() => t.node.spawn(bad)).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
    expect(t.node.processCount()).toBe(0);
  });

  it('fails with ERR_NAME_TAKEN when opts.name is taken, leaving no half-made process', () => {
    t = testNode();
    const holder = sleeper(t.node, { name: 'taken' });
    expect(() => sleeper(t.node, { name: 'taken' })).toThrow(
      expect.objectContaining({ code: 'ERR_NAME_TAKEN' }),
    );
    expect(t.node.processes()).toEqual([holder]);
    expect(t.node.whereis('taken')).toBe(holder);
  });
});

describe('spawnLink and spawnMonitor', () => {
  it('spawnLink from a process links parent and child both ways', async () => {
    t = testNode();
    const parent = puppet(t.node);
    let child: Pid | undefined;
    await inside(t.node, parent.pid, (self) => {
      child = self.spawnLink(recorder([]));
    });
    expect(t.node.processInfo(parent.pid)?.links).toEqual([child]);
    expect(t.node.processInfo(child!)?.links).toEqual([parent.pid]);
  });

  it('spawnLink is atomic: a child that crashes in init still takes its (non-trapping) parent down', async () => {
    t = testNode();
    const parent = puppet(t.node);
    const watcher = puppet(t.node);
    await inside(t.node, watcher.pid, (self) => void self.monitor(parent.pid));
    const boom = new Error('init failed');
    await inside(t.node, parent.pid, (self) => {
      self.spawnLink({
        init: () => {
          throw boom;
        },
        handle: (_m, s) => s,
      });
    });
    expect(t.node.isAlive(parent.pid)).toBe(false);
    expect(watcher.inbox).toEqual([['DOWN', expect.anything(), 'process', parent.pid, ['crash', boom]]]);
  });

  it('node.spawnLink and node.spawnMonitor act for the calling process and need one (ERR_NOT_IN_PROCESS outside)', async () => {
    t = testNode();
    expect(() => t.node.spawnLink(recorder([]))).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_IN_PROCESS' }),
    );
    expect(() => t.node.spawnMonitor(recorder([]))).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_IN_PROCESS' }),
    );
    const parent = puppet(t.node);
    let linked: Pid | undefined;
    await inside(t.node, parent.pid, () => {
      linked = t.node.spawnLink(recorder([]));
    });
    expect(t.node.processInfo(parent.pid)?.links).toEqual([linked]);
  });

  it('spawnMonitor returns the pid and a monitor ref; the DOWN carries both and the exit reason', async () => {
    t = testNode();
    const parent = puppet(t.node);
    let made: [Pid, unknown] | undefined;
    await inside(t.node, parent.pid, (self) => {
      made = self.spawnMonitor(async (child) => {
        child.exit('done');
      });
    });
    const [child, ref] = made!;
    expect(parent.inbox).toEqual([['DOWN', ref, 'process', child, 'done']]);
    expect(t.node.processInfo(parent.pid)?.links).toEqual([]);
  });

  it('spawnMonitor does not link: the child dying abnormally leaves the parent alive', async () => {
    t = testNode();
    const parent = puppet(t.node);
    await inside(t.node, parent.pid, () => {
      t.node.spawnMonitor(async () => {
        throw new Error('child fails');
      });
    });
    expect(t.node.isAlive(parent.pid)).toBe(true);
    expect((parent.inbox[0] as DownMessage)[4]).toEqual(['crash', new Error('child fails')]);
  });
});

describe('callback processes', () => {
  it('handle a burst of messages synchronously: no promise and no microtask per message', async () => {
    t = testNode();
    const log: unknown[] = [];
    const pid = t.node.spawn(recorder(log));
    await settle();
    // Count every promise created while 1000 messages are handled.
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    });
    for (let i = 0; i < 1000; i++) t.node.send(pid, i);
    queueMicrotask(() => log.push('a microtask queued after the sends'));
    hook.enable();
    await tick();
    hook.disable();
    expect(log.length).toBe(1001);
    expect(log[1000]).toBe('a microtask queued after the sends');
    expect(promises).toBeLessThan(10);
  });

  it('a handle returning a Promise makes the process busy: a message sent meanwhile waits, then is handled in order with the settled state', async () => {
    t = testNode();
    const log: string[] = [];
    const slow = deferred<number>();
    const pid = t.node.spawn<'slow' | 'next', number>({
      init: () => 1,
      handle(msg, n) {
        log.push(`${msg} with state ${n}`);
        if (msg === 'slow') return slow.promise;
        return n + 1;
      },
    });
    t.node.send(pid, 'slow');
    await settle();
    t.node.send(pid, 'next');
    await settle();
    expect(log).toEqual(['slow with state 1']);
    expect(t.node.processInfo(pid)).toMatchObject({
      status: 'waiting',
      waitingOn: 'promise',
      messageQueueLen: 1,
      messagesHandled: 1,
    });
    expect(t.node.messages(pid)).toEqual(['next']);
    slow.resolve(41);
    await settle();
    expect(log).toEqual(['slow with state 1', 'next with state 41']);
    expect(t.node.processInfo(pid)).toMatchObject({ status: 'waiting', waitingOn: 'message', state: 42 });
  });

  it('an init returning a Promise delays the first message until it settles', async () => {
    t = testNode();
    const ready = deferred<string>();
    const log: string[] = [];
    const pid = t.node.spawn<string, string>({
      init: () => ready.promise,
      handle(msg, s) {
        log.push(`${s}:${msg}`);
        return s;
      },
    });
    t.node.send(pid, 'hello');
    await settle();
    expect(log).toEqual([]);
    expect(t.node.processInfo(pid)?.waitingOn).toBe('promise');
    ready.resolve('ready');
    await settle();
    expect(log).toEqual(['ready:hello']);
  });

  it('self.exit(reason) inside handle ends the process with that reason and skips the rest of the handler', async () => {
    t = testNode();
    const watcher = puppet(t.node);
    const after: string[] = [];
    const pid = t.node.spawn<string, null>({
      init: () => null,
      handle(msg, s, self) {
        if (msg === 'stop') self.exit(['shutdown', 'asked']);
        after.push(msg);
        return s;
      },
    });
    await inside(t.node, watcher.pid, (self) => void self.monitor(pid));
    t.node.send(pid, 'stop');
    t.node.send(pid, 'never handled');
    await settle();
    expect(after).toEqual([]);
    expect(watcher.inbox).toEqual([['DOWN', expect.anything(), 'process', pid, ['shutdown', 'asked']]]);
  });
});
