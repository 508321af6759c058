import { type ExitMessage, type Node, type Pid, TIMEOUT } from '@corral/actor';

export type Ball = ['ping', Pid<Ball>, number] | ['pong', Pid<Ball>, number];

/**
 * A callback process: `handle` is called per message and returns the next state
 * (here, how many balls it has hit back). No promise per message.
 */
export function startPonger(node: Node): Pid<Ball> {
  return node.spawn<Ball, number>({
    name: 'ponger',
    init: () => 0,
    handle: ([kind, from, n], hits, self) => {
      if (kind === 'ping') self.send(from, ['pong', self.pid, n]);
      return hits + 1;
    },
  });
}

/**
 * A receive-loop process: top-down code with selective receive and an `after`-style
 * timeout. Resolves with the number of rallies played.
 */
export function playRallies(node: Node, ponger: Pid<Ball>, rallies: number): Promise<number> {
  return new Promise((resolve, reject) => {
    node.spawn<Ball>(async (self) => {
      for (let n = 1; n <= rallies; n++) {
        self.send(ponger, ['ping', self.pid, n]);
        const reply = await self.receive((m): m is Ball => m[0] === 'pong' && m[2] === n, 1000);
        if (reply === TIMEOUT) return reject(new Error(`no pong for rally ${n}`));
      }
      resolve(rallies);
    });
  });
}

/**
 * A watcher trapping exits, linked to a worker that crashes: the crash reaches it as an
 * `['EXIT', pid, reason]` message instead of killing it. Resolves with that reason.
 */
export function watchACrash(node: Node): Promise<unknown> {
  return new Promise((resolve) => {
    node.spawn<ExitMessage>(async (self) => {
      self.trapExit(true);
      self.spawnLink(() => {
        throw new Error('worker fell over');
      });
      const [, , reason] = await self.receive();
      resolve(reason);
    });
  });
}
