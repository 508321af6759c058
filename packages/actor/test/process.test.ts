/**
 * The callback-process behaviour's `exited` callback: the behaviour's own observer of its
 * process's exit, for what the process holds outside the runtime (a socket, a file handle),
 * as a resource owned by an Erlang process (a port) is closed when the process dies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Pid, ProcessBehaviour } from '../src/index.js';
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
