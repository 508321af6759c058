/**
 * DynamicSupervisor, checked against Elixir's `DynamicSupervisor` docs (start_child/2,
 * terminate_child/2, which_children/1, count_children/1, :max_children, :max_restarts,
 * :max_seconds) and OTP's simple_one_for_one shutdown (`supervisor:terminate_dynamic_children/1`).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DynamicChildSpec,
  DynamicSupervisor,
  type ExitReason,
  GenServer,
  type GenServerBehaviour,
  type Node,
  type Pid,
  StartError,
  Supervisor,
} from '../src/index.js';
import { settle, type TestNode, testNode, until } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

interface ConnArgs {
  n: number;
  log: { started: number; terminated: unknown[] };
  trap?: boolean;
  hang?: boolean;
  fail?: { left: number };
}

type ConnT = { args: ConnArgs; state: ConnArgs; call: 'n'; reply: number; cast: ['exit', ExitReason] };

const Conn: GenServerBehaviour<ConnT> = {
  name: 'conn',
  init(a, self) {
    if (a.fail !== undefined && a.fail.left > 0) {
      a.fail.left--;
      return ['stop', 'refused'];
    }
    a.log.started++;
    if (a.trap === true) self.trapExit(true);
    return ['ok', a];
  },
  handleCall: (_r, _f, s) => ['reply', s.n, s],
  handleCast: ([, reason], s) => ['stop', reason, s],
  terminate(reason, s) {
    s.log.terminated.push(reason);
    if (s.hang === true) return new Promise(() => {});
  },
};

const newLog = () => ({ started: 0, terminated: [] as unknown[] });

function conn(
  node: Node,
  args: ConnArgs,
  spec: Partial<Omit<DynamicChildSpec, 'start'>> = { restart: 'temporary' },
): DynamicChildSpec {
  return { start: () => GenServer.startLink(node, Conn, args), ...spec };
}

const exitOf = (node: Node, pid: Pid): Promise<unknown> =>
  new Promise((resolve) => node.onExit(pid, resolve));

async function startChild(sup: Pid, spec: DynamicChildSpec): Promise<Pid> {
  const r = await DynamicSupervisor.startChild(sup, spec);
  if (r[0] !== 'ok' || r[1] === undefined) throw new Error(`start failed: ${JSON.stringify(r)}`);
  return r[1];
}

describe('DynamicSupervisor.startChild and queries', () => {
  it('starts many children of one template, each linked to the supervisor', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node);
    const children: Pid[] = [];
    for (let n = 0; n < 5; n++) children.push(await startChild(sup, conn(t.node, { n, log })));
    expect(log.started).toBe(5);
    await expect(GenServer.call(children[3]!, 'n')).resolves.toBe(3);
    for (const c of children) expect(t.node.processInfo(c)?.links).toEqual([sup]);
    const which = await DynamicSupervisor.whichChildren(sup);
    expect(which).toHaveLength(5);
    expect(new Set(which.map(([, pid]) => pid))).toEqual(new Set(children));
    expect(which.every(([id, , type]) => id === undefined && type === 'worker')).toBe(true);
    await expect(DynamicSupervisor.countChildren(sup)).resolves.toEqual({
      specs: 5,
      active: 5,
      supervisors: 0,
      workers: 5,
    });
  });

  it("answers ['error', 'max_children'] at maxChildren (Elixir :max_children)", async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node, { maxChildren: 2 });
    await startChild(sup, conn(t.node, { n: 1, log }));
    const second = await startChild(sup, conn(t.node, { n: 2, log }));
    await expect(DynamicSupervisor.startChild(sup, conn(t.node, { n: 3, log }))).resolves.toEqual([
      'error',
      'max_children',
    ]);
    await DynamicSupervisor.terminateChild(sup, second);
    await startChild(sup, conn(t.node, { n: 4, log }));
    expect(log.started).toBe(3);
  });

  it("returns start failures and 'ignore' without keeping anything", async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node);
    await expect(
      DynamicSupervisor.startChild(sup, conn(t.node, { n: 1, log, fail: { left: 1 } })),
    ).resolves.toEqual(['error', 'refused']);
    await expect(DynamicSupervisor.startChild(sup, { start: () => 'ignore' })).resolves.toEqual([
      'ok',
      undefined,
    ]);
    await expect(DynamicSupervisor.startChild(sup, { start: 'nope' } as never)).resolves.toEqual([
      'error',
      'missing_start',
    ]);
    await expect(DynamicSupervisor.countChildren(sup)).resolves.toMatchObject({ specs: 0 });
  });

  it('rejects invalid options as a start error', async () => {
    t = testNode();
    const e = (await DynamicSupervisor.start(t.node, { maxChildren: -1 }).catch((x) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toEqual(['supervisor_data', ['invalid_max_children', -1]]);
  });
});

describe('children exiting, by restart type', () => {
  it('a temporary child that exits is forgotten; an abnormal exit is reported child_terminated', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node, { name: 'conns' });
    const a = await startChild(sup, conn(t.node, { n: 1, log }));
    const b = await startChild(sup, conn(t.node, { n: 2, log }));
    GenServer.cast(a, ['exit', 'normal']);
    t.node.exit(b, 'boom');
    await until(() => t.records.some((r) => r.context === 'child_terminated'));
    await expect(DynamicSupervisor.countChildren(sup)).resolves.toMatchObject({ specs: 0, active: 0 });
    expect(t.records.filter((r) => r.label === 'supervisor_report')).toEqual([
      expect.objectContaining({
        context: 'child_terminated',
        supervisor: 'conns',
        childId: undefined,
        childPid: b.toString(),
        reason: 'boom',
        restartType: 'temporary',
      }),
    ]);
    expect(log.started).toBe(2);
  });

  it("keeps nothing of a temporary child's start while it runs (Elixir's mfa_for_restart drops the arguments of a temporary child)", async () => {
    t = testNode();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const sup = await DynamicSupervisor.start(t.node);
    // What a start function holds (a connection's request, its first bytes) must not live as long as the child.
    const held = async (restart: 'temporary' | 'transient'): Promise<[Pid, WeakRef<object>]> => {
      const payload = { bytes: new Uint8Array(1024) };
      const spec: DynamicChildSpec = {
        start: () => GenServer.startLink(t.node, Conn, { n: payload.bytes.length, log: newLog() }),
        restart,
      };
      return [await startChild(sup, spec), new WeakRef(payload)];
    };
    const [temporary, tempRef] = await held('temporary');
    const [transient, transRef] = await held('transient');
    await settle();
    gc();
    await settle();
    expect(tempRef.deref()).toBeUndefined();
    expect(transRef.deref()).toBeDefined(); // a transient child may be restarted: its start is kept
    expect(t.node.isAlive(temporary) && t.node.isAlive(transient)).toBe(true);
    await expect(DynamicSupervisor.countChildren(sup)).resolves.toEqual({
      specs: 2,
      active: 2,
      supervisors: 0,
      workers: 2,
    });
  });

  it('temporary children of different shutdowns and types are each stopped, counted and reported by their own', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node, { name: 'conns' });
    const killed = await startChild(
      sup,
      conn(t.node, { n: 1, log, trap: true }, { restart: 'temporary', shutdown: 'brutal_kill' }),
    );
    const slow = await startChild(
      sup,
      conn(t.node, { n: 2, log, trap: true, hang: true }, { restart: 'temporary', shutdown: 500 }),
    );
    const polite = await startChild(
      sup,
      conn(t.node, { n: 3, log, trap: true }, { restart: 'temporary', shutdown: 500 }),
    );
    const nested = await startChild(sup, {
      start: () => DynamicSupervisor.startLink(t.node),
      restart: 'temporary',
      type: 'supervisor',
    });
    await expect(DynamicSupervisor.countChildren(sup)).resolves.toEqual({
      specs: 4,
      active: 4,
      supervisors: 1,
      workers: 3,
    });
    await expect(DynamicSupervisor.whichChildren(sup)).resolves.toEqual(
      expect.arrayContaining([
        [undefined, killed, 'worker'],
        [undefined, slow, 'worker'],
        [undefined, polite, 'worker'],
        [undefined, nested, 'supervisor'],
      ]),
    );
    await expect(DynamicSupervisor.terminateChild(sup, killed)).resolves.toBe('ok');
    expect(log.terminated).toEqual([]); // brutal_kill: no terminate
    const terminating = DynamicSupervisor.terminateChild(sup, slow);
    await settle();
    expect(t.node.isAlive(slow)).toBe(true); // its shutdown time, not the other one's kill
    t.clock.advance(500);
    await expect(terminating).resolves.toBe('ok');
    expect(t.records.filter((r) => r.context === 'shutdown_error')).toEqual([
      expect.objectContaining({
        reason: 'killed',
        restartType: 'temporary',
        shutdown: 500,
        childType: 'worker',
      }),
    ]);
    t.node.exit(nested, 'kill');
    await until(() => t.records.some((r) => r.context === 'child_terminated'));
    expect(t.records.filter((r) => r.context === 'child_terminated')).toEqual([
      expect.objectContaining({
        reason: 'killed',
        restartType: 'temporary',
        shutdown: 'infinity',
        childType: 'supervisor',
      }),
    ]);
    await DynamicSupervisor.stop(sup);
    expect(log.terminated).toEqual(['shutdown', 'shutdown']);
  });

  it('a permanent child is restarted; a transient one only after an abnormal exit', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node);
    const perm = await startChild(sup, conn(t.node, { n: 1, log }, { restart: 'permanent' }));
    const trans = await startChild(sup, conn(t.node, { n: 2, log }, { restart: 'transient' }));
    GenServer.cast(trans, ['exit', 'normal']);
    t.node.exit(perm, 'boom');
    await until(() => log.started === 3);
    await settle();
    const which = await DynamicSupervisor.whichChildren(sup);
    expect(which).toHaveLength(1);
    const [, restarted] = which[0]!;
    expect(restarted).not.toBe(perm);
    await expect(GenServer.call(restarted as Pid, 'n')).resolves.toBe(1);
    expect(t.records.filter((r) => r.context === 'restarting')).toHaveLength(1);
  });

  it('more than intensity restarts in period seconds shut it down (defaults 3 in 5 s, as Elixir)', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node);
    const supExit = exitOf(t.node, sup);
    let pid = await startChild(sup, conn(t.node, { n: 1, log }, { restart: 'permanent' }));
    for (let i = 1; i <= 3; i++) {
      t.node.exit(pid, 'boom');
      await until(() => log.started === i + 1);
      pid = (await DynamicSupervisor.whichChildren(sup))[0]![1] as Pid;
    }
    t.node.exit(pid, 'boom');
    await expect(supExit).resolves.toBe('shutdown');
    expect(t.records.filter((r) => r.context === 'shutdown')).toEqual([
      expect.objectContaining({ reason: 'reached_max_restart_intensity' }),
    ]);
  });

  it("a failed restart keeps the child as 'restarting' and tries again", async () => {
    t = testNode();
    const log = newLog();
    const fail = { left: 0 };
    const sup = await DynamicSupervisor.start(t.node, { intensity: 5 });
    const pid = await startChild(sup, conn(t.node, { n: 1, log, fail }, { restart: 'permanent' }));
    fail.left = 1;
    t.node.exit(pid, 'boom');
    await until(() => log.started === 2);
    expect(t.records.filter((r) => r.context === 'start_error')).toEqual([
      expect.objectContaining({ childPid: 'restarting', reason: 'refused' }),
    ]);
    await expect(DynamicSupervisor.countChildren(sup)).resolves.toEqual({
      specs: 1,
      active: 1,
      supervisors: 0,
      workers: 1,
    });
  });
});

describe('terminateChild and shutdown', () => {
  it("terminateChild stops a child by pid, honouring its shutdown; others are ['error', 'not_found']", async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node);
    const pid = await startChild(sup, conn(t.node, { n: 1, log, trap: true }, { restart: 'permanent' }));
    await expect(DynamicSupervisor.terminateChild(sup, pid)).resolves.toBe('ok');
    expect(log.terminated).toEqual(['shutdown']);
    expect(t.node.isAlive(pid)).toBe(false);
    await settle();
    expect(log.started).toBe(1);
    await expect(DynamicSupervisor.terminateChild(sup, pid)).resolves.toEqual(['error', 'not_found']);
    await expect(DynamicSupervisor.terminateChild(sup, sup)).resolves.toEqual(['error', 'not_found']);
  });

  it('shuts 2,000 children down concurrently: every terminate runs', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node);
    for (let n = 0; n < 2000; n++) await startChild(sup, conn(t.node, { n, log, trap: true }));
    expect(t.node.processCount()).toBe(2001);
    await DynamicSupervisor.stop(sup);
    expect(log.terminated).toHaveLength(2000);
    expect(log.terminated.every((r) => r === 'shutdown')).toBe(true);
    expect(t.node.processCount()).toBe(0);
    expect(t.records.filter((r) => r.label === 'supervisor_report')).toEqual([]);
  });

  it('waits for all children against one deadline, not one per child, then kills the rest (one report per reason)', async () => {
    t = testNode();
    const log = newLog();
    const sup = await DynamicSupervisor.start(t.node, { name: 'conns' });
    for (let n = 0; n < 500; n++)
      await startChild(
        sup,
        conn(t.node, { n, log, trap: true, hang: n % 2 === 0 }, { restart: 'temporary', shutdown: 1000 }),
      );
    const stopping = DynamicSupervisor.stop(sup);
    await settle();
    expect(log.terminated).toHaveLength(500);
    expect(t.node.processCount()).toBe(251);
    t.clock.advance(1000);
    await stopping;
    expect(t.node.processCount()).toBe(0);
    const errors = t.records.filter((r) => r.context === 'shutdown_error');
    expect(errors).toEqual([expect.objectContaining({ supervisor: 'conns', reason: 'killed' })]);
    expect(errors[0]?.childPid).toHaveLength(250);
  });

  it('works as a child of a static supervisor (type supervisor), stopped with it', async () => {
    t = testNode();
    const log = newLog();
    const root = await Supervisor.start(t.node, [
      {
        id: 'conns',
        type: 'supervisor',
        start: () => DynamicSupervisor.startLink(t.node, { name: 'conns' }),
      },
    ]);
    await startChild(t.node.whereis('conns')!, conn(t.node, { n: 1, log, trap: true }));
    await Supervisor.stop(root);
    expect(log.terminated).toEqual(['shutdown']);
    expect(t.node.processCount()).toBe(0);
  });
});
