/**
 * The GenServers the OTP suites share: a counter (the server of the call and cast suites) and
 * an idle worker (the supervised child of the supervisor suites), as small as a real one.
 */
import { createNode, type GenServerBehaviour, type Node, type Pid, silentLogger } from '@corral/actor';

/** A node for one round or one child process: silent, so reports cost no I/O. */
export function benchNode(): Node {
  return createNode({ name: 'bench', logger: silentLogger });
}

export type CounterTypes = {
  args: CounterArgs;
  state: CounterState;
  call: 'inc';
  reply: number;
  cast: 'inc';
};

export interface CounterArgs {
  /** Casts to count before `done` is called. */
  casts: number;
  done(count: number): void;
}

interface CounterState {
  n: number;
  args: CounterArgs;
}

/**
 * Counts calls and casts. A call answers the count so far, so a caller that made `k` calls
 * in sequence last sees `k`; the `args.casts`-th cast calls `args.done`.
 *
 * @example
 * const pid = await GenServer.start(node, Counter, { casts: 0, done: () => {} });
 * await GenServer.call(pid, 'inc'); // 1
 */
export const Counter: GenServerBehaviour<CounterTypes> = {
  name: 'bench_counter',
  init: (args) => ['ok', { n: 0, args }],
  handleCall: (_inc, _from, s) => {
    s.n++;
    return ['reply', s.n, s];
  },
  handleCast: (_inc, s) => {
    if (++s.n === s.args.casts) s.args.done(s.n);
    return ['noreply', s];
  },
};

export type WorkerTypes = { args: WorkerArgs; state: null; cast: 'stop' | 'crash' };

export interface WorkerArgs {
  /** Called from `init`, inside the new process: the child is alive and initialised. */
  started?(pid: Pid<any>): void;
}

/**
 * An idle worker: `'stop'` ends it `'normal'` (by itself, as a finished job does), `'crash'`
 * throws in its callback (an abnormal exit: a crash report, and a restart if supervised).
 *
 * @example
 * { start: () => GenServer.startLink(node, Worker, {}), restart: 'temporary' }
 */
export const Worker: GenServerBehaviour<WorkerTypes> = {
  name: 'bench_worker',
  init: (args, self) => {
    args.started?.(self.pid);
    return ['ok', null];
  },
  handleCast: (msg, s) => {
    if (msg === 'crash') throw new Error('bench: crash on purpose');
    return ['stop', 'normal', s];
  },
};
