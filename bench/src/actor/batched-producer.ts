import type { Node, Self } from '@corral/actor';

/**
 * Spawns a producer that calls `sendOne(self, i)` for i = 0 … total − 1, `batch` at a time, and
 * returns what starts it. After each batch it sends itself a message and returns a promise,
 * which ends its turn: it goes to the back of the run queue, behind its receiver (a message to
 * itself alone would be handled at once, in the same turn), as an Erlang producer in a send
 * loop is preempted after its reductions.
 */
export function batchedProducer(
  node: Node,
  total: number,
  batch: number,
  sendOne: (self: Self<'more'>, i: number) => void,
): () => void {
  const producer = node.spawn<'more', number>({
    init: () => 0,
    handle: (_more, sent, self) => {
      const end = Math.min(total, sent + batch);
      for (let i = sent; i < end; i++) sendOne(self, i);
      if (end === total) return end;
      self.send(self.pid, 'more');
      return Promise.resolve(end);
    },
  });
  return () => node.send(producer, 'more');
}
