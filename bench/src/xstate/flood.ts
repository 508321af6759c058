/**
 * One producer flooding one consumer, as xstate v5 machine actors: the producer sends `batch`
 * events per step with `sendTo`, then sends itself `more`; the consumer counts in its context
 * and reaches a final state after `size` events.
 */
import { type AnyActorRef, assign, createActor, enqueueActions, setup } from 'xstate';
import { XSTATE_REPORTED } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

const BATCH = 1_000;

const consumer = setup({
  types: {
    context: {} as { left: number },
    input: {} as { messages: number },
    events: {} as { type: 'msg'; n: number },
  },
}).createMachine({
  context: ({ input }) => ({ left: input.messages }),
  initial: 'counting',
  states: {
    counting: {
      on: {
        msg: [
          { guard: ({ context }) => context.left === 1, target: 'done' },
          { actions: assign({ left: ({ context }) => context.left - 1 }) },
        ],
      },
    },
    done: { type: 'final' },
  },
});

const producer = setup({
  types: {
    context: {} as { sent: number; total: number; consumer: AnyActorRef },
    input: {} as { messages: number; consumer: AnyActorRef },
    events: {} as { type: 'more' },
  },
}).createMachine({
  context: ({ input }) => ({ sent: 0, total: input.messages, consumer: input.consumer }),
  on: {
    more: {
      actions: [
        enqueueActions(({ enqueue, context, self }) => {
          const end = Math.min(context.total, context.sent + BATCH);
          for (let n = context.sent; n < end; n++) enqueue.sendTo(context.consumer, { type: 'msg', n });
          if (end < context.total) enqueue.sendTo(self, { type: 'more' });
        }),
        assign({ sent: ({ context }) => Math.min(context.total, context.sent + BATCH) }),
      ],
    },
  },
});

function round(messages: number): Timed {
  const sink = createActor(consumer, { input: { messages } }).start();
  const source = createActor(producer, { input: { messages, consumer: sink } }).start();
  return () =>
    new Promise<number>((resolve, reject) => {
      sink.subscribe({ complete: () => resolve(messages), error: reject });
      source.send({ type: 'more' });
    });
}

export default defineSuite({
  workload: 'flood',
  system: 'xstate',
  title: 'One producer flooding one consumer',
  cases: {
    machine: {
      label: 'machine actors, sendTo',
      kind: 'rate',
      unit: 'msgs/s',
      size: 200_000,
      params: { producerBatch: BATCH },
      reference: { reported: XSTATE_REPORTED.flood },
      round,
    },
  },
});
