/**
 * Ping-pong between two xstate v5 machine actors: the pinger sends `{ type: 'ping', from }`
 * with `sendTo`, the ponger answers `{ type: 'pong' }` to `from`; the pinger counts down in its
 * context and reaches a final state after `size` round trips.
 */
import { type AnyActorRef, assign, createActor, sendTo, setup } from 'xstate';
import { XSTATE_REPORTED } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

type PingEvent = { type: 'ping'; from: AnyActorRef };

const ponger = setup({ types: { events: {} as PingEvent } }).createMachine({
  on: { ping: { actions: sendTo(({ event }) => event.from, { type: 'pong' }) } },
});

const pinger = setup({
  types: {
    context: {} as { left: number; ponger: AnyActorRef },
    input: {} as { roundTrips: number; ponger: AnyActorRef },
    events: {} as { type: 'go' } | { type: 'pong' },
  },
  actions: {
    ping: sendTo(
      ({ context }) => context.ponger,
      ({ self }) => ({ type: 'ping', from: self }),
    ),
  },
}).createMachine({
  context: ({ input }) => ({ left: input.roundTrips, ponger: input.ponger }),
  initial: 'playing',
  states: {
    playing: {
      on: {
        go: { actions: 'ping' },
        pong: [
          { guard: ({ context }) => context.left === 1, target: 'done' },
          { actions: [assign({ left: ({ context }) => context.left - 1 }), 'ping'] },
        ],
      },
    },
    done: { type: 'final' },
  },
});

function round(roundTrips: number): Timed {
  const pong = createActor(ponger).start();
  const ping = createActor(pinger, { input: { roundTrips, ponger: pong } }).start();
  return () =>
    new Promise<number>((resolve, reject) => {
      ping.subscribe({ complete: () => resolve(2 * roundTrips), error: reject });
      ping.send({ type: 'go' });
    });
}

export default defineSuite({
  workload: 'ping-pong',
  system: 'xstate',
  title: 'Ping-pong between two actors',
  cases: {
    machine: {
      label: 'machine actors, sendTo',
      kind: 'rate',
      unit: 'msgs/s',
      size: 100_000,
      opsPerSize: 2,
      reference: { reported: XSTATE_REPORTED.pingPong },
      round,
    },
  },
});
