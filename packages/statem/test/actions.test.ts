/**
 * Corral actions inside machines, each against its Erlang counterpart: `!` (send, badarg on
 * an unregistered name), gen_statem's `{reply, From, R}` and `gen_statem:reply/2`,
 * `gen_server:cast/2`, `link/1` and `trap_exit` (reference manual, "Processes": receiving
 * exit signals), `monitor/2` and `demonitor/2` with `[flush]`, and `{stop, Reason}`.
 */
import { type From, GenServer, type GenServerBehaviour, type Pid } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import {
  type CallEvent,
  type CorralEvent,
  cast,
  demonitor,
  link,
  monitor,
  reply,
  replyTo,
  Statem,
  send,
  sendFrame,
  spawnMachine,
  stop,
  trapExit,
} from '../src/index.js';
import { crashReports, inbox, settle, snapshotOf, type TestNode, testNode, until } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('send', () => {
  it('sends to a pid and to a registered name, with values or expressions of context and event', async () => {
    t = testNode();
    const a = inbox(t.node);
    const b = inbox(t.node, { name: 'audit' });
    const m = setup({
      types: {
        context: {} as { peer: Pid },
        input: {} as { peer: Pid },
        events: {} as { type: 'go'; n: number },
      },
    }).createMachine({
      context: ({ input }) => ({ peer: input.peer }),
      on: {
        go: {
          actions: [
            send(
              ({ context }) => context.peer,
              ({ event }) => ['n', event.n],
            ),
            send('audit', 'went'),
          ],
        },
      },
    });
    const pid = spawnMachine(t.node, m, { input: { peer: a.pid } });
    t.node.send(pid, { type: 'go', n: 7 });
    await settle();
    expect(a.messages).toEqual([['n', 7]]);
    expect(b.messages).toEqual(['went']);
  });

  it('sending to a name nobody holds crashes the machine process (Erlang raises badarg)', async () => {
    t = testNode();
    const m = setup({}).createMachine({ on: { go: { actions: send('nobody', 'hi') } } });
    const pid = spawnMachine(t.node, m);
    t.node.send(pid, 'go');
    await settle();
    expect(t.node.isAlive(pid)).toBe(false);
    expect(crashReports(t.records)[0]).toMatchObject({
      err: expect.objectContaining({ code: 'ERR_NAME_NOT_REGISTERED' }),
    });
  });
});

describe('reply and replyTo', () => {
  it('reply answers only the call that brought the event; the same transition taken by a cast replies nothing', async () => {
    t = testNode();
    const m = setup({ types: { context: {} as { n: number } } }).createMachine({
      context: { n: 0 },
      on: {
        bump: { actions: [assign({ n: ({ context }) => context.n + 1 }), reply(({ context }) => context.n)] },
      },
    });
    const pid = spawnMachine(t.node, m);
    Statem.cast(pid, 'bump');
    await expect(Statem.call(pid, 'bump')).resolves.toBe(2);
    expect(snapshotOf(t.node, pid).context.n).toBe(2);
  });

  it('replyTo answers a call later, from a from kept in context (gen_statem:reply/2)', async () => {
    t = testNode();
    const m = setup({
      types: {
        context: {} as { waiting: From<string> | undefined },
        events: {} as CallEvent<{ type: 'wait' }, string> | { type: 'ready' },
      },
    }).createMachine({
      context: { waiting: undefined },
      initial: 'idle',
      states: {
        idle: {
          on: { wait: { target: 'waiting', actions: assign({ waiting: ({ event }) => event.$from }) } },
        },
        waiting: {
          on: { ready: { target: 'idle', actions: replyTo(({ context }) => context.waiting, 'done') } },
        },
      },
    });
    const pid = spawnMachine(t.node, m);
    let answer: string | undefined;
    const call = Statem.call<string>(pid, 'wait').then((r) => {
      answer = r;
    });
    await settle();
    expect(answer).toBeUndefined();
    t.node.send(pid, 'ready');
    await call;
    expect(answer).toBe('done');
  });

  it('a call that is never answered times out on the node clock with CallError timeout', async () => {
    t = testNode();
    const m = setup({}).createMachine({ on: { ignore: { actions: assign({}) } } });
    const pid = spawnMachine(t.node, m);
    const call = Statem.call(pid, 'ignore', 1000).catch((e: unknown) => e);
    await settle();
    t.clock.advance(1000);
    expect(await call).toMatchObject({ reason: 'timeout' });
  });
});

describe('cast', () => {
  it("reaches a GenServer's handleCast, by pid or by name", async () => {
    t = testNode();
    const got: unknown[] = [];
    const Sink: GenServerBehaviour<{ state: null; cast: string }> = {
      init: () => ['ok', null],
      handleCast: (msg, s) => {
        got.push(msg);
        return ['noreply', s];
      },
    };
    await GenServer.start(t.node, Sink, undefined, { name: 'sink' });
    const m = setup({}).createMachine({
      entry: [cast('sink', 'hello'), cast(() => t.node.whereis('sink')!, 'again')],
    });
    spawnMachine(t.node, m);
    await settle();
    expect(got).toEqual(['hello', 'again']);
  });
});

describe('link, trapExit', () => {
  it("a linked process's crash kills a machine that does not trap exits", async () => {
    t = testNode();
    const peer = t.node.spawn({ init: () => null, handle: (_m, s) => s });
    const m = setup({}).createMachine({ entry: link(() => peer) });
    const pid = spawnMachine(t.node, m);
    await settle();
    expect(t.node.processInfo(pid)?.links).toEqual([peer]);
    t.node.exit(peer, 'kaput');
    await settle();
    expect(t.node.isAlive(pid)).toBe(false);
  });

  it("trapping, the exit arrives as a 'corral.exit' event the machine can act on", async () => {
    t = testNode();
    const peer = t.node.spawn({ init: () => null, handle: (_m, s) => s });
    const m = setup({ types: { events: {} as CorralEvent | { type: 'watch'; pid: Pid } } }).createMachine({
      initial: 'watching',
      entry: trapExit(true),
      states: {
        watching: {
          on: {
            watch: { actions: link(({ event }) => event.pid) },
            'corral.exit': { target: 'orphaned' },
          },
        },
        orphaned: {},
      },
    });
    const pid = spawnMachine(t.node, m);
    t.node.send(pid, { type: 'watch', pid: peer });
    await settle();
    t.node.exit(peer, 'kaput');
    await settle();
    expect(snapshotOf(t.node, pid).value).toBe('orphaned');
    expect(t.node.processInfo(pid)?.trapExit).toBe(true);
  });

  it("linking to a dead pid ends the machine with 'noproc' (link/1 on a dead process)", async () => {
    t = testNode();
    const dead = t.node.spawn(() => {});
    await settle();
    const m = setup({}).createMachine({ on: { go: { actions: link(() => dead) } } });
    const pid = spawnMachine(t.node, m);
    const out = Statem.output(pid).catch((e: unknown) => e);
    t.node.send(pid, 'go');
    expect(await out).toMatchObject({ reason: 'noproc' });
  });
});

describe('monitor and demonitor', () => {
  it("a monitored process's end arrives as 'corral.down' with its reason", async () => {
    t = testNode();
    const peer = inbox(t.node, { name: 'peer' });
    const m = setup({
      types: { context: {} as { reason: unknown }, events: {} as CorralEvent },
    }).createMachine({
      context: { reason: undefined },
      entry: monitor('peer'),
      on: { 'corral.down': { actions: assign({ reason: ({ event }) => event.reason }) } },
    });
    const pid = spawnMachine(t.node, m);
    await settle();
    t.node.exit(peer.pid, 'gone');
    await settle();
    expect(snapshotOf(t.node, pid).context.reason).toBe('gone');
  });

  it('demonitor removes the monitor and flushes its DOWN, so no event follows', async () => {
    t = testNode();
    const peer = inbox(t.node);
    const m = setup({
      types: {
        context: {} as { downs: number },
        input: {} as Pid,
        events: {} as CorralEvent | { type: 'forget' },
      },
    }).createMachine({
      context: { downs: 0 },
      entry: monitor(() => peer.pid),
      on: {
        forget: { actions: demonitor(() => peer.pid) },
        'corral.down': { actions: assign({ downs: ({ context }) => context.downs + 1 }) },
      },
    });
    const pid = spawnMachine(t.node, m);
    await settle();
    expect(t.node.processInfo(pid)?.monitors).toHaveLength(1);
    t.node.send(pid, 'forget');
    await settle();
    expect(t.node.processInfo(pid)?.monitors).toEqual([]);
    t.node.exit(peer.pid, 'gone');
    await settle();
    expect(snapshotOf(t.node, pid).context.downs).toBe(0);
  });
});

describe('stop', () => {
  it("stop() ends the process 'normal' after the step's other actions ran", async () => {
    t = testNode();
    const box = inbox(t.node);
    const m = setup({}).createMachine({ on: { quit: { actions: [stop(), send(box.pid, 'after stop')] } } });
    const pid = spawnMachine(t.node, m);
    const out = Statem.output(pid).catch((e: unknown) => e);
    t.node.send(pid, 'quit');
    expect(await out).toMatchObject({ reason: 'normal' });
    await settle();
    expect(box.messages).toEqual(['after stop']);
    expect(t.records.filter((r) => r.level === 'error')).toEqual([]);
  });

  it('stop(reason) with an abnormal reason is logged once as statem_terminate and kills linked processes', async () => {
    t = testNode();
    const m = setup({}).createMachine({
      initial: 'on',
      states: { on: { on: { quit: { actions: stop('jammed') } } } },
    });
    let pid: Pid | undefined;
    const parent = t.node.spawn(async (self) => {
      pid = await t.node.runAs(self, () => Statem.startLink(t.node, m));
      await self.receive();
    });
    await until(() => pid !== undefined);
    t.node.send(pid!, 'quit');
    await settle();
    expect(t.node.isAlive(parent)).toBe(false);
    expect(t.records.filter((r) => r.label === 'statem_terminate')).toMatchObject([
      { reason: 'jammed', state: 'on', behaviour: 'statem' },
    ]);
  });
});

describe('where Corral actions run', () => {
  it('outside a machine process (a plain xstate actor) they throw ERR_STATEM_CONTEXT', () => {
    t = testNode();
    const m = setup({}).createMachine({ on: { go: { actions: send('x', 'y') } } });
    const actor = createActor(m);
    const errors: unknown[] = [];
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    actor.send({ type: 'go' });
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_STATEM_CONTEXT' })]);
  });

  it('a WebSocket action in a plain machine process crashes it with ERR_STATEM_CONTEXT', async () => {
    t = testNode();
    const m = setup({}).createMachine({ on: { go: { actions: sendFrame(['text', 'hi']) } } });
    const pid = spawnMachine(t.node, m);
    t.node.send(pid, 'go');
    await settle();
    expect(crashReports(t.records)[0]).toMatchObject({
      err: expect.objectContaining({ code: 'ERR_STATEM_CONTEXT' }),
    });
  });
});
