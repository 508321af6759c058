/**
 * Spawn + exit: a spawner process spawns processes that return at once (Erlang's
 * `spawn(fun() -> ok end)`), `batch` per turn. After each batch it ends its turn, so the
 * children run and exit before the next batch, as an Erlang spawner is preempted after its
 * reductions; the live process count stays near `batch` instead of growing to `size`.
 */
import { createNode, silentLogger } from '@corral/actor';
import { ERLANG } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

const BATCH = 1_000;

const exitAtOnce = (): void => {};

function spawnExitRound(total: number): Timed {
  const node = createNode({ name: 'bench', logger: silentLogger });
  let finished: (ops: number) => void = () => {};
  const spawner = node.spawn<'go' | 'check', number>({
    init: () => 0,
    handle: (msg, spawned, self) => {
      if (msg === 'check') {
        // The children of the last batch ran before this message: only the spawner is left.
        const left = node.processCount() - 1;
        if (left !== 0) throw new Error(`${left} children still alive`);
        finished(total);
        return spawned;
      }
      const end = Math.min(total, spawned + BATCH);
      for (let i = spawned; i < end; i++) self.spawn(exitAtOnce);
      self.send(self.pid, end < total ? 'go' : 'check');
      // A returned promise ends this turn: the spawner goes to the back of the run queue,
      // behind the children it just spawned (a message to itself alone would be handled at once).
      return Promise.resolve(end);
    },
  });
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      node.send(spawner, 'go');
    });
}

export default defineSuite({
  workload: 'spawn-exit',
  system: 'corral',
  title: 'Spawn + exit',
  cases: {
    spawner: {
      label: 'spawner process, children exit at once',
      kind: 'rate',
      unit: 'procs/s',
      size: 1_000_000,
      params: { spawnerBatch: BATCH },
      reference: { erlang: ERLANG.spawnExit },
      target: ERLANG.spawnExit,
      round: spawnExitRound,
    },
  },
});
