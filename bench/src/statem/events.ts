/**
 * Events per second through one machine process, against a plain callback process doing the
 * same counting (what a machine costs over hand-written code) and, in the xstate suite of
 * the same workload, bare `actor.send` (what the process around the machine costs). The
 * sender queues `size` events; the figure is events handled per second until the machine
 * reaches its final state (or the callback process counts down to zero).
 */
import { createNode, type Node, silentLogger } from '@corral/actor';
import { type Engine, spawnMachine } from '@corral/statem';
import { defineSuite, type Timed } from '../suite.js';
import { counter, INC } from './machines.js';

let last: Node | undefined;

/** A fresh node per round; the previous round's is shut down first. */
function freshNode(): Node {
  last?.shutdown();
  last = createNode({ name: 'bench', logger: silentLogger });
  return last;
}

function machineRound(total: number, engine: Engine): Timed {
  const node = freshNode();
  const pid = spawnMachine(node, counter, { input: { total }, engine });
  return () =>
    new Promise<number>((resolve) => {
      node.onExit(pid, () => resolve(total));
      for (let i = 0; i < total; i++) node.send(pid, INC);
    });
}

function callbackRound(total: number): Timed {
  const node = freshNode();
  let done: (n: number) => void = () => {};
  const pid = node.spawn<typeof INC, number>({
    init: () => total,
    handle: (_event, left) => {
      if (left === 1) done(total);
      return left - 1;
    },
  });
  return () =>
    new Promise<number>((resolve) => {
      done = resolve;
      for (let i = 0; i < total; i++) node.send(pid, INC);
    });
}

export default defineSuite({
  workload: 'statem-events',
  system: 'corral',
  title: 'Events through one state machine',
  cases: {
    machine: {
      label: 'machine process (transition engine)',
      kind: 'rate',
      unit: 'events/s',
      size: 100_000,
      round: (size) => machineRound(size, 'transition'),
    },
    'machine-actor-engine': {
      label: 'machine process (actor engine)',
      kind: 'rate',
      unit: 'events/s',
      size: 100_000,
      round: (size) => machineRound(size, 'actor'),
    },
    callback: {
      label: 'plain callback process, same counting',
      kind: 'rate',
      unit: 'events/s',
      size: 2_000_000,
      round: callbackRound,
    },
  },
});
