/**
 * The envelope: what arrives in a machine process's mailbox becomes an xstate event, as
 * gen_statem turns calls, casts and infos into `{call, From}`, `cast` and `info` events
 * (OTP stdlib, gen_statem, "event_type()").
 */
import { CallError, GenServer, GenServerCall, type Pid, Ref } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, type EventObject, setup } from 'xstate';
import { callEvent, castEvent, FROM, fromOf, infoEvent } from '../src/envelope.js';
import { link, monitor, reply, Statem, spawnMachine, trapExit } from '../src/index.js';
import { settle, snapshotOf, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

/** Records every event it gets (without `$from`, noting whether it had one) and answers calls with the event type. */
const recorder = setup({
  types: { context: {} as { seen: { type: string; call: boolean; [k: string]: unknown }[] } },
}).createMachine({
  id: 'recorder',
  context: { seen: [] },
  on: {
    '*': {
      actions: [
        assign({
          seen: ({ context, event }) => {
            const { [FROM]: from, ...rest } = event as EventObject & { [FROM]?: unknown };
            return [...context.seen, { ...rest, call: from !== undefined }];
          },
        }),
        reply(({ event }) => `got ${event.type}`),
      ],
    },
  },
});

const seen = (pid: Pid<any>) => snapshotOf(t.node, pid).context.seen;

describe('mailbox messages as machine events', () => {
  it('an event object sent to the pid reaches the machine as itself (an info event)', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, recorder);
    t.node.send(pid, { type: 'coin', value: 5 });
    await settle();
    expect(seen(pid)).toEqual([{ type: 'coin', value: 5, call: false }]);
  });

  it("a string message is the event of that type, as an atom is in Erlang: 'push' → { type: 'push' }", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, recorder);
    t.node.send(pid, 'push');
    await settle();
    expect(seen(pid)).toEqual([{ type: 'push', call: false }]);
  });

  it('GenServer.call delivers the event with $from, and the reply action answers it (gen_statem {call, From})', async () => {
    t = testNode();
    const pid = spawnMachine(t.node, recorder);
    await expect(GenServer.call(pid, { type: 'status', verbose: true })).resolves.toBe('got status');
    await expect(Statem.call(pid, 'ping')).resolves.toBe('got ping');
    expect(seen(pid)).toEqual([
      { type: 'status', verbose: true, call: true },
      { type: 'ping', call: true },
    ]);
  });

  it("a call whose request is not an event becomes { type: 'corral.call', message } with $from", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, recorder);
    await expect(Statem.call(pid, ['raw', 1] as never)).resolves.toBe('got corral.call');
    expect(seen(pid)).toEqual([{ type: 'corral.call', message: ['raw', 1], call: true }]);
  });

  it("a call no transition of the current state takes fails at once with ['unhandled', type] instead of timing out", async () => {
    t = testNode();
    const quiet = setup({}).createMachine({
      initial: 'idle',
      states: { idle: { on: { go: 'busy' } }, busy: {} },
    });
    const pid = spawnMachine(t.node, quiet);
    const err = await Statem.call(pid, 'status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).reason).toEqual(['unhandled', 'status']);
    expect(t.node.isAlive(pid)).toBe(true);
  });

  it("GenServer.cast delivers the event as it is (gen_statem cast); a non-event cast becomes 'corral.cast'", async () => {
    t = testNode();
    const pid = spawnMachine(t.node, recorder);
    GenServer.cast(pid, { type: 'reset' });
    Statem.cast(pid, 'tick');
    GenServer.cast(pid, 42 as never);
    await settle();
    expect(seen(pid)).toEqual([
      { type: 'reset', call: false },
      { type: 'tick', call: false },
      { type: 'corral.cast', message: 42, call: false },
    ]);
  });

  it("EXIT and DOWN messages become 'corral.exit' and 'corral.down'; any other message 'corral.info'", async () => {
    t = testNode();
    const watcher = setup({ types: { events: {} as { type: 'watch'; peer: Pid } } }).createMachine({
      context: { seen: [] as unknown[] },
      entry: trapExit(true),
      on: {
        watch: { actions: [link(({ event }) => event.peer), monitor(({ event }) => event.peer)] },
        '*': { actions: assign({ seen: ({ context, event }) => [...context.seen, event] }) },
      },
    });
    const pid = spawnMachine(t.node, watcher);
    const peer = t.node.spawn({ init: () => null, handle: (_m, s) => s });
    t.node.send(pid, { type: 'watch', peer });
    await settle();
    t.node.exit(peer, 'bye');
    t.node.send(pid, ['not', 'an', 'event'] as never);
    await settle();
    expect(snapshotOf(t.node, pid).context.seen).toEqual([
      { type: 'corral.down', ref: expect.any(Ref), pid: peer, reason: 'bye' },
      { type: 'corral.exit', from: peer, reason: 'bye' },
      { type: 'corral.info', message: ['not', 'an', 'event'] },
    ]);
  });
});

describe('envelope functions', () => {
  it('infoEvent, castEvent and callEvent never modify the message they are given', () => {
    const msg = Object.freeze({ type: 'x', n: 1 });
    const from = new GenServerCall(0, msg, undefined);
    expect(infoEvent(msg)).toBe(msg);
    expect(castEvent(msg)).toBe(msg);
    const ev = callEvent(msg, from);
    expect(ev).not.toBe(msg);
    expect(ev).toEqual({ type: 'x', n: 1, [FROM]: from });
    expect(fromOf(ev)).toBe(from);
  });

  it('a $from that is not a real call (e.g. sent by a client) counts as no call', () => {
    expect(fromOf({ type: 'x', [FROM]: { forged: true } } as EventObject)).toBeUndefined();
    expect(fromOf({ type: 'x' })).toBeUndefined();
  });

  it('arrays, null and objects without a string type are infos, not events', () => {
    expect(infoEvent(null)).toEqual({ type: 'corral.info', message: null });
    expect(infoEvent({ kind: 'x' })).toEqual({ type: 'corral.info', message: { kind: 'x' } });
    expect(infoEvent([{ type: 'x' }])).toEqual({ type: 'corral.info', message: [{ type: 'x' }] });
  });
});
