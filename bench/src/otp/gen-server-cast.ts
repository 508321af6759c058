/**
 * GenServer `cast` throughput: a producer process casts to a counter server, `batch` casts per
 * turn, then ends its turn (as the flood producer does, so the server drains as it goes, as an
 * Erlang producer is preempted after its reductions). The round ends when the server has
 * handled the last cast. Figure: casts handled by the server per second.
 */
import { GenServer } from '@corral/actor';
import { batchedProducer } from '../actor/batched-producer.js';
import { defineSuite, type Timed } from '../suite.js';
import { benchNode, Counter } from './worker.js';

const BATCH = 1_000;

async function castRound(casts: number): Promise<Timed> {
  const node = benchNode();
  let finished: (ops: number) => void = () => {};
  const server = await GenServer.start(node, Counter, { casts, done: (n) => finished(n) });
  const start = batchedProducer(node, casts, BATCH, () => GenServer.cast(server, 'inc'));
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      start();
    });
}

export default defineSuite({
  workload: 'gen-server-cast',
  system: 'corral',
  title: 'GenServer cast, handled by the server',
  cases: {
    producer: {
      label: 'producer process, server counts',
      kind: 'rate',
      unit: 'msgs/s',
      size: 3_000_000,
      params: { producerBatch: BATCH },
      round: castRound,
    },
  },
});
