/**
 * GenServer `call` round trips: one caller makes `size` calls in sequence, each awaited before
 * the next, to a counter server (Erlang: a loop of `gen_server:call(Pid, inc)` from one
 * process, default 5000 ms timeout). The counter answers its count, so the last reply proves
 * that every call reached the server once. Figure: calls per second.
 */
import { GenServer, type Pid } from '@corral/actor';
import { ERLANG } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';
import { benchNode, Counter } from './worker.js';

function checked(last: number, calls: number): number {
  if (last !== calls) throw new Error(`the server counted ${last} calls, expected ${calls}`);
  return calls;
}

/** The caller is a receive-loop process (`await GenServer.call(...)` in its code). */
async function inProcessRound(calls: number): Promise<Timed> {
  const node = benchNode();
  const server = await GenServer.start(node, Counter, { casts: 0, done: () => {} });
  let finished: (ops: number) => void = () => {};
  let failed: (e: unknown) => void = () => {};
  const caller: Pid<'go'> = node.spawn<'go'>(async (self) => {
    await self.receive();
    let last = 0;
    try {
      for (let i = 0; i < calls; i++) last = await GenServer.call(server, 'inc');
      finished(checked(last, calls));
    } catch (e) {
      failed(e);
    }
  });
  return () =>
    new Promise<number>((resolve, reject) => {
      finished = resolve;
      failed = reject;
      node.send(caller, 'go');
    });
}

/** The caller is plain async code outside any process. */
async function plainCodeRound(calls: number): Promise<Timed> {
  const node = benchNode();
  const server = await GenServer.start(node, Counter, { casts: 0, done: () => {} });
  return async () => {
    let last = 0;
    for (let i = 0; i < calls; i++) last = await GenServer.call(server, 'inc');
    return checked(last, calls);
  };
}

export default defineSuite({
  workload: 'gen-server-call',
  system: 'corral',
  title: 'GenServer call round trips, one caller',
  cases: {
    'in-process': {
      label: 'caller is a process, 5000 ms timeout',
      kind: 'rate',
      unit: 'calls/s',
      size: 600_000,
      reference: { erlang: ERLANG.genServerCall },
      target: ERLANG.genServerCall,
      round: inProcessRound,
    },
    'plain-code': {
      label: 'caller is plain async code, 5000 ms timeout',
      kind: 'rate',
      unit: 'calls/s',
      size: 600_000,
      reference: { erlang: ERLANG.genServerCall },
      target: ERLANG.genServerCall,
      round: plainCodeRound,
    },
  },
});
