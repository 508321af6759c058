import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pid, ProcessBehaviour, Self } from '../src/index.js';
import {
  crashReports,
  inside,
  type Puppet,
  puppet,
  settle,
  type TestNode,
  testNode,
  tick,
} from './support.js';

let t: TestNode;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  // Node reports unhandled rejections after the microtask queue drains: give it a few turns.
  for (let i = 0; i < 3; i++) await tick();
  await new Promise((r) => setTimeout(r, 5));
  process.off('unhandledRejection', onUnhandled);
  t?.node.shutdown();
  expect(unhandled).toEqual([]);
});

type Case = {
  where: string;
  code: (err: Error) => ProcessBehaviour<string, null> | ((self: Self<string>) => Promise<void>);
};

/** Every way a process's own code can fail; each fails on the message 'fail'. */
const cases: Case[] = [
  {
    where: 'a throw in a callback handle',
    code: (err) => ({
      name: 'thrower',
      init: () => null,
      handle(msg, s) {
        if (msg === 'fail') throw err;
        return s;
      },
    }),
  },
  {
    where: 'a rejected promise from an async handle',
    code: (err) => ({
      name: 'async-thrower',
      init: () => null,
      async handle(msg, s) {
        await Promise.resolve();
        if (msg === 'fail') throw err;
        return s;
      },
    }),
  },
  {
    where: 'a throw in a receive loop',
    code: (err) =>
      async function loopThrower(self) {
        for (;;) if ((await self.receive()) === 'fail') throw err;
      },
  },
  {
    where: 'a rejection awaited in a receive loop',
    code: (err) =>
      async function loopRejecter(self) {
        for (;;) if ((await self.receive()) === 'fail') await Promise.reject(err);
      },
  },
];

describe.each(cases)('a crash by $where', ({ code }) => {
  let err: Error;
  let pid: Pid<string>;
  let linked: Puppet;
  let monitor: Puppet;
  let bystander: Puppet;

  beforeEach(async () => {
    t = testNode('crash');
    err = new Error('it broke');
    linked = puppet(t.node, { trapExit: true, label: 'linked' });
    monitor = puppet(t.node, { label: 'monitor' });
    bystander = puppet(t.node, { label: 'bystander' });
    await inside(t.node, linked.pid, (self) => {
      pid = self.spawnLink(code(err), { name: 'victim' });
    });
    await inside(t.node, monitor.pid, (self) => void self.monitor(pid));
    t.node.send(pid, 'ok');
    t.node.send(pid, 'fail');
    await settle();
  });

  it("ends the process with ['crash', error], the Error itself with its stack", () => {
    expect(t.node.isAlive(pid)).toBe(false);
    const [[tag, ref, kind, who, reason]] = monitor.inbox as [
      [string, unknown, string, Pid, ['crash', Error]],
    ];
    expect([tag, kind, who]).toEqual(['DOWN', 'process', pid]);
    expect(ref).toBeDefined();
    expect(reason[0]).toBe('crash');
    expect(reason[1]).toBe(err);
    expect(reason[1].stack).toContain('it broke');
    expect(reason[1].stack).toContain('crash.test.ts');
  });

  it('propagates along its links as the same reason', () => {
    expect(linked.inbox).toEqual([['EXIT', pid, ['crash', err]]]);
  });

  it('is logged exactly once, as a structured crash_report with the pid, name, error and counts', () => {
    const reports = crashReports(t.records);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      level: 'error',
      label: 'crash_report',
      pid: '<crash.4.0>',
      name: 'victim',
      err,
      reason: 'crash: Error: it broke',
      messagesHandled: 2,
    });
    expect(typeof reports[0]!.initialCall).toBe('string');
  });

  it('leaves other processes working', async () => {
    await inside(t.node, bystander.pid, (self) => self.send(self.pid, 'still here'));
    expect(bystander.inbox).toEqual(['still here']);
    expect(t.node.processes()).toEqual([linked.pid, monitor.pid, bystander.pid]);
  });
});

describe('crashes', () => {
  it('a throw in init crashes the process before any message is handled, logged once', async () => {
    t = testNode();
    const boom = new Error('init failed');
    const w = puppet(t.node, { trapExit: true });
    const handled: string[] = [];
    let pid: Pid | undefined;
    await inside(t.node, w.pid, (self) => {
      pid = self.spawnLink<string, null>({
        name: 'bad-init',
        init: () => {
          throw boom;
        },
        handle: (m, s) => {
          handled.push(m);
          return s;
        },
      });
      self.send(pid, 'never');
    });
    expect(handled).toEqual([]);
    expect(w.inbox).toEqual([['EXIT', pid, ['crash', boom]]]);
    expect(crashReports(t.records)).toEqual([
      expect.objectContaining({ initialCall: 'bad-init', messagesHandled: 0, err: boom }),
    ]);
  });

  it('a rejected promise from an async init crashes the process', async () => {
    t = testNode();
    const pid = t.node.spawn({
      init: async () => {
        throw new RangeError('async init failed');
      },
      handle: (_m, s) => s,
    });
    await settle();
    expect(t.node.isAlive(pid)).toBe(false);
    expect(crashReports(t.records)).toEqual([
      expect.objectContaining({ err: new RangeError('async init failed') }),
    ]);
  });

  it('a thrown non-Error value is the crash reason as is, and logged under `thrown`', async () => {
    t = testNode();
    const w = puppet(t.node, { trapExit: true });
    let pid: Pid | undefined;
    await inside(t.node, w.pid, (self) => {
      pid = self.spawnLink(async () => {
        throw { code: 42 };
      });
    });
    expect(w.inbox).toEqual([['EXIT', pid, ['crash', { code: 42 }]]]);
    expect(crashReports(t.records)).toEqual([
      expect.objectContaining({ thrown: { code: 42 }, reason: 'crash: [object Object]' }),
    ]);
  });

  it('processes killed by a crashed neighbour exit with its reason but write no crash report of their own', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = puppet(t.node);
    const c = puppet(t.node);
    await inside(t.node, a.pid, (self) => self.link(b.pid));
    await inside(t.node, b.pid, (self) => self.link(c.pid));
    const w = puppet(t.node);
    await inside(t.node, w.pid, (self) => void self.monitor(c.pid));
    await inside(t.node, a.pid, () => {
      throw new Error('first');
    });
    expect(t.node.processes()).toEqual([w.pid]);
    expect(w.inbox).toEqual([['DOWN', expect.anything(), 'process', c.pid, ['crash', new Error('first')]]]);
    expect(crashReports(t.records)).toHaveLength(1);
    expect(crashReports(t.records)[0]).toMatchObject({ pid: a.pid.toString() });
  });

  it('clean exits and exit signals write no crash report', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = puppet(t.node);
    const c = puppet(t.node);
    await inside(t.node, a.pid, (self) => self.exit('normal'));
    await inside(t.node, b.pid, (self) => self.exit(['shutdown', 'bye']));
    t.node.exit(c.pid, 'kill');
    expect(t.records).toEqual([]);
  });

  it('an async handle or init that ends its own process and then rejects leaves no unhandled rejection', async () => {
    t = testNode();
    const w = puppet(t.node);
    let pid: Pid<string> | undefined;
    let early: Pid | undefined;
    await inside(t.node, w.pid, (self) => {
      [pid] = self.spawnMonitor<string, null>({
        init: () => null,
        async handle(_m, _s, me) {
          t.node.exit(me.pid, 'kill');
          throw new Error('after death');
        },
      });
      [early] = self.spawnMonitor<string, null>({
        async init(me) {
          me.exit(me.pid, 'normal');
          return null;
        },
        handle: (_m, s) => s,
      });
    });
    t.node.send(pid!, 'go');
    await settle();
    expect(w.inbox).toEqual([
      ['DOWN', expect.anything(), 'process', early, 'normal'],
      ['DOWN', expect.anything(), 'process', pid, 'killed'],
    ]);
    expect(crashReports(t.records)).toEqual([]);
  });

  it('a selective-receive match that throws crashes the receiving process, never the sender', async () => {
    t = testNode();
    const w = puppet(t.node, { trapExit: true });
    let receiver: Pid | undefined;
    await inside(t.node, w.pid, (self) => {
      receiver = self.spawnLink<{ x?: { y: number } }>(async function picky(me) {
        await me.receive((m) => m.x!.y === 1);
      });
    });
    const sender = puppet(t.node);
    await inside(t.node, sender.pid, (self) => self.send(receiver!, {}));
    expect(t.node.isAlive(sender.pid)).toBe(true);
    const [[tag, from, [kind, err]]] = w.inbox as [['EXIT', Pid, ['crash', Error]]];
    expect([tag, from, kind]).toEqual(['EXIT', receiver, 'crash']);
    expect(err).toBeInstanceOf(TypeError);
    expect(crashReports(t.records)).toEqual([expect.objectContaining({ initialCall: 'picky' })]);
  });

  it('a process whose code throws after it was killed is not reported again', async () => {
    t = testNode();
    let release: () => void = () => {};
    const pid = t.node.spawn(async () => {
      await new Promise<void>((r) => {
        release = r;
      });
      throw new Error('too late');
    });
    await settle();
    t.node.exit(pid, 'kill');
    release();
    await settle();
    expect(crashReports(t.records)).toEqual([]);
  });
});
