/**
 * Type tests for @corral/statem (checked by `tsc -p packages/statem/tsconfig.json`): a machine
 * pid is typed by the machine's events, calls know their `$from`, and Corral actions infer the
 * machine's context and event types where xstate's own creators do.
 */
import { createNode, type From, GenServer, type Pid } from '@corral/actor';
import { describe, expectTypeOf, it } from 'vitest';
import { assign, type SnapshotFrom, setup } from 'xstate';
import { type CallEvent, type MachinePid, reply, replyTo, Statem, send, spawnMachine } from '../src/index.js';

const node = createNode({ name: 'types' });

type Ev = { type: 'inc'; by: number } | CallEvent<{ type: 'get' }, number> | { type: 'ready' };

const counter = setup({
  types: { context: {} as { n: number; waiting: From<number> | undefined }, events: {} as Ev },
}).createMachine({
  context: { n: 0, waiting: undefined },
  on: {
    inc: {
      actions: [
        assign({ n: ({ context, event }) => context.n + event.by }),
        send('log', ({ context, event }) => {
          expectTypeOf(context.n).toEqualTypeOf<number>();
          expectTypeOf(event).toEqualTypeOf<{ type: 'inc'; by: number }>();
          return context.n;
        }),
      ],
    },
    get: {
      actions: [
        reply(({ context }) => context.n),
        assign({
          waiting: ({ event }) => {
            expectTypeOf(event.$from).toEqualTypeOf<From<number>>();
            return event.$from;
          },
        }),
      ],
    },
    ready: { actions: replyTo(({ context }) => context.waiting, 1) },
  },
});

describe('statem types', () => {
  it("types a machine pid by the machine's events; a caller never writes $from", () => {
    const pid = spawnMachine(node, counter);
    expectTypeOf(pid).toEqualTypeOf<MachinePid<typeof counter>>();
    node.send(pid, { type: 'inc', by: 2 });
    node.send(pid, 'ready');
    node.send(pid, { type: 'get' });
    // @ts-expect-error: not one of the machine's events
    node.send(pid, { type: 'dec' });
    // @ts-expect-error: a field of the wrong type
    node.send(pid, { type: 'inc', by: 'two' });
    void GenServer.call(pid, { type: 'get' });
  });

  it('Statem.getState gives the snapshot type of the logic; Statem.call the reply type asked for', () => {
    const pid: Pid<any> = spawnMachine(node, counter);
    expectTypeOf(Statem.getState<typeof counter>(pid)).resolves.toEqualTypeOf<SnapshotFrom<typeof counter>>();
    expectTypeOf(Statem.call<number>(pid, 'get')).resolves.toEqualTypeOf<number>();
  });
});
