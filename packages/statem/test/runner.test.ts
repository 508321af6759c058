/**
 * The two engines that run a machine in a process: xstate's pure transition (the default,
 * one snapshot per process) and `createActor` with the node's clock (for machines that
 * invoke or spawn xstate children, and for logic with a `start`, such as `fromPromise`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  assign,
  createMachine,
  type EventObject,
  emit,
  fromCallback,
  fromPromise,
  fromTransition,
  log,
  setup,
  spawnChild,
} from 'xstate';
import { defaultEngine, type Engine, reply, Statem, spawnMachine } from '../src/index.js';
import { crashReports, settle, snapshotOf, type TestNode, testNode, until } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('engine choice', () => {
  it('runs machines without invoke on the transition engine, and machines that invoke or logic with start() on the actor engine', () => {
    const plain = createMachine({ initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });
    const invoking = createMachine({
      initial: 'a',
      states: { a: { states: { inner: { invoke: { src: fromPromise(async () => 1) } } }, initial: 'inner' } },
    });
    expect(defaultEngine(plain)).toBe('transition');
    expect(defaultEngine(invoking)).toBe('actor');
    expect(defaultEngine(fromPromise(async () => 1))).toBe('actor');
    expect(defaultEngine(fromTransition((s: number) => s, 0))).toBe('transition');
  });

  it("rejects engine 'transition' for logic that needs start(), and an unknown engine, with ERR_BADARG", async () => {
    t = testNode();
    const err = await Statem.start(
      t.node,
      fromPromise(async () => 1),
      { engine: 'transition' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: ['crash', expect.objectContaining({ code: 'ERR_BADARG' })] });
    const err2 = await Statem.start(t.node, createMachine({}), { engine: 'fast' as Engine }).catch(
      (e: unknown) => e,
    );
    expect(err2).toMatchObject({ reason: ['crash', expect.objectContaining({ code: 'ERR_BADARG' })] });
  });
});

describe('transition engine', () => {
  it('a machine that spawns an xstate child crashes with ERR_STATEM_CHILDREN, naming the actor engine', async () => {
    t = testNode();
    const spawner = setup({ actors: { worker: fromCallback(() => () => {}) } }).createMachine({
      id: 'spawner',
      on: { go: { actions: spawnChild('worker') } },
    });
    const pid = spawnMachine(t.node, spawner, { engine: 'transition' });
    t.node.send(pid, 'go');
    await settle();
    expect(t.node.isAlive(pid)).toBe(false);
    expect(crashReports(t.records)[0]).toMatchObject({
      err: expect.objectContaining({
        code: 'ERR_STATEM_CHILDREN',
        message: expect.stringContaining("engine: 'actor'"),
      }),
    });
  });

  it("self.send in an action puts the event in the process's mailbox, after the current step (xstate's self.send)", async () => {
    t = testNode();
    const m = setup({ types: { context: {} as { log: string[] } } }).createMachine({
      context: { log: [] },
      on: {
        first: {
          actions: [
            ({ self }) => self.send({ type: 'second' }),
            assign({ log: ({ context }) => [...context.log, 'first'] }),
          ],
        },
        second: { actions: assign({ log: ({ context }) => [...context.log, 'second'] }) },
      },
    });
    const pid = spawnMachine(t.node, m);
    t.node.send(pid, 'first');
    await settle();
    expect(snapshotOf(t.node, pid).context.log).toEqual(['first', 'second']);
    expect(t.node.processInfo(pid)?.messagesHandled).toBe(2);
  });

  it('fromTransition logic runs as a process too: each message reduces its state', async () => {
    t = testNode();
    const total = fromTransition((sum: number, e: EventObject & { n?: number }) => sum + (e.n ?? 0), 0);
    const pid = spawnMachine(t.node, total);
    t.node.send(pid, { type: 'add', n: 2 });
    t.node.send(pid, { type: 'add', n: 3 });
    await settle();
    expect(snapshotOf(t.node, pid).context).toBe(5);
  });
});

describe('actor engine', () => {
  it("an invoked promise's result drives the machine in its process, and a reply sent then reaches the caller", async () => {
    t = testNode();
    let release: (v: number) => void = () => {};
    const fetcher = setup({
      actors: { load: fromPromise(() => new Promise<number>((r) => (release = r))) },
      types: { context: {} as { value: number } },
    }).createMachine({
      context: { value: 0 },
      initial: 'idle',
      states: {
        idle: { on: { load: 'loading' } },
        loading: {
          invoke: {
            src: 'load',
            onDone: { target: 'idle', actions: [assign({ value: ({ event }) => event.output })] },
          },
          on: { wait: { actions: reply('loading') } },
        },
      },
      on: { get: { actions: reply(({ context }) => context.value) } },
    });
    const pid = spawnMachine(t.node, fetcher);
    t.node.send(pid, 'load');
    await expect(Statem.call(pid, 'wait')).resolves.toBe('loading');
    release(42);
    await until(() => snapshotOf(t.node, pid).value === 'idle');
    await expect(Statem.call(pid, 'get')).resolves.toBe(42);
  });

  it("an invoked child's unhandled error crashes the process with the error (xstate: the actor errors)", async () => {
    t = testNode();
    const m = setup({
      actors: { fail: fromPromise(() => Promise.reject(new Error('no luck'))) },
    }).createMachine({ invoke: { src: 'fail' } });
    const pid = spawnMachine(t.node, m);
    const out = Statem.output(pid).catch((e: unknown) => e);
    expect(await out).toMatchObject({ reason: ['crash', new Error('no luck')] });
    expect(crashReports(t.records)).toHaveLength(1);
  });

  it("fromPromise as the process's logic: its value is the output and the process exits 'normal'", async () => {
    t = testNode();
    const pid = spawnMachine(
      t.node,
      fromPromise(async ({ input }: { input: number }) => input * 2),
      { input: 21 },
    );
    await expect(Statem.output(pid)).resolves.toBe(42);
    expect(t.node.isAlive(pid)).toBe(false);
  });

  it("stopping the process stops the machine's invoked children (their cleanup runs)", async () => {
    t = testNode();
    const cleaned: string[] = [];
    const m = setup({
      actors: { ticker: fromCallback(() => () => cleaned.push('ticker stopped')) },
    }).createMachine({ invoke: { src: 'ticker' } });
    const pid = spawnMachine(t.node, m);
    await settle();
    expect(cleaned).toEqual([]);
    await Statem.stop(pid);
    expect(cleaned).toEqual(['ticker stopped']);
  });
});

describe.each(['transition', 'actor'] as Engine[])('xstate outputs with the %s engine', (engine) => {
  it('emit(...) events go to onEmit; log(...) becomes a statem_log record', async () => {
    t = testNode();
    const emitted: EventObject[] = [];
    const m = setup({}).createMachine({
      on: { go: { actions: [emit({ type: 'went' }), log('going')] } },
    });
    const pid = spawnMachine(t.node, m, { engine, onEmit: (e) => emitted.push(e) });
    t.node.send(pid, 'go');
    await settle();
    expect(emitted).toEqual([{ type: 'went' }]);
    expect(t.records.filter((r) => r.label === 'statem_log')).toMatchObject([
      { level: 'info', values: ['going'] },
    ]);
  });
});
