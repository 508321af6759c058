/**
 * Supervisor, checked against the OTP supervisor manual (stdlib, `supervisor`: "Supervision
 * Principles", "Restart Strategy", "Restart Intensity and Period", "Child specification",
 * "Automatic Shutdown") and Elixir's `Supervisor` docs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CapturedRecord,
  type ChildSpec,
  type ExitReason,
  GenServer,
  type GenServerBehaviour,
  type Node,
  type Pid,
  type RestartType,
  StartError,
  Supervisor,
} from '../src/index.js';
import { settle, type TestNode, testNode, until } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

type Event = [what: 'start' | 'terminate', id: string, reason?: unknown];

interface WorkerArgs {
  id: string;
  events: Event[];
  /** Trap exits, so a supervisor shutdown runs terminate. */
  trap?: boolean;
  /** terminate never finishes: only 'kill' ends it. */
  hang?: boolean;
  /** init fails this many times before it succeeds. */
  failures?: { left: number };
}

type WorkerT = {
  args: WorkerArgs;
  state: WorkerArgs;
  call: 'ping';
  reply: string;
  cast: ['exit', ExitReason];
};

const Worker: GenServerBehaviour<WorkerT> = {
  name: 'worker',
  init(a, self) {
    if (a.failures !== undefined && a.failures.left > 0) {
      a.failures.left--;
      return ['stop', 'init_failed'];
    }
    a.events.push(['start', a.id]);
    if (a.trap === true) self.trapExit(true);
    return ['ok', a];
  },
  handleCall: (_req, _from, s) => ['reply', 'pong', s],
  handleCast: ([, reason], s) => ['stop', reason, s],
  terminate(reason, s) {
    s.events.push(['terminate', s.id, reason]);
    if (s.hang === true) return new Promise(() => {});
  },
};

function worker(
  node: Node,
  id: string,
  events: Event[],
  extra: Partial<Omit<ChildSpec, 'id' | 'start'>> & Partial<WorkerArgs> = {},
): ChildSpec {
  const { trap, hang, failures, ...spec } = extra;
  const args: WorkerArgs = { id, events };
  if (trap !== undefined) args.trap = trap;
  if (hang !== undefined) args.hang = hang;
  if (failures !== undefined) args.failures = failures;
  return { id, start: () => GenServer.startLink(node, Worker, args), ...spec };
}

async function childPid(sup: Pid, id: string): Promise<Pid> {
  const entry = (await Supervisor.whichChildren(sup)).find(([cid]) => cid === id);
  if (entry === undefined || !(typeof entry[1] === 'object')) throw new Error(`child ${id} is not running`);
  return entry[1];
}

async function pids(sup: Pid): Promise<Record<string, unknown>> {
  return Object.fromEntries((await Supervisor.whichChildren(sup)).map(([id, pid]) => [id, pid]));
}

/** Resolves with a process's exit reason. */
function exitOf(node: Node, pid: Pid): Promise<unknown> {
  return new Promise((resolve) => node.onExit(pid, resolve));
}

const reports = (records: CapturedRecord[], context?: string) =>
  records.filter((r) => r.label === 'supervisor_report' && (context === undefined || r.context === context));

const starts = (events: Event[], id?: string) =>
  events.filter(([what, cid]) => what === 'start' && (id === undefined || cid === id)).length;

describe('start: children start in order, a failing start aborts (OTP supervisor:start_link/2,3)', () => {
  it('starts every child in order before start resolves', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [
      worker(t.node, 'a', events),
      worker(t.node, 'b', events),
      worker(t.node, 'c', events),
    ]);
    expect(events).toEqual([
      ['start', 'a'],
      ['start', 'b'],
      ['start', 'c'],
    ]);
    const children = await Supervisor.whichChildren(sup);
    expect(children.map(([id, , type]) => [id, type])).toEqual([
      ['a', 'worker'],
      ['b', 'worker'],
      ['c', 'worker'],
    ]);
    for (const [, pid] of children) expect(t.node.processInfo(pid as Pid)?.links).toEqual([sup]);
    expect(t.node.processInfo(sup)?.initialCall).toBe('supervisor');
  });

  it("a failing start stops the started ones in reverse and fails with ['shutdown', ['failed_to_start_child', id, reason]]", async () => {
    t = testNode();
    const events: Event[] = [];
    const error = await Supervisor.start(t.node, [
      worker(t.node, 'a', events, { trap: true }),
      worker(t.node, 'b', events, { trap: true }),
      worker(t.node, 'c', events, { failures: { left: 1 } }),
      worker(t.node, 'd', events),
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).reason).toEqual(['shutdown', ['failed_to_start_child', 'c', 'init_failed']]);
    expect(events).toEqual([
      ['start', 'a'],
      ['start', 'b'],
      ['terminate', 'b', 'shutdown'],
      ['terminate', 'a', 'shutdown'],
    ]);
    expect(t.node.processCount()).toBe(0);
    expect(reports(t.records)).toEqual([
      expect.objectContaining({ context: 'start_error', childId: 'c', reason: 'init_failed' }),
    ]);
  });

  it('rejects invalid flags and specs with OTP reasons', async () => {
    t = testNode();
    const bad = (await Supervisor.start(t.node, [], { intensity: -1 }).catch((e) => e)) as StartError;
    expect(bad.reason).toEqual(['supervisor_data', ['invalid_intensity', -1]]);
    const dup = (await Supervisor.start(t.node, [worker(t.node, 'a', []), worker(t.node, 'a', [])]).catch(
      (e) => e,
    )) as StartError;
    expect(dup.reason).toEqual(['start_spec', ['duplicate_child_name', 'a']]);
    const shutdown = (await Supervisor.start(t.node, [worker(t.node, 'a', [], { shutdown: -5 })]).catch(
      (e) => e,
    )) as StartError;
    expect(shutdown.reason).toEqual(['start_spec', ['invalid_shutdown', -5]]);
  });

  it("logs a debug 'progress' record per started child", async () => {
    t = testNode();
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', [])], { name: 'app' });
    expect(t.records.filter((r) => r.label === 'progress')).toEqual([
      expect.objectContaining({
        level: 'debug',
        context: 'started',
        supervisor: 'app',
        childId: 'a',
        childPid: (await childPid(sup, 'a')).toString(),
      }),
    ]);
  });
});

describe('shutdown: reverse order, honouring each child shutdown', () => {
  it('stops children in reverse start order with exit shutdown, then exits', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [
      worker(t.node, 'a', events, { trap: true }),
      worker(t.node, 'b', events, { trap: true }),
      worker(t.node, 'c', events, { trap: true }),
    ]);
    events.length = 0;
    await Supervisor.stop(sup);
    expect(events).toEqual([
      ['terminate', 'c', 'shutdown'],
      ['terminate', 'b', 'shutdown'],
      ['terminate', 'a', 'shutdown'],
    ]);
    expect(t.node.processCount()).toBe(0);
    expect(reports(t.records)).toEqual([]);
  });

  it('kills a child that outlives its shutdown time (node clock), reporting shutdown_error killed', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [
      worker(t.node, 'slow', events, { trap: true, hang: true, shutdown: 1000 }),
    ]);
    const slow = await childPid(sup, 'slow');
    const stopping = Supervisor.stop(sup);
    await settle();
    expect(events).toContainEqual(['terminate', 'slow', 'shutdown']);
    t.clock.advance(999);
    await settle();
    expect(t.node.isAlive(slow)).toBe(true);
    t.clock.advance(1);
    await stopping;
    expect(t.node.isAlive(slow)).toBe(false);
    expect(reports(t.records, 'shutdown_error')).toEqual([
      expect.objectContaining({ childId: 'slow', reason: 'killed', shutdown: 1000 }),
    ]);
  });

  it("'brutal_kill' kills at once: a trapping child's terminate does not run", async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [
      worker(t.node, 'a', events, { trap: true, shutdown: 'brutal_kill' }),
    ]);
    events.length = 0;
    await Supervisor.stop(sup);
    expect(events).toEqual([]);
    expect(reports(t.records)).toEqual([]);
  });

  it("'infinity' waits as long as the child takes (the default for type 'supervisor')", async () => {
    t = testNode();
    const events: Event[] = [];
    const inner: ChildSpec = {
      id: 'inner',
      type: 'supervisor',
      start: () =>
        Supervisor.startLink(t.node, [
          worker(t.node, 'w', events, { trap: true, hang: true, shutdown: 60_000 }),
        ]),
    };
    const sup = await Supervisor.start(t.node, [inner]);
    let stopped = false;
    const stopping = Supervisor.stop(sup).then(() => {
      stopped = true;
    });
    await settle();
    t.clock.advance(59_999);
    await settle();
    expect(stopped).toBe(false);
    t.clock.advance(1);
    await stopping;
    expect(t.node.processCount()).toBe(0);
  });
});

describe('restart strategies (OTP supervisor manual, "Restart Strategy")', () => {
  it('one_for_one restarts only the child that died', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(
      t.node,
      ['a', 'b', 'c'].map((id) => worker(t.node, id, events)),
    );
    const before = await pids(sup);
    t.node.exit(before.b as Pid, 'boom');
    await until(() => starts(events, 'b') === 2);
    const after = await pids(sup);
    expect(after.a).toBe(before.a);
    expect(after.c).toBe(before.c);
    expect(after.b).not.toBe(before.b);
    expect(t.node.isAlive(after.b as Pid)).toBe(true);
  });

  it('one_for_all stops the others in reverse order, then starts all in order', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(
      t.node,
      ['a', 'b', 'c'].map((id) => worker(t.node, id, events, { trap: true })),
      { strategy: 'one_for_all' },
    );
    const before = await pids(sup);
    events.length = 0;
    t.node.exit(before.b as Pid, 'kill');
    await until(() => starts(events) === 3);
    expect(events).toEqual([
      ['terminate', 'c', 'shutdown'],
      ['terminate', 'a', 'shutdown'],
      ['start', 'a'],
      ['start', 'b'],
      ['start', 'c'],
    ]);
    const after = await pids(sup);
    for (const id of ['a', 'b', 'c']) expect(after[id]).not.toBe(before[id]);
  });

  it('rest_for_one restarts the child and the ones started after it', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(
      t.node,
      ['a', 'b', 'c', 'd'].map((id) => worker(t.node, id, events, { trap: true })),
      { strategy: 'rest_for_one' },
    );
    const before = await pids(sup);
    events.length = 0;
    t.node.exit(before.b as Pid, 'kill');
    await until(() => starts(events) === 3);
    expect(events).toEqual([
      ['terminate', 'd', 'shutdown'],
      ['terminate', 'c', 'shutdown'],
      ['start', 'b'],
      ['start', 'c'],
      ['start', 'd'],
    ]);
    const after = await pids(sup);
    expect(after.a).toBe(before.a);
    for (const id of ['b', 'c', 'd']) expect(after[id]).not.toBe(before[id]);
  });

  it('a temporary sibling stopped by one_for_all is not started again', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(
      t.node,
      [worker(t.node, 'a', events), worker(t.node, 'tmp', events, { restart: 'temporary' })],
      { strategy: 'one_for_all' },
    );
    t.node.exit(await childPid(sup, 'a'), 'boom');
    await until(() => starts(events, 'a') === 2);
    expect((await Supervisor.whichChildren(sup)).map(([id]) => id)).toEqual(['a']);
    expect(starts(events, 'tmp')).toBe(1);
  });
});

describe('restart types on normal, shutdown and abnormal exits (OTP supervisor manual, "restart")', () => {
  // "permanent: the child process is always restarted. temporary: never restarted.
  //  transient: restarted only if it terminates abnormally, that is, with an exit reason
  //  other than normal, shutdown, or {shutdown,Term}." A temporary child's spec is deleted
  //  when it ends; child_terminated is reported for every exit that is not normal/shutdown,
  //  and for any exit of a permanent child (supervisor.erl do_restart/3).
  const table: [RestartType, ExitReason, 'restarted' | 'kept' | 'removed', boolean][] = [
    ['permanent', 'normal', 'restarted', true],
    ['permanent', 'shutdown', 'restarted', true],
    ['permanent', ['shutdown', 'x'], 'restarted', true],
    ['permanent', 'boom', 'restarted', true],
    ['transient', 'normal', 'kept', false],
    ['transient', 'shutdown', 'kept', false],
    ['transient', ['shutdown', 'x'], 'kept', false],
    ['transient', 'boom', 'restarted', true],
    ['temporary', 'normal', 'removed', false],
    ['temporary', 'shutdown', 'removed', false],
    ['temporary', ['shutdown', 'x'], 'removed', false],
    ['temporary', 'boom', 'removed', true],
  ];

  for (const [restart, reason, outcome, reported] of table) {
    it(`a ${restart} child exiting ${JSON.stringify(reason)} is ${outcome}${reported ? ', reported' : ''}`, async () => {
      t = testNode();
      const events: Event[] = [];
      const sup = await Supervisor.start(t.node, [worker(t.node, 'w', events, { restart })], {
        intensity: 5,
      });
      const pid = await childPid(sup, 'w');
      GenServer.cast(pid, ['exit', reason]);
      await exitOf(t.node, pid);
      await settle();
      const children = await Supervisor.whichChildren(sup);
      if (outcome === 'restarted') {
        expect(starts(events)).toBe(2);
        expect(children).toEqual([['w', expect.any(Object), 'worker']]);
        expect(children[0]?.[1]).not.toBe(pid);
      } else {
        expect(starts(events)).toBe(1);
        expect(children).toEqual(outcome === 'kept' ? [['w', undefined, 'worker']] : []);
      }
      expect(reports(t.records, 'child_terminated')).toHaveLength(reported ? 1 : 0);
      expect(t.node.isAlive(sup)).toBe(true);
    });
  }
});

describe('restart intensity (OTP supervisor manual, "Restart Intensity and Period")', () => {
  it('intensity restarts within the period pass; one more shuts the supervisor down with shutdown', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', events), worker(t.node, 'b', events)], {
      intensity: 3,
      period: 5,
      name: 'sup',
    });
    const supExit = exitOf(t.node, sup);
    for (let i = 1; i <= 3; i++) {
      t.node.exit(await childPid(sup, 'a'), 'boom');
      await until(() => starts(events, 'a') === i + 1);
    }
    expect(t.node.isAlive(sup)).toBe(true);
    const b = await childPid(sup, 'b');
    t.node.exit(await childPid(sup, 'a'), 'boom');
    await expect(supExit).resolves.toBe('shutdown');
    expect(t.node.isAlive(b)).toBe(false);
    expect(t.node.processCount()).toBe(0);
    expect(reports(t.records, 'shutdown')).toEqual([
      expect.objectContaining({ supervisor: 'sup', childId: 'a', reason: 'reached_max_restart_intensity' }),
    ]);
    expect(reports(t.records, 'child_terminated')).toHaveLength(4);
    expect(t.records.filter((r) => r.context === 'restarting')).toHaveLength(3);
  });

  it('counts restarts at or after now - period: exactly period later still counts, 1 ms more does not', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', events)], { intensity: 1, period: 5 });
    t.node.exit(await childPid(sup, 'a'), 'boom'); // restart at t=0
    await until(() => starts(events) === 2);
    t.clock.advance(5001);
    t.node.exit(await childPid(sup, 'a'), 'boom'); // t=5001: the first fell out of the window
    await until(() => starts(events) === 3);
    expect(t.node.isAlive(sup)).toBe(true);
    t.clock.advance(5000);
    const supExit = exitOf(t.node, sup);
    t.node.exit(await childPid(sup, 'a'), 'boom'); // t=10001: the one at 5001 is exactly 5 s old
    await expect(supExit).resolves.toBe('shutdown');
  });

  it('intensity 0 gives up on the first restart', async () => {
    t = testNode();
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', [])], { intensity: 0 });
    const supExit = exitOf(t.node, sup);
    t.node.exit(await childPid(sup, 'a'), 'boom');
    await expect(supExit).resolves.toBe('shutdown');
  });

  it("a restart whose start fails leaves the child 'restarting' and is tried again, each try counting", async () => {
    t = testNode();
    const events: Event[] = [];
    const failures = { left: 0 };
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', events, { failures })], {
      intensity: 5,
      name: 'sup',
    });
    failures.left = 2;
    t.node.exit(await childPid(sup, 'a'), 'boom');
    await until(() => starts(events) === 2);
    expect(reports(t.records, 'start_error')).toEqual([
      expect.objectContaining({ childId: 'a', childPid: 'restarting', reason: 'init_failed' }),
      expect.objectContaining({ childId: 'a', childPid: 'restarting', reason: 'init_failed' }),
    ]);
    expect(t.node.isAlive(await childPid(sup, 'a'))).toBe(true);
  });
});

describe('management calls (OTP which_children, count_children, start/terminate/restart/delete_child)', () => {
  it('whichChildren and countChildren describe specs and live children', async () => {
    t = testNode();
    const sup = await Supervisor.start(t.node, [
      worker(t.node, 'w', [], { restart: 'transient' }),
      { id: 'sub', type: 'supervisor', start: () => Supervisor.startLink(t.node, []) },
    ]);
    await expect(Supervisor.countChildren(sup)).resolves.toEqual({
      specs: 2,
      active: 2,
      supervisors: 1,
      workers: 1,
    });
    await Supervisor.terminateChild(sup, 'w');
    await expect(Supervisor.countChildren(sup)).resolves.toEqual({
      specs: 2,
      active: 1,
      supervisors: 1,
      workers: 1,
    });
    const which = await Supervisor.whichChildren(sup);
    expect(which[0]).toEqual(['w', undefined, 'worker']);
    expect(which[1]?.[0]).toBe('sub');
    expect(which[1]?.[2]).toBe('supervisor');
  });

  it("startChild: ['ok', pid], then ['already_started', pid], 'already_present', spec errors and start failures", async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, []);
    const [tag, pid] = await Supervisor.startChild(sup, worker(t.node, 'late', events));
    expect(tag).toBe('ok');
    expect(await childPid(sup, 'late')).toBe(pid);
    await expect(Supervisor.startChild(sup, worker(t.node, 'late', events))).resolves.toEqual([
      'error',
      ['already_started', pid],
    ]);
    await Supervisor.terminateChild(sup, 'late');
    await expect(Supervisor.startChild(sup, worker(t.node, 'late', events))).resolves.toEqual([
      'error',
      'already_present',
    ]);
    await expect(Supervisor.startChild(sup, { start: () => undefined } as never)).resolves.toEqual([
      'error',
      'missing_id',
    ]);
    await expect(
      Supervisor.startChild(sup, worker(t.node, 'broken', events, { failures: { left: 1 } })),
    ).resolves.toEqual(['error', 'init_failed']);
    expect((await Supervisor.whichChildren(sup)).map(([id]) => id)).toEqual(['late']);
  });

  it("a temporary child whose start returns 'ignore' is not kept; other children are kept without a pid", async () => {
    t = testNode();
    const sup = await Supervisor.start(t.node, []);
    await expect(
      Supervisor.startChild(sup, { id: 'tmp', start: () => 'ignore', restart: 'temporary' }),
    ).resolves.toEqual(['ok', undefined]);
    await expect(Supervisor.startChild(sup, { id: 'perm', start: () => 'ignore' })).resolves.toEqual([
      'ok',
      undefined,
    ]);
    await expect(Supervisor.whichChildren(sup)).resolves.toEqual([['perm', undefined, 'worker']]);
  });

  it('terminateChild keeps the spec of a permanent child and deletes a temporary one; unknown ids are not_found', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [
      worker(t.node, 'perm', events, { trap: true }),
      worker(t.node, 'tmp', events, { restart: 'temporary' }),
    ]);
    await expect(Supervisor.terminateChild(sup, 'perm')).resolves.toBe('ok');
    expect(events).toContainEqual(['terminate', 'perm', 'shutdown']);
    await expect(Supervisor.terminateChild(sup, 'tmp')).resolves.toBe('ok');
    await expect(Supervisor.whichChildren(sup)).resolves.toEqual([['perm', undefined, 'worker']]);
    await expect(Supervisor.terminateChild(sup, 'nope')).resolves.toEqual(['error', 'not_found']);
    // A terminated child is not restarted by the supervisor.
    await settle();
    expect(starts(events, 'perm')).toBe(1);
  });

  it("restartChild: ['error', 'running'] while it runs, ['ok', pid] once terminated, not_found for unknown ids", async () => {
    t = testNode();
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', [])]);
    await expect(Supervisor.restartChild(sup, 'a')).resolves.toEqual(['error', 'running']);
    await Supervisor.terminateChild(sup, 'a');
    const [tag, pid] = await Supervisor.restartChild(sup, 'a');
    expect(tag).toBe('ok');
    expect(t.node.isAlive(pid as Pid)).toBe(true);
    await expect(Supervisor.restartChild(sup, 'b')).resolves.toEqual(['error', 'not_found']);
  });

  it("deleteChild: ['error', 'running'] while it runs, 'ok' once terminated, not_found after", async () => {
    t = testNode();
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', [])]);
    await expect(Supervisor.deleteChild(sup, 'a')).resolves.toEqual(['error', 'running']);
    await Supervisor.terminateChild(sup, 'a');
    await expect(Supervisor.deleteChild(sup, 'a')).resolves.toBe('ok');
    await expect(Supervisor.deleteChild(sup, 'a')).resolves.toEqual(['error', 'not_found']);
    await expect(Supervisor.whichChildren(sup)).resolves.toEqual([]);
  });

  it('management calls work by [name, node]', async () => {
    t = testNode();
    await Supervisor.start(t.node, [worker(t.node, 'a', [])], { name: 'app_sup' });
    await expect(Supervisor.countChildren(['app_sup', t.node])).resolves.toMatchObject({
      specs: 1,
      active: 1,
    });
  });
});

describe('supervisor reports (pino records with stable labels)', () => {
  it('a crash gives child_terminated then a progress restarting record, with supervisor, child id, pids and reason', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', events)], { name: 'reporting' });
    const old = await childPid(sup, 'a');
    t.node.exit(old, 'boom');
    await until(() => starts(events) === 2);
    const records = t.records.filter((r) => r.label === 'supervisor_report' || r.context === 'restarting');
    expect(records).toEqual([
      expect.objectContaining({
        level: 'error',
        label: 'supervisor_report',
        context: 'child_terminated',
        supervisor: 'reporting',
        name: 'reporting',
        pid: sup.toString(),
        childId: 'a',
        childPid: old.toString(),
        reason: 'boom',
        restartType: 'permanent',
        shutdown: 5000,
        childType: 'worker',
      }),
      expect.objectContaining({
        level: 'info',
        label: 'progress',
        context: 'restarting',
        supervisor: 'reporting',
        childId: 'a',
        childPid: old.toString(),
        reason: 'boom',
      }),
    ]);
  });
});

describe('automatic shutdown (OTP 24 auto_shutdown, significant children)', () => {
  it('any_significant: a significant transient child ending normally stops the supervisor', async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(
      t.node,
      [
        worker(t.node, 'other', events),
        worker(t.node, 'job', events, { restart: 'transient', significant: true }),
      ],
      { autoShutdown: 'any_significant' },
    );
    const supExit = exitOf(t.node, sup);
    GenServer.cast(await childPid(sup, 'job'), ['exit', 'normal']);
    await expect(supExit).resolves.toBe('shutdown');
  });

  it('all_significant: the supervisor stops only when the last significant child has ended', async () => {
    t = testNode();
    const sup = await Supervisor.start(
      t.node,
      [
        worker(t.node, 'j1', [], { restart: 'temporary', significant: true }),
        worker(t.node, 'j2', [], { restart: 'temporary', significant: true }),
      ],
      { autoShutdown: 'all_significant' },
    );
    const supExit = exitOf(t.node, sup);
    const j2 = await childPid(sup, 'j2');
    GenServer.cast(await childPid(sup, 'j1'), ['exit', 'normal']);
    await settle();
    expect(t.node.isAlive(sup)).toBe(true);
    GenServer.cast(j2, ['exit', 'normal']);
    await expect(supExit).resolves.toBe('shutdown');
  });

  it('significant children need autoShutdown and a non-permanent restart', async () => {
    t = testNode();
    const e = (await Supervisor.start(t.node, [worker(t.node, 'j', [], { significant: true })]).catch(
      (x) => x,
    )) as StartError;
    expect(e.reason).toEqual([
      'start_spec',
      ['bad_combination', { autoShutdown: 'never', significant: true }],
    ]);
  });
});

describe('nested supervision trees: three levels, killed at each level', () => {
  /** root (one_for_one) ── mid (supervisor, one_for_one) ── leaf1, leaf2; root ── sibling. */
  async function tree(events: Event[], midIntensity = 3) {
    const node = t.node;
    const mid: ChildSpec = {
      id: 'mid',
      type: 'supervisor',
      start: () =>
        Supervisor.startLink(node, [worker(node, 'leaf1', events), worker(node, 'leaf2', events)], {
          intensity: midIntensity,
          name: 'mid',
        }),
    };
    const root = await Supervisor.start(node, [mid, worker(node, 'sibling', events)], {
      intensity: 3,
      name: 'root',
    });
    return root;
  }

  it('killing a leaf: only the leaf is restarted, by its own supervisor', async () => {
    t = testNode();
    const events: Event[] = [];
    const root = await tree(events);
    const mid = await childPid(root, 'mid');
    const before = await pids(mid);
    const sibling = await childPid(root, 'sibling');
    t.node.exit(before.leaf1 as Pid, 'kill');
    await until(() => starts(events, 'leaf1') === 2);
    expect(await childPid(root, 'mid')).toBe(mid);
    expect(await childPid(root, 'sibling')).toBe(sibling);
    expect(await childPid(mid, 'leaf2')).toBe(before.leaf2);
    expect(await childPid(mid, 'leaf1')).not.toBe(before.leaf1);
  });

  it('killing the middle supervisor takes its leaves with it; the root restarts it with fresh leaves', async () => {
    t = testNode();
    const events: Event[] = [];
    const root = await tree(events);
    const mid = await childPid(root, 'mid');
    const leaves = await pids(mid);
    const sibling = await childPid(root, 'sibling');
    t.node.exit(mid, 'kill');
    expect(t.node.isAlive(leaves.leaf1 as Pid)).toBe(false);
    expect(t.node.isAlive(leaves.leaf2 as Pid)).toBe(false);
    await until(() => starts(events, 'leaf2') === 2);
    const newMid = await childPid(root, 'mid');
    expect(newMid).not.toBe(mid);
    expect(t.node.whereis('mid')).toBe(newMid);
    expect(Object.values(await pids(newMid)).every((p) => t.node.isAlive(p as Pid))).toBe(true);
    expect(await childPid(root, 'sibling')).toBe(sibling);
    expect(reports(t.records, 'child_terminated')).toEqual([
      expect.objectContaining({
        supervisor: 'root',
        childId: 'mid',
        reason: 'killed',
        childType: 'supervisor',
      }),
    ]);
  });

  it('killing the root ends the whole tree (the trapping middle supervisor first stops its leaves)', async () => {
    t = testNode();
    const events: Event[] = [];
    const root = await tree(events);
    const mid = await childPid(root, 'mid');
    const sibling = await childPid(root, 'sibling');
    expect(t.node.processCount()).toBe(5);
    const midExit = exitOf(t.node, mid);
    t.node.exit(root, 'kill');
    expect(t.node.isAlive(sibling)).toBe(false);
    await expect(midExit).resolves.toBe('killed');
    await until(() => t.node.processCount() === 0);
    expect(starts(events)).toBe(3);
  });

  it('a middle supervisor past its intensity exits shutdown and escalates to the root, which restarts it', async () => {
    t = testNode();
    const events: Event[] = [];
    const root = await tree(events, 0);
    const mid = await childPid(root, 'mid');
    t.node.exit(await childPid(mid, 'leaf1'), 'boom');
    await until(() => starts(events, 'leaf1') === 2);
    expect(reports(t.records, 'shutdown')).toEqual([
      expect.objectContaining({ supervisor: 'mid', reason: 'reached_max_restart_intensity' }),
    ]);
    expect(reports(t.records, 'child_terminated')).toEqual([
      expect.objectContaining({ supervisor: 'mid', childId: 'leaf1', reason: 'boom' }),
      expect.objectContaining({ supervisor: 'root', childId: 'mid', reason: 'shutdown' }),
    ]);
    expect(await childPid(root, 'mid')).not.toBe(mid);
  });

  it('stopping the root stops the tree depth-first in reverse order', async () => {
    t = testNode();
    const events: Event[] = [];
    const node = t.node;
    const root = await Supervisor.start(node, [
      {
        id: 'mid',
        type: 'supervisor',
        start: () =>
          Supervisor.startLink(node, [
            worker(node, 'leaf1', events, { trap: true }),
            worker(node, 'leaf2', events, { trap: true }),
          ]),
      },
      worker(node, 'sibling', events, { trap: true }),
    ]);
    events.length = 0;
    await Supervisor.stop(root);
    expect(events).toEqual([
      ['terminate', 'sibling', 'shutdown'],
      ['terminate', 'leaf2', 'shutdown'],
      ['terminate', 'leaf1', 'shutdown'],
    ]);
    expect(node.processCount()).toBe(0);
  });
});

describe('a supervisor started from plain code (see docs/decisions.md)', () => {
  it("treats plain code as its parent: node.exit(sup, 'shutdown') stops it in order", async () => {
    t = testNode();
    const events: Event[] = [];
    const sup = await Supervisor.start(t.node, [worker(t.node, 'a', events, { trap: true })]);
    const supExit = exitOf(t.node, sup);
    t.node.exit(sup, 'shutdown');
    await expect(supExit).resolves.toBe('shutdown');
    expect(events).toContainEqual(['terminate', 'a', 'shutdown']);
  });
});
