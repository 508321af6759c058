/**
 * Ping-pong between two processes: the pinger sends `['ping', self]`, the ponger answers
 * `'pong'`, `size` round trips, counted as two messages each. The Erlang reference is the
 * same loop (`Pong ! {ping, self()}, receive pong -> ... end`) on one scheduler.
 */
import { createNode, type Pid, silentLogger } from '@corral/actor';
import { ERLANG } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

type Ping = ['ping', Pid<'pong'>];

/** Callback processes (the fast path): no promise per message. */
function callbackRound(roundTrips: number): Timed {
  const node = createNode({ name: 'bench', logger: silentLogger });
  const ponger = node.spawn<Ping, null>({
    init: () => null,
    handle: (msg, state, self) => {
      self.send(msg[1], 'pong');
      return state;
    },
  });
  let finished: (ops: number) => void = () => {};
  const pinger = node.spawn<'go' | 'pong', number>({
    init: () => 0,
    handle: (msg, left, self) => {
      if (msg === 'go') left = roundTrips;
      else if (--left === 0) {
        finished(2 * roundTrips);
        return 0;
      }
      self.send(ponger, ['ping', self.pid]);
      return left;
    },
  });
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      node.send(pinger, 'go');
    });
}

/** Receive-loop processes: each message is one `await self.receive()`. */
function receiveLoopRound(roundTrips: number): Timed {
  const node = createNode({ name: 'bench', logger: silentLogger });
  const ponger = node.spawn<Ping>(async (self) => {
    for (;;) {
      const [, from] = await self.receive();
      self.send(from, 'pong');
    }
  });
  let finished: (ops: number) => void = () => {};
  const pinger = node.spawn<'go' | 'pong'>(async (self) => {
    await self.receive();
    for (let i = 0; i < roundTrips; i++) {
      self.send(ponger, ['ping', self.pid]);
      await self.receive();
    }
    finished(2 * roundTrips);
  });
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      node.send(pinger, 'go');
    });
}

export default defineSuite({
  workload: 'ping-pong',
  system: 'corral',
  title: 'Ping-pong between two processes',
  cases: {
    callback: {
      label: 'callback processes',
      kind: 'rate',
      unit: 'msgs/s',
      size: 1_500_000,
      opsPerSize: 2,
      reference: { erlang: ERLANG.pingPong },
      target: ERLANG.pingPong,
      round: callbackRound,
    },
    'receive-loop': {
      label: 'receive-loop processes',
      kind: 'rate',
      unit: 'msgs/s',
      size: 400_000,
      opsPerSize: 2,
      reference: { erlang: ERLANG.pingPong },
      target: ERLANG.pingPong,
      round: receiveLoopRound,
    },
  },
});
