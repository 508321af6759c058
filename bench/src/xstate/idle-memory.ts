/**
 * Bytes per idle xstate v5 actor: 100k started machine actors, each waiting in its one
 * state for an event, kept in an array (8 bytes of the figure per actor is that array).
 */
import { type AnyActor, createActor, createMachine } from 'xstate';
import { XSTATE_REPORTED } from '../references.js';
import { defineSuite } from '../suite.js';

const idle = createMachine({ initial: 'idle', states: { idle: { on: { msg: {} } } } });

export default defineSuite({
  workload: 'idle-memory',
  system: 'xstate',
  title: 'Heap per idle actor',
  cases: {
    machine: {
      label: 'idle machine actor',
      kind: 'heap',
      unit: 'bytes/proc',
      count: 100_000,
      reference: { reported: XSTATE_REPORTED.bytesPerActor },
      prepare: (): { actors: AnyActor[] } => ({ actors: [] }),
      fill(h: { actors: AnyActor[] }, count: number) {
        for (let i = 0; i < count; i++) h.actors.push(createActor(idle).start());
      },
      alive: (h: { actors: AnyActor[] }) =>
        h.actors.filter((a) => a.getSnapshot().status === 'active').length,
      clear(h: { actors: AnyActor[] }) {
        for (const a of h.actors) a.stop();
        h.actors = [];
      },
    },
  },
});
