/**
 * Spawning machine processes: the same rate at 1k, 10k and 50k processes shows that a spawn
 * costs O(1) whatever the number of live siblings (each process holds one snapshot; there is
 * no parent snapshot listing them). Compare the xstate suite of this workload, where
 * `spawnChild` copies the parent's `children` on every spawn. The figure is processes whose
 * initial transition (and entry action) has run, per second; they stay alive, idle.
 */
import { createNode, type Node, silentLogger } from '@corral/actor';
import { type Engine, spawnMachine } from '@corral/statem';
import { defineSuite, type Timed } from '../suite.js';
import { idleMachine } from './machines.js';

let last: Node | undefined;

function round(total: number, engine: Engine = 'transition'): Timed {
  last?.shutdown();
  const node = createNode({ name: 'bench', logger: silentLogger });
  last = node;
  let started = 0;
  let done: (n: number) => void = () => {};
  const machine = idleMachine(() => {
    if (++started === total) done(total);
  });
  return () =>
    new Promise<number>((resolve) => {
      done = resolve;
      for (let i = 0; i < total; i++) spawnMachine(node, machine, { engine });
    });
}

export default defineSuite({
  workload: 'statem-spawn',
  system: 'corral',
  title: 'Spawning machine processes',
  cases: {
    'spawn-thousand': {
      label: '1k machine processes',
      kind: 'rate',
      unit: 'procs/s',
      size: 1_000,
      params: { live: '1k' },
      round: (size) => round(size),
    },
    'spawn-ten-thousand': {
      label: '10k machine processes',
      kind: 'rate',
      unit: 'procs/s',
      size: 10_000,
      params: { live: '10k' },
      round: (size) => round(size),
    },
    'spawn-fifty-thousand': {
      label: '50k machine processes',
      kind: 'rate',
      unit: 'procs/s',
      size: 50_000,
      params: { live: '50k' },
      round: (size) => round(size),
    },
    'spawn-actor-engine': {
      label: '10k machine processes (actor engine)',
      kind: 'rate',
      unit: 'procs/s',
      size: 10_000,
      params: { live: '10k' },
      round: (size) => round(size, 'actor'),
    },
  },
});
