/**
 * Heap per idle machine process (transition engine: one snapshot, the runner and the
 * process), measured after a full GC. Beside it: xstate's idle-memory suite (an idle
 * `createActor` machine actor, about 3.5 KB).
 */
import { createNode, type Node, silentLogger } from '@corral/actor';
import { spawnMachine } from '@corral/statem';
import { defineSuite } from '../suite.js';
import { idleMachine } from './machines.js';

let started = 0;
const machine = idleMachine(() => {
  started++;
});

interface Holder {
  node: Node;
}

export default defineSuite({
  workload: 'statem-idle-memory',
  system: 'corral',
  title: 'Heap per idle machine',
  cases: {
    machine: {
      label: 'idle machine process',
      kind: 'heap',
      unit: 'bytes/proc',
      count: 50_000,
      prepare: (): Holder => ({ node: createNode({ name: 'bench', logger: silentLogger }) }),
      async fill(h: Holder, count: number) {
        const target = started + count;
        for (let i = 0; i < count; i++) spawnMachine(h.node, machine);
        // Let every process run its initial transition (its entry action counts it).
        while (started < target) await new Promise<void>((r) => setImmediate(r));
      },
      alive: (h: Holder) => h.node.processCount(),
      clear(h: Holder) {
        h.node.shutdown();
      },
    },
  },
});
