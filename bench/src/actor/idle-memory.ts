/**
 * Bytes per idle process: the heap that 100k started, idle processes hold after a full GC,
 * divided by 100k. Callback processes wait in the run-time's mailbox; receive-loop processes
 * wait suspended in `await self.receive()` (a promise and an async frame each).
 */
import { createNode, type Node, silentLogger } from '@corral/actor';
import { settle } from '../harness.js';
import { ERLANG, TARGET_BYTES_PER_IDLE_CALLBACK_PROCESS } from '../references.js';
import { defineSuite, type HeapCase } from '../suite.js';

const COUNT = 100_000;

const idleBehaviour = { init: () => null, handle: (_msg: unknown, state: null) => state };

async function idleReceiver(self: { receive(): Promise<unknown> }): Promise<void> {
  await self.receive();
}

/** Resolves once every process has run its `init` or reached its first `receive`. */
async function untilIdle(node: Node): Promise<void> {
  while (node.scheduler.length > 0) await settle(1);
}

function heapCase(spawnOne: (node: Node) => void, label: string, target?: number): HeapCase<Node> {
  return {
    label,
    kind: 'heap',
    unit: 'bytes/proc',
    count: COUNT,
    reference: { erlang: ERLANG.bytesPerIdleProcess },
    ...(target === undefined ? {} : { target }),
    prepare: () => createNode({ name: 'bench', logger: silentLogger }),
    async fill(node, count) {
      for (let i = 0; i < count; i++) spawnOne(node);
      await untilIdle(node);
    },
    alive: (node) => node.processCount(),
    clear: (node) => node.shutdown(),
  };
}

export default defineSuite({
  workload: 'idle-memory',
  system: 'corral',
  title: 'Heap per idle process',
  cases: {
    callback: heapCase(
      (node) => node.spawn(idleBehaviour),
      'idle callback process',
      TARGET_BYTES_PER_IDLE_CALLBACK_PROCESS,
    ),
    'receive-loop': heapCase((node) => node.spawn(idleReceiver), 'idle receive-loop process'),
  },
});
