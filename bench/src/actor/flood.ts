/**
 * One producer flooding one consumer. The producer sends `batch` messages per turn, sends
 * itself `'more'` and ends its turn, as an Erlang producer in a send loop is preempted after
 * its reductions; the consumer counts. The figure is messages received per second.
 */
import { createNode, silentLogger } from '@corral/actor';
import { ERLANG } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

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
  const producer = node.spawn<'go' | 'more', number>({
    init: () => 0,
    handle: (_msg, sent, self) => {
      const end = Math.min(messages, sent + BATCH);
      for (let i = sent; i < end; i++) self.send(consumer, i);
      if (end === messages) return end;
      self.send(self.pid, 'more');
      // A returned promise ends this turn: the producer goes to the back of the run queue, behind
      // the consumer (a message to itself alone would be handled at once, in the same turn).
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
