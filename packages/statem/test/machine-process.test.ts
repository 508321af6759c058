/**
 * A machine as a process, checked against gen_statem (OTP stdlib `gen_statem`: start,
 * start_link, stop, terminate; "the gen_statem process terminates with reason Reason") and
 * the supervisor manual (restart intensity), with xstate's semantics for final states and
 * errors (a done actor completes with its output; a failing actor errors).
 */
import { CallError, GenServer, isDownMessage, type Pid, StartError, Supervisor } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { type CallEvent, memoryStore, OutputError, reply, Statem, send, spawnMachine } from '../src/index.js';
import { crashReports, inbox, settle, snapshotOf, type TestNode, testNode, until } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

type CounterEvent =
  | { type: 'inc' }
  | { type: 'finish' }
  | { type: 'boom' }
  | CallEvent<{ type: 'get' }, number>
  | { type: 'corral.terminate'; reason: unknown };

/** Counts; `finish` reaches a final state with output count × 10; `boom` throws in an action. */
const counter = setup({
  types: {
    context: {} as { count: number; notify?: Pid | undefined },
    events: {} as CounterEvent,
    input: {} as { start?: number; notify?: Pid } | undefined,
  },
}).createMachine({
  id: 'counter',
  context: ({ input }) => ({ count: input?.start ?? 0, notify: input?.notify }),
  initial: 'counting',
  states: {
    counting: {
      on: {
        inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
        get: { actions: reply(({ context }) => context.count) },
        finish: 'done',
        boom: {
          actions: () => {
            throw new Error('boom');
          },
        },
        'corral.terminate': {
          actions: send(
            ({ context }) => context.notify ?? 'nobody',
            ({ event }) => ['terminated', event.reason],
          ),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => context.count * 10,
});

describe('a machine process ends as its machine does', () => {
  it("reaching a final state ends the process 'normal', and Statem.output resolves with the machine's output", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, counter, { input: { start: 4 } });
    const out = Statem.output<number>(pid);
    t.node.send(pid, 'inc');
    t.node.send(pid, 'finish');
    await expect(out).resolves.toBe(50);
    expect(t.node.isAlive(pid)).toBe(false);
    await expect(Statem.output(pid)).resolves.toBe(50); // still known after the exit
    expect(crashReports(t.records)).toEqual([]);
  });

  it("a monitor sees a final state as exit reason 'normal' (gen_statem {stop, normal})", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, counter);
    const downs: unknown[] = [];
    t.node.spawn(async (self) => {
      self.monitor(pid);
      downs.push(await self.receive(isDownMessage));
    });
    await settle();
    t.node.send(pid, 'finish');
    await until(() => downs.length === 1);
    expect(downs[0]).toEqual(['DOWN', expect.anything(), 'process', pid, 'normal']);
  });

  it('a machine whose initial state is final ends at once: start still resolves with its pid and its output', async () => {
    t = testNode();
    const instant = setup({}).createMachine({
      initial: 'over',
      states: { over: { type: 'final' } },
      output: () => 'ready',
    });
    const pid = await Statem.start(t.node, instant);
    await settle();
    expect(t.node.isAlive(pid)).toBe(false);
    await expect(Statem.output(pid)).resolves.toBe('ready');
  });

  it("an action that throws crashes the process with ['crash', error], reported once as a crash_report", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, counter);
    const out = Statem.output(pid).catch((e: unknown) => e);
    t.node.send(pid, 'boom');
    const err = (await out) as OutputError;
    expect(err).toBeInstanceOf(OutputError);
    expect(err.reason).toEqual(['crash', new Error('boom')]);
    const reports = crashReports(t.records);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ initialCall: 'statem:counter', reason: 'crash: Error: boom' });
  });

  it("a guard that throws is the machine's error too: the caller of a pending call learns the crash reason", async () => {
    t = testNode();
    const guarded = setup({}).createMachine({
      on: {
        check: {
          guard: () => {
            throw new TypeError('bad guard');
          },
          actions: reply('ok'),
        },
      },
    });
    const pid = spawnMachine(t.node, guarded);
    const err = (await Statem.call(pid, 'check').catch((e: unknown) => e)) as CallError;
    expect(err).toBeInstanceOf(CallError);
    // xstate wraps a failing guard's error, naming the event and the state node.
    expect(err.reason).toEqual([
      'crash',
      expect.objectContaining({ message: expect.stringContaining('bad guard') }),
    ]);
    expect(t.node.isAlive(pid)).toBe(false);
  });
});

describe('starting', () => {
  it('Statem.start resolves after the initial transition and its entry actions ran in the new process', async () => {
    t = testNode();
    const box = inbox(t.node);
    const hello = setup({}).createMachine({ entry: send(box.pid, 'hello') });
    const pid = await Statem.start(t.node, hello);
    await settle();
    expect(box.messages).toEqual(['hello']);
    expect(t.node.isAlive(pid)).toBe(true);
  });

  it("Statem.start rejects with StartError ['crash', error] when the initial transition fails", async () => {
    t = testNode();
    const broken = setup({}).createMachine({
      context: () => {
        throw new RangeError('no context');
      },
    });
    const err = (await Statem.start(t.node, broken).catch((e: unknown) => e)) as StartError;
    expect(err).toBeInstanceOf(StartError);
    expect(err.reason).toEqual(['crash', expect.any(RangeError)]);
  });

  it("a name registers the process; a taken name rejects with ['already_started', pid]", async () => {
    t = testNode();
    const pid = await Statem.start(t.node, counter, { name: 'counter' });
    expect(t.node.whereis('counter')).toBe(pid);
    await expect(Statem.call(['counter', t.node], 'get')).resolves.toBe(0);
    const err = (await Statem.start(t.node, counter, { name: 'counter' }).catch(
      (e: unknown) => e,
    )) as StartError;
    expect(err.reason).toEqual(['already_started', pid]);
  });

  it('startLink links the machine to the calling process: its crash takes the caller down', async () => {
    t = testNode();
    let child: Pid | undefined;
    const parent = t.node.spawn(async (self) => {
      child = await t.node.runAs(self, () => Statem.startLink(t.node, counter));
      await self.receive();
    });
    await until(() => child !== undefined);
    expect(t.node.processInfo(child!)?.links).toEqual([parent]);
    t.node.send(child!, 'boom');
    await settle();
    expect(t.node.isAlive(parent)).toBe(false);
  });

  it('startLink from plain code throws ERR_NOT_IN_PROCESS (there is nobody to link to)', async () => {
    t = testNode();
    await expect(Statem.startLink(t.node, counter)).rejects.toMatchObject({ code: 'ERR_NOT_IN_PROCESS' });
  });
});

describe('introspection', () => {
  it("processInfo shows the snapshot as the process's state and statem:<id> as its initial call", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, counter, { input: { start: 2 } });
    t.node.send(pid, 'inc');
    await settle();
    const info = t.node.processInfo(pid)!;
    expect(info.initialCall).toBe('statem:counter');
    expect(info.kind).toBe('callback');
    expect(info.state).toMatchObject({ value: 'counting', context: { count: 3 }, status: 'active' });
    expect(info.messagesHandled).toBe(1);
  });

  it('formatState shapes what processInfo shows (e.g. to hide a secret in context)', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, counter, {
      formatState: (s) => ({ value: s.value, count: '<hidden>' }),
    });
    await settle();
    expect(t.node.processInfo(pid)?.state).toEqual({ value: 'counting', count: '<hidden>' });
  });

  it('GenServer.getState and Statem.getState answer with the snapshot (sys:get_state)', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, counter);
    t.node.send(pid, 'inc');
    const snap = await Statem.getState<typeof counter>(pid);
    expect(snap.context.count).toBe(1);
    expect(snap.matches('counting')).toBe(true);
    expect(await GenServer.getState(pid)).toBe(snap);
  });
});

describe('stopping', () => {
  it("Statem.stop delivers 'corral.terminate' with the reason, then the process exits with it (gen_statem:stop/3)", async () => {
    t = testNode();
    const box = inbox(t.node);
    const pid = spawnMachine(t.node, counter, { input: { notify: box.pid } });
    await Statem.stop(pid, 'shutdown');
    expect(t.node.isAlive(pid)).toBe(false);
    await settle();
    expect(box.messages).toEqual([['terminated', 'shutdown']]);
  });

  it('a machine trapping exits is stopped in order when its supervisor shuts down: it gets corral.terminate', async () => {
    t = testNode();
    const box = inbox(t.node);
    const sup = await Supervisor.start(t.node, [
      Statem.childSpec('counter', t.node, counter, { input: { notify: box.pid }, trapExit: true }),
    ]);
    await settle();
    await Supervisor.stop(sup);
    await settle();
    expect(box.messages).toEqual([['terminated', 'shutdown']]);
  });

  it('without trapExit a shutdown signal ends the machine at once, without corral.terminate (as gen_statem)', async () => {
    t = testNode();
    const box = inbox(t.node);
    const sup = await Supervisor.start(t.node, [
      Statem.childSpec('counter', t.node, counter, { input: { notify: box.pid } }),
    ]);
    await Supervisor.stop(sup);
    await settle();
    expect(box.messages).toEqual([]);
  });
});

describe('under a supervisor', () => {
  it('a crashing machine is restarted from its initial state (permanent child, one_for_one)', async () => {
    t = testNode();
    const sup = await Supervisor.start(
      t.node,
      [Statem.childSpec('counter', t.node, counter, { name: 'counter' })],
      {
        intensity: 3,
        period: 5,
      },
    );
    const first = t.node.whereis('counter')!;
    t.node.send(first, 'inc');
    t.node.send(first, 'inc');
    await expect(Statem.call(first, 'get')).resolves.toBe(2);
    t.node.send(first, 'boom');
    await until(() => t.node.whereis('counter') !== undefined && t.node.whereis('counter') !== first);
    const second = t.node.whereis('counter')!;
    await expect(Statem.call(second, 'get')).resolves.toBe(0);
    const children = await Supervisor.whichChildren(sup);
    expect(children).toEqual([['counter', second, 'worker']]);
    const reports = t.records.filter((r) => r.label === 'supervisor_report');
    expect(reports).toMatchObject([
      { context: 'child_terminated', childId: 'counter', reason: 'crash: Error: boom' },
    ]);
  });

  it('more crashes than the intensity within the period: the supervisor gives up and exits shutdown', async () => {
    t = testNode();
    const sup = await Supervisor.start(
      t.node,
      [Statem.childSpec('counter', t.node, counter, { name: 'counter' })],
      {
        intensity: 2,
        period: 5,
      },
    );
    const supDown: unknown[] = [];
    t.node.spawn(async (self) => {
      self.monitor(sup);
      supDown.push(await self.receive(isDownMessage));
    });
    for (let crash = 1; crash <= 3; crash++) {
      const pid = t.node.whereis('counter');
      expect(pid).toBeDefined();
      t.node.send(pid!, 'boom');
      await until(() => t.node.whereis('counter') !== pid);
      t.clock.advance(1000); // all three within the 5 s period
    }
    await until(() => supDown.length === 1);
    expect(supDown[0]).toEqual(['DOWN', expect.anything(), 'process', sup, 'shutdown']);
    expect(crashReports(t.records)).toHaveLength(3);
    const shutdowns = t.records.filter((r) => r.label === 'supervisor_report' && r.context === 'shutdown');
    expect(shutdowns).toHaveLength(1);
  });

  it('crashes spread wider than the period stay within the intensity', async () => {
    t = testNode();
    const sup = await Supervisor.start(
      t.node,
      [Statem.childSpec('counter', t.node, counter, { name: 'counter' })],
      {
        intensity: 1,
        period: 5,
      },
    );
    for (let crash = 1; crash <= 3; crash++) {
      const pid = t.node.whereis('counter')!;
      t.node.send(pid, 'boom');
      await until(() => t.node.whereis('counter') !== undefined && t.node.whereis('counter') !== pid);
      t.clock.advance(6000);
    }
    expect(t.node.isAlive(sup)).toBe(true);
    expect(crashReports(t.records)).toHaveLength(3);
  });
});

describe('persist: restart from the last snapshot (opt-in)', () => {
  it('a restarted machine resumes from the snapshot before the failing event, not from its initial state', async () => {
    t = testNode();
    const store = memoryStore();
    await Supervisor.start(t.node, [
      Statem.childSpec('counter', t.node, counter, { name: 'counter', persist: store }),
    ]);
    const first = t.node.whereis('counter')!;
    for (let i = 0; i < 3; i++) t.node.send(first, 'inc');
    await expect(Statem.call(first, 'get')).resolves.toBe(3);
    t.node.send(first, 'boom');
    await until(() => t.node.whereis('counter') !== undefined && t.node.whereis('counter') !== first);
    await expect(Statem.call(['counter', t.node], 'get')).resolves.toBe(3);
  });

  it("pending 'after' timers are re-armed with the time they had left", async () => {
    t = testNode();
    const store = memoryStore();
    const door = setup({
      actions: {
        explode: (): void => {
          throw new Error('boom');
        },
      },
    }).createMachine({
      id: 'door',
      initial: 'open',
      states: { open: { after: { 10000: 'locked' }, on: { boom: { actions: 'explode' } } }, locked: {} },
    });
    await Supervisor.start(t.node, [
      Statem.childSpec('door', t.node, door, { name: 'door', persist: store }),
    ]);
    const first = t.node.whereis('door')!;
    t.clock.advance(4000);
    t.node.send(first, 'boom');
    await until(() => t.node.whereis('door') !== undefined && t.node.whereis('door') !== first);
    const second = t.node.whereis('door')!;
    expect(snapshotOf(t.node, second).value).toBe('open');
    t.clock.advance(5999);
    await settle();
    expect(snapshotOf(t.node, second).value).toBe('open');
    t.clock.advance(1);
    await settle();
    expect(snapshotOf(t.node, second).value).toBe('locked');
  });

  it('a final state clears the store, so the next start is a fresh one', async () => {
    t = testNode();
    const store = memoryStore();
    const pid = spawnMachine(t.node, counter, { persist: store });
    t.node.send(pid, 'inc');
    await settle();
    expect(store.current?.snapshot).toMatchObject({ context: { count: 1 } });
    t.node.send(pid, 'finish');
    await settle();
    expect(store.current).toBeUndefined();
  });

  it('without persist a restarted machine starts from its initial state (the default)', async () => {
    t = testNode();
    await Supervisor.start(t.node, [Statem.childSpec('counter', t.node, counter, { name: 'counter' })]);
    const first = t.node.whereis('counter')!;
    t.node.send(first, 'inc');
    t.node.send(first, 'boom');
    await until(() => t.node.whereis('counter') !== undefined && t.node.whereis('counter') !== first);
    await expect(Statem.call(['counter', t.node], 'get')).resolves.toBe(0);
  });
});

describe('spawnMachine', () => {
  it('link: true links the machine to the calling process', async () => {
    t = testNode();
    let child: Pid | undefined;
    const parent = t.node.spawn({
      init: () => {
        child = spawnMachine(t.node, counter, { link: true });
        return null;
      },
      handle: (_m, s) => s,
    });
    await settle();
    expect(t.node.processInfo(parent)?.links).toEqual([child]);
  });

  it('a failing initial transition crashes the spawned process (no promise to reject)', async () => {
    t = testNode();
    const broken = setup({
      actions: {
        failing: (): void => {
          throw new Error('entry failed');
        },
      },
    }).createMachine({ entry: 'failing', initial: 'a', states: { a: {} } });
    const pid = spawnMachine(t.node, broken);
    await settle();
    expect(t.node.isAlive(pid)).toBe(false);
    expect(crashReports(t.records)[0]).toMatchObject({ reason: 'crash: Error: entry failed' });
  });

  it('thousands of machine processes each hold their own snapshot and answer independently', async () => {
    t = testNode();
    const pids = Array.from({ length: 5000 }, (_, i) =>
      spawnMachine(t.node, counter, { input: { start: i } }),
    );
    for (const pid of pids) t.node.send(pid, 'inc');
    await settle(10);
    expect(t.node.processCount()).toBe(5000);
    expect(snapshotOf(t.node, pids[0]!).context.count).toBe(1);
    expect(snapshotOf(t.node, pids[4999]!).context.count).toBe(5000);
  });
});
