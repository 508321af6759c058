/**
 * Spawn + exit with xstate v5: a spawner machine actor creates `batch` actors per step with
 * `createActor(child).start()`; each child's initial state is final, so it is done (stopped)
 * as soon as it starts. Then the spawner sends itself `go` again.
 *
 * Root actors, not `spawnChild`: Erlang's `spawn` leaves no bookkeeping in the spawner,
 * whereas a spawned child lives in the parent's snapshot, whose `children` object is copied
 * on every spawn and stop (so its cost grows with the number of live children).
 */
import { type AnyActorRef, createActor, createMachine, enqueueActions, setup } from 'xstate';
import { XSTATE_REPORTED } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

const BATCH = 1_000;

const child = createMachine({ initial: 'done', states: { done: { type: 'final' } } });

const spawner = setup({
  types: {
    context: {} as { spawned: number; total: number; last: AnyActorRef | undefined },
    input: {} as { total: number },
    events: {} as { type: 'go' },
  },
}).createMachine({
  context: ({ input }) => ({ spawned: 0, total: input.total, last: undefined }),
  initial: 'spawning',
  states: {
    spawning: {
      on: {
        go: [
          { guard: ({ context }) => context.spawned >= context.total, target: 'done' },
          {
            actions: enqueueActions(({ enqueue, context, self }) => {
              const end = Math.min(context.total, context.spawned + BATCH);
              let last: AnyActorRef | undefined;
              for (let i = context.spawned; i < end; i++) last = createActor(child).start();
              enqueue.assign({ spawned: end, last });
              enqueue.sendTo(self, { type: 'go' });
            }),
          },
        ],
      },
    },
    done: { type: 'final' },
  },
});

function round(total: number): Timed {
  const actor = createActor(spawner, { input: { total } }).start();
  return () =>
    new Promise<number>((resolve, reject) => {
      actor.subscribe({
        complete: () => {
          const status = actor.getSnapshot().context.last?.getSnapshot().status;
          if (status !== 'done') reject(new Error(`last child is ${String(status)}, not done`));
          else resolve(total);
        },
        error: reject,
      });
      actor.send({ type: 'go' });
    });
}

export default defineSuite({
  workload: 'spawn-exit',
  system: 'xstate',
  title: 'Spawn + exit',
  cases: {
    machine: {
      label: 'spawner actor, children final at once',
      kind: 'rate',
      unit: 'procs/s',
      size: 100_000,
      params: { spawnerBatch: BATCH },
      reference: { reported: XSTATE_REPORTED.spawnExit },
      round,
    },
  },
});
