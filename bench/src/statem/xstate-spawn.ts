/**
 * The statem-spawn workload on xstate v5: a parent machine spawning children with
 * `spawnChild` (each spawn copies the parent snapshot's `children`, so the cost of a spawn
 * grows with the number of live siblings: compare the 1k and 4k rates), and root actors with
 * `createActor(...).start()` (O(1), each with its own actor system).
 */
import { type AnyActor, createActor, enqueueActions, setup } from 'xstate';
import { defineSuite, type Timed } from '../suite.js';
import { idleMachine } from './machines.js';

const BATCH = 100;

function spawnChildRound(total: number): Timed {
  let started = 0;
  let done: (n: number) => void = () => {};
  const child = idleMachine(() => {
    if (++started === total) done(total);
  });
  let next = 0;
  const parent = setup({
    actors: { child },
    types: { events: {} as { type: 'spawn'; n: number } },
  }).createMachine({
    on: {
      spawn: {
        actions: enqueueActions(({ enqueue, event }) => {
          for (let i = 0; i < event.n; i++) enqueue.spawnChild('child', { id: `c${next++}` });
        }),
      },
    },
  });
  const actor = createActor(parent).start();
  return () =>
    new Promise<number>((resolve) => {
      done = resolve;
      for (let sent = 0; sent < total; sent += BATCH)
        actor.send({ type: 'spawn', n: Math.min(BATCH, total - sent) });
    });
}

let roots: AnyActor[] = [];

function createActorRound(total: number): Timed {
  for (const a of roots) a.stop();
  roots = [];
  let started = 0;
  let done: (n: number) => void = () => {};
  const machine = idleMachine(() => {
    if (++started === total) done(total);
  });
  return () =>
    new Promise<number>((resolve) => {
      done = resolve;
      for (let i = 0; i < total; i++) roots.push(createActor(machine).start());
    });
}

export default defineSuite({
  workload: 'statem-spawn',
  system: 'xstate',
  title: 'Spawning machine processes',
  cases: {
    'spawn-child-thousand': {
      label: 'spawnChild, 1k children',
      kind: 'rate',
      unit: 'procs/s',
      size: 1_000,
      params: { live: '1k', batch: BATCH },
      round: spawnChildRound,
    },
    'spawn-child-four-thousand': {
      label: 'spawnChild, 4k children',
      kind: 'rate',
      unit: 'procs/s',
      size: 4_000,
      params: { live: '4k', batch: BATCH },
      round: spawnChildRound,
    },
    'create-actor-ten-thousand': {
      label: 'createActor().start(), 10k root actors',
      kind: 'rate',
      unit: 'procs/s',
      size: 10_000,
      params: { live: '10k' },
      round: createActorRound,
    },
  },
});
