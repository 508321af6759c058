/**
 * The callback-process behaviour's `exited` callback: the behaviour's own observer of its
 * process's exit, for what the process holds outside the runtime (a socket, a file handle),
 * as a resource owned by an Erlang process (a port) is closed when the process dies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  captureLogger,
  createNode,
  type Logger,
  ManualClock,
  type Pid,
  type ProcessBehaviour,
  type ProcessInfo,
  type Ref,
} from '../src/index.js';
import { deferred, inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

type Seen = [reason: unknown, state: unknown, alive: boolean][];

/** A behaviour whose state is `{ n }` and whose `exited` records what it is given. */
function owner(
  seen: Seen,
  pidOf: () => Pid | undefined,
): ProcessBehaviour<'crash' | 'stop' | 'bump', { n: number }> {
  return {
    init: () => ({ n: 0 }),
    handle(msg, st, self) {
      if (msg === 'crash') throw new Error('boom');
      if (msg === 'stop') self.exit('normal');
      return { n: st.n + 1 };
    },
    exited(reason, state) {
      const pid = pidOf();
      seen.push([reason, state, pid === undefined ? false : t.node.isAlive(pid)]);
    },
  };
}

describe('ProcessBehaviour.exited', () => {
  it('is called once with the exit reason and the last state, the process already dead, whatever ends it', async () => {
    t = testNode();
    const seen: Seen = [];
    const pids: Pid[] = [];
    for (let i = 0; i < 4; i++) pids.push(t.node.spawn(owner(seen, () => pids[i])));
    await settle();
    t.node.send(pids[0]!, 'bump');
    t.node.send(pids[0]!, 'stop');
    t.node.send(pids[1]!, 'crash');
    await settle();
    t.node.exit(pids[2]!, 'kill');
    t.node.exit(pids[3]!, ['shutdown', 'bye']);
    t.node.exit(pids[3]!, 'kill'); // already dead: nothing more
    expect(seen).toEqual([
      ['normal', { n: 1 }, false],
      [['crash', new Error('boom')], { n: 0 }, false],
      ['killed', { n: 0 }, false],
      [['shutdown', 'bye'], { n: 0 }, false],
    ]);
  });

  it('gets an undefined state when the process dies before its init returned', async () => {
    t = testNode();
    const seen: unknown[] = [];
    const never = deferred<number>();
    const pid = t.node.spawn<unknown, number>({
      init: () => never.promise,
      handle: (_m, s) => s,
      exited: (reason, state) => void seen.push([reason, state]),
    });
    await settle();
    t.node.exit(pid, 'kill');
    expect(seen).toEqual([['killed', undefined]]);
  });

  it('runs before the node.onExit hooks and before the exit signals reach linked processes', async () => {
    t = testNode();
    const order: string[] = [];
    const linked = puppet(t.node, { trapExit: true });
    const pid = t.node.spawn<unknown, null>({
      init: () => null,
      handle: (_m, s) => s,
      exited: () => {
        order.push(`exited (linked inbox: ${linked.inbox.length})`);
      },
    });
    await inside(t.node, linked.pid, (self) => self.link(pid));
    t.node.onExit(pid, () => order.push('onExit hook'));
    t.node.exit(pid, 'kill');
    await settle();
    expect(order).toEqual(['exited (linked inbox: 0)', 'onExit hook']);
    expect(linked.inbox).toEqual([['EXIT', pid, 'killed']]);
  });

  it('a throw in exited is logged (exit_hook_failed) and the exit still reaches links, monitors and onExit hooks', async () => {
    t = testNode();
    const watcher = puppet(t.node, { trapExit: true });
    const hooks: unknown[] = [];
    const pid = t.node.spawn<unknown, null>({
      init: () => null,
      handle: (_m, s) => s,
      exited: () => {
        throw new Error('bad exited');
      },
    });
    await inside(t.node, watcher.pid, (self) => {
      self.link(pid);
      self.monitor(pid);
    });
    t.node.onExit(pid, (r) => hooks.push(r));
    t.node.exit(pid, 'bye');
    await settle();
    expect(hooks).toEqual(['bye']);
    expect(watcher.inbox).toEqual([
      ['DOWN', expect.anything(), 'process', pid, 'bye'],
      ['EXIT', pid, 'bye'],
    ]);
    expect(t.records).toContainEqual(
      expect.objectContaining({ level: 'error', label: 'exit_hook_failed', err: new Error('bad exited') }),
    );
  });

  it('is called with the behaviour as `this`, as the other callbacks are', async () => {
    t = testNode();
    const seen: unknown[] = [];
    const behaviour = {
      label: 'mine',
      init: () => null,
      handle: (_m: unknown, s: null) => s,
      exited(this: { label: string }) {
        seen.push(this.label);
      },
    };
    const pid = t.node.spawn(behaviour);
    const other = sleeper(t.node);
    t.node.exit(pid, 'kill');
    t.node.exit(other, 'kill');
    expect(seen).toEqual(['mine']);
  });
});

/**
 * A process's registered name, monitors, timers and logger live in a side object made on first
 * use (an idle process of a server has none of them). These pin that having had them, losing them
 * and taking them again behaves as Erlang's `register/2`, `monitor/2`, `demonitor/1`,
 * `erlang:send_after/3`, `cancel_timer/1` and `process_info/1` do, whatever the order.
 */
describe('a process that gains and loses a name, monitors and timers', () => {
  /** The fields `processInfo` reports, with the ones this block is about. */
  const FIELDS: (keyof ProcessInfo)[] = [
    'initialCall',
    'kind',
    'links',
    'messageQueueLen',
    'messagesHandled',
    'monitoredBy',
    'monitors',
    'pid',
    'registeredName',
    'state',
    'status',
    'timers',
    'trapExit',
    'waitingOn',
  ];
  const rare = (info: ProcessInfo | undefined) =>
    info && {
      registeredName: info.registeredName,
      monitors: info.monitors,
      monitoredBy: info.monitoredBy,
      timers: info.timers,
    };
  const none = { registeredName: undefined, monitors: [], monitoredBy: [], timers: 0 };

  it('reports all processInfo fields, with none of them, before any use and again after losing them all', async () => {
    t = testNode();
    const target = sleeper(t.node);
    const p = puppet(t.node);
    const watcher = puppet(t.node);
    await settle();
    expect(Object.keys(t.node.processInfo(p.pid)!).sort()).toEqual(FIELDS);
    expect(rare(t.node.processInfo(p.pid))).toEqual(none);

    let held: Ref | undefined;
    let timer: Ref | undefined;
    let watchedBy: Ref | undefined;
    await inside(t.node, p.pid, (self) => {
      self.register('gains');
      held = self.monitor(target);
      timer = self.sendAfter(100, self.pid, 'cancelled');
      self.startTimer(20, self.pid, 'fires');
    });
    await inside(t.node, watcher.pid, (self) => {
      watchedBy = self.monitor(p.pid);
    });
    t.node.sendAfter(50, p.pid, 'from outside');
    expect(rare(t.node.processInfo(p.pid))).toEqual({
      registeredName: 'gains',
      monitors: [{ ref: held!, pid: target }],
      monitoredBy: [{ ref: watchedBy!, pid: watcher.pid }],
      timers: 3,
    });

    const results: unknown[] = [];
    await inside(t.node, p.pid, (self) => {
      results.push(self.cancelTimer(timer!), self.demonitor(held!), self.demonitor(held!));
      self.node.unregister('gains');
    });
    await inside(t.node, watcher.pid, (self) => void results.push(self.demonitor(watchedBy!)));
    t.clock.advance(50);
    await settle();
    expect(results).toEqual([100, true, false, true]);
    expect(p.inbox).toEqual([['timeout', expect.any(Object), 'fires'], 'from outside']);
    expect(t.node.whereis('gains')).toBeUndefined();
    expect(Object.keys(t.node.processInfo(p.pid)!).sort()).toEqual(FIELDS);
    expect(rare(t.node.processInfo(p.pid))).toEqual(none);
    expect(rare(t.node.processInfo(target))).toEqual(none);
    expect(t.node.timerCount()).toBe(0);

    // What it lost no longer acts: the old target's exit sends no DOWN, its own exit none to the old watcher.
    t.node.exit(target, 'bye');
    t.node.exit(p.pid, 'done');
    await settle();
    expect(p.inbox).toHaveLength(2);
    expect(watcher.inbox).toEqual([]);
  });

  it('takes them again after losing them, and its exit still fires its monitors, frees its name and cancels its timers', async () => {
    t = testNode();
    const first = sleeper(t.node);
    const second = sleeper(t.node);
    const p = puppet(t.node);
    const watcher = puppet(t.node);
    let again: Ref | undefined;
    let watchedBy: Ref | undefined;
    await inside(t.node, p.pid, (self) => {
      self.register('first-name');
      self.demonitor(self.monitor(first));
      self.cancelTimer(self.sendAfter(10, self.pid, 'never'));
      self.node.unregister('first-name');
      // Everything gone; now again, differently.
      self.register('second-name');
      again = self.monitor(second);
      self.sendAfter(10, self.pid, 'tick');
      self.sendAfter(1000, self.pid, 'too late');
    });
    await inside(t.node, watcher.pid, (self) => {
      watchedBy = self.monitor('second-name');
    });
    t.clock.advance(10);
    t.node.exit(first, 'first gone');
    t.node.exit(second, 'second gone');
    await settle();
    expect(p.inbox).toEqual(['tick', ['DOWN', again, 'process', second, 'second gone']]);
    expect(t.node.whereis('second-name')).toBe(p.pid);
    expect(rare(t.node.processInfo(p.pid))).toEqual({
      registeredName: 'second-name',
      monitors: [],
      monitoredBy: [{ ref: watchedBy!, pid: watcher.pid }],
      timers: 1,
    });

    t.node.exit(p.pid, 'done');
    await settle();
    expect(watcher.inbox).toEqual([['DOWN', watchedBy, 'process', p.pid, 'done']]);
    expect(t.node.whereis('second-name')).toBeUndefined();
    expect(t.node.timerCount()).toBe(0);
    t.clock.advance(1000);
    await settle();
    expect(p.inbox).toHaveLength(2);
  });

  it('a timer set by another node to a process that had none is cancelled on that node when the process exits', async () => {
    t = testNode('a');
    const other = createNode({ name: 'b', logger: captureLogger(), clock: new ManualClock() });
    try {
      const p = puppet(t.node);
      await settle();
      expect(t.node.processInfo(p.pid)?.timers).toBe(0);
      other.sendAfter(100, p.pid, 'across');
      expect(t.node.processInfo(p.pid)?.timers).toBe(1);
      expect(other.timerCount()).toBe(1);
      t.node.exit(p.pid, 'kill');
      expect(other.timerCount()).toBe(0);
    } finally {
      other.shutdown();
    }
  });

  it('demonitor and unregister on a process that never monitored nor registered change nothing', async () => {
    t = testNode();
    const p = puppet(t.node);
    const stray = t.node.makeRef();
    const results: unknown[] = [];
    await inside(t.node, p.pid, (self) => void results.push(self.demonitor(stray, { flush: true })));
    expect(() => t.node.unregister('nobody')).toThrow(/no process has that name/);
    expect(results).toEqual([false]);
    expect(rare(t.node.processInfo(p.pid))).toEqual(none);
  });

  it('makes its child logger once and again only when its registered name changes (unregister included)', async () => {
    const records = captureLogger().records;
    let children = 0;
    const counting = (base: Logger): Logger => ({
      ...base,
      child(bindings) {
        children++;
        return base.child(bindings);
      },
    });
    const clock = new ManualClock();
    const node = createNode({ name: 'lg', logger: counting(captureLogger(records)), clock });
    t = { node, clock, records };
    const p = puppet(node);
    await inside(node, p.pid, (self) => {
      self.logger.info('one');
      self.logger.info('two');
      self.register('named');
      self.logger.info('three');
      self.logger.info('four');
      self.node.unregister('named');
      self.logger.info('five');
    });
    expect(records.map((r) => [r.msg, r.name])).toEqual([
      ['one', undefined],
      ['two', undefined],
      ['three', 'named'],
      ['four', 'named'],
      ['five', undefined],
    ]);
    expect(children).toBe(3);
  });
});
