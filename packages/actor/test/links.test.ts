import { afterEach, describe, expect, it } from 'vitest';
import type { Pid, ProcessBehaviour } from '../src/index.js';
import { crashReports, inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

const linksOf = (pid: Pid) => t.node.processInfo(pid)?.links;

describe('link and unlink', () => {
  it('link is bidirectional: either side lists the other', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = sleeper(t.node);
    await inside(t.node, a.pid, (self) => self.link(b));
    expect(linksOf(a.pid)).toEqual([b]);
    expect(linksOf(b)).toEqual([a.pid]);
  });

  it('link is idempotent: linking twice makes one link, removed by one unlink', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = sleeper(t.node);
    await inside(t.node, a.pid, (self) => {
      self.link(b);
      self.link(b);
    });
    expect(linksOf(a.pid)).toEqual([b]);
    await inside(t.node, a.pid, (self) => self.unlink(b));
    expect(linksOf(a.pid)).toEqual([]);
    expect(linksOf(b)).toEqual([]);
    t.node.exit(b, 'boom');
    expect(t.node.isAlive(a.pid)).toBe(true);
  });

  it('a link made by one side can be removed by the other', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = puppet(t.node);
    await inside(t.node, a.pid, (self) => self.link(b.pid));
    await inside(t.node, b.pid, (self) => self.unlink(a.pid));
    expect([linksOf(a.pid), linksOf(b.pid)]).toEqual([[], []]);
    await inside(t.node, b.pid, (self) => self.exit('boom'));
    expect(t.node.isAlive(a.pid)).toBe(true);
  });

  it('unlinking a process that is not linked, or is dead, does nothing', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = sleeper(t.node);
    const dead = sleeper(t.node);
    t.node.exit(dead, 'kill');
    await inside(t.node, a.pid, (self) => {
      self.unlink(b);
      self.unlink(dead);
    });
    expect(t.node.isAlive(a.pid)).toBe(true);
    expect(linksOf(a.pid)).toEqual([]);
  });

  it('linking to itself does nothing', async () => {
    t = testNode();
    const a = puppet(t.node);
    await inside(t.node, a.pid, (self) => self.link(self.pid));
    expect(linksOf(a.pid)).toEqual([]);
  });

  it("linking to a dead pid while trapping exits gives ['EXIT', pid, 'noproc']", async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const dead = sleeper(t.node);
    t.node.exit(dead, 'kill');
    await inside(t.node, a.pid, (self) => self.link(dead));
    expect(a.inbox).toEqual([['EXIT', dead, 'noproc']]);
    expect(linksOf(a.pid)).toEqual([]);
  });

  it("linking to a dead pid while not trapping ends the caller with 'noproc' at once; its code stops there", async () => {
    t = testNode();
    const a = puppet(t.node);
    const watcher = puppet(t.node);
    await inside(t.node, watcher.pid, (self) => void self.monitor(a.pid));
    const dead = sleeper(t.node);
    t.node.exit(dead, 'kill');
    const reached: string[] = [];
    await inside(t.node, a.pid, (self) => {
      self.link(dead);
      reached.push('after link');
    });
    expect(reached).toEqual([]);
    expect(watcher.inbox).toEqual([['DOWN', expect.anything(), 'process', a.pid, 'noproc']]);
    expect(crashReports(t.records)).toEqual([]);
  });

  it('node.linkCurrent links the process whose code is running, and needs one', async () => {
    t = testNode();
    const a = puppet(t.node);
    const b = sleeper(t.node);
    expect(() => t.node.linkCurrent(b)).toThrow(expect.objectContaining({ code: 'ERR_NOT_IN_PROCESS' }));
    await inside(t.node, a.pid, () => t.node.linkCurrent(b));
    expect(linksOf(b)).toEqual([a.pid]);
  });

  it('a dead process is removed from the links of everyone it was linked to', async () => {
    t = testNode();
    const a = puppet(t.node, { trapExit: true });
    const b = sleeper(t.node);
    const c = sleeper(t.node);
    await inside(t.node, a.pid, (self) => {
      self.link(b);
      self.link(c);
    });
    t.node.exit(b, 'boom');
    expect(linksOf(a.pid)).toEqual([c]);
  });

  it('a chain of 20,000 linked processes all die when one crashes, without overflowing the stack, with one crash report', async () => {
    t = testNode();
    const N = 20_000;
    const pids: Pid<string>[] = [];
    const link: ProcessBehaviour<string, null> = {
      name: 'chain-link',
      init(self) {
        pids.push(self.pid);
        if (pids.length < N) self.spawnLink(link);
        return null;
      },
      handle(msg: string, s: null) {
        if (msg === 'crash') throw new Error('the last link breaks');
        return s;
      },
    };
    const watcher = puppet(t.node);
    const head = t.node.spawn<string, null>(link);
    await inside(t.node, watcher.pid, (self) => void self.monitor(head));
    for (let i = 0; i < 20 && pids.length < N; i++) await settle();
    expect(pids.length).toBe(N);
    expect(t.node.processCount()).toBe(N + 1);
    t.node.send(pids[N - 1]!, 'crash');
    await settle();
    expect(t.node.processCount()).toBe(1);
    expect(pids.some((p) => t.node.isAlive(p))).toBe(false);
    const [down] = watcher.inbox as [['DOWN', unknown, 'process', Pid, ['crash', Error]]];
    expect(down[4][1].message).toBe('the last link breaks');
    expect(crashReports(t.records)).toHaveLength(1);
  });
});
