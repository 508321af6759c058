/**
 * The machines the statem benchmarks run, shared so that Corral and xstate run the very same
 * logic: a counter that takes `total` events and then reaches its final state (the work per
 * event is one guard and one assign, as in the xstate flood consumer), and an idle machine.
 */
import { assign, setup } from 'xstate';

export const counter = setup({
  types: {
    context: {} as { left: number },
    input: {} as { total: number },
    events: {} as { type: 'inc' },
  },
}).createMachine({
  id: 'counter',
  context: ({ input }) => ({ left: input.total }),
  initial: 'counting',
  states: {
    counting: {
      on: {
        inc: [
          { guard: ({ context }) => context.left === 1, target: 'done' },
          { actions: assign({ left: ({ context }) => context.left - 1 }) },
        ],
      },
    },
    done: { type: 'final' },
  },
});

/** One event object, sent over and over: the sender allocates nothing per event. */
export const INC = { type: 'inc' } as const;

/** Waits in its one state; `started` runs once per machine as its entry action. */
export function idleMachine(started: () => void) {
  return setup({ types: { events: {} as { type: 'msg' } } }).createMachine({
    id: 'idle',
    entry: started,
    initial: 'idle',
    states: { idle: { on: { msg: {} } } },
  });
}
