/**
 * The statem-events workload on a bare xstate v5 actor: `actor.send` of `size` events to the
 * same counter machine the Corral suite runs, until it reaches its final state.
 */
import { createActor } from 'xstate';
import { defineSuite, type Timed } from '../suite.js';
import { counter, INC } from './machines.js';

function round(total: number): Timed {
  const actor = createActor(counter, { input: { total } }).start();
  return () =>
    new Promise<number>((resolve, reject) => {
      actor.subscribe({ complete: () => resolve(total), error: reject });
      for (let i = 0; i < total; i++) actor.send(INC);
    });
}

export default defineSuite({
  workload: 'statem-events',
  system: 'xstate',
  title: 'Events through one state machine',
  cases: {
    'actor-send': {
      label: 'bare actor.send',
      kind: 'rate',
      unit: 'events/s',
      size: 100_000,
      round,
    },
  },
});
