/**
 * One producer flooding one consumer. The producer sends `batch` messages per turn, sends
 * itself `'more'` and ends its turn, as an Erlang producer in a send loop is preempted after
 * its reductions; the consumer counts. The figure is messages received per second.
 */
import { createNode, silentLogger } from '@corral/actor';
import { ERLANG } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';
import { batchedProducer } from './batched-producer.js';

const BATCH = 1_000;

function floodRound(messages: number): Timed {
  const node = createNode({ name: 'bench', logger: silentLogger });
  let finished: (ops: number) => void = () => {};
  const consumer = node.spawn<number, number>({
    init: () => 0,
    handle: (_msg, received) => {
      if (++received === messages) finished(messages);
      return received;
    },
  });
  const start = batchedProducer(node, messages, BATCH, (self, i) => self.send(consumer, i));
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      start();
    });
}

export default defineSuite({
  workload: 'flood',
  system: 'corral',
  title: 'One producer flooding one consumer',
  cases: {
    callback: {
      label: 'callback processes',
      kind: 'rate',
      unit: 'msgs/s',
      size: 5_000_000,
      params: { producerBatch: BATCH },
      reference: { erlang: ERLANG.flood },
      target: ERLANG.flood,
      round: floodRound,
    },
  },
});
