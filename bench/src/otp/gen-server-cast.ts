/**
 * GenServer `cast` throughput: a producer process casts to a counter server, `batch` casts per
 * turn, then ends its turn (as the flood producer does, so the server drains as it goes, as an
 * Erlang producer is preempted after its reductions). The round ends when the server has
 * handled the last cast. Figure: casts handled by the server per second.
 */
import { GenServer } from '@corral/actor';
import { defineSuite, type Timed } from '../suite.js';
import { benchNode, Counter } from './worker.js';

const BATCH = 1_000;

async function castRound(casts: number): Promise<Timed> {
  const node = benchNode();
  let finished: (ops: number) => void = () => {};
  const server = await GenServer.start(node, Counter, { casts, done: (n) => finished(n) });
  const producer = node.spawn<'go', number>({
    init: () => 0,
    handle: (_go, sent, self) => {
      const end = Math.min(casts, sent + BATCH);
      for (let i = sent; i < end; i++) GenServer.cast(server, 'inc');
      if (end === casts) return end;
      self.send(self.pid, 'go');
      // A returned promise ends this turn: the producer goes behind the server in the run queue.
      return Promise.resolve(end);
    },
  });
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      node.send(producer, 'go');
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
