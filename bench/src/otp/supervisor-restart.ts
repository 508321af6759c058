/**
 * Supervisor restart latency, one_for_one: a supervisor with one GenServer child; the child is
 * made to crash (a cast on which it throws) and the clock runs until its replacement's `init`
 * has run, i.e. the restarted child is alive. The next crash goes out at that moment, so a
 * round of `size` restarts is `size` crash-to-alive intervals back to back, and the figure is
 * round time ÷ restarts. Each restart is a real one: a crash report, a `child_terminated`
 * report, a `restarting` progress report (to `silentLogger`), a new pid each time.
 */
import { GenServer, type Pid, Supervisor } from '@corral/actor';
import { defineSuite, type Timed } from '../suite.js';
import { benchNode, Worker } from './worker.js';

/**
 * Restarts allowed per period: enough never to run out, in a short period so the list of
 * recent restarts the supervisor keeps stays as short as it is with OTP's defaults (1 in 5 s).
 */
const INTENSITY = 1_000_000;
const PERIOD_S = 0.001;

async function restartRound(restarts: number): Promise<Timed> {
  const node = benchNode();
  let started: (pid: Pid<any>) => void = () => {};
  const sup = await Supervisor.start(
    node,
    [{ id: 'worker', start: () => GenServer.startLink(node, Worker, { started: (pid) => started(pid) }) }],
    { strategy: 'one_for_one', intensity: INTENSITY, period: PERIOD_S },
  );
  const first = (await Supervisor.whichChildren(sup))[0]![1] as Pid<any>;
  return () =>
    new Promise<number>((resolve, reject) => {
      // A supervisor that gave up would leave the round waiting forever: fail it instead.
      const cancel = node.onExit(sup, (reason) => reject(new Error(`supervisor exited: ${String(reason)}`)));
      let current = first;
      let left = restarts;
      started = (pid) => {
        if (pid === current) {
          reject(new Error('a restart reused the crashed child'));
          return;
        }
        current = pid;
        if (--left === 0) {
          cancel();
          resolve(restarts);
        } else GenServer.cast(pid, 'crash');
      };
      GenServer.cast(current, 'crash');
    });
}

export default defineSuite({
  workload: 'supervisor-restart',
  system: 'corral',
  title: 'Supervisor restart latency, crash to restarted child alive',
  cases: {
    'one-for-one': {
      label: 'one_for_one, GenServer child crashes (throws)',
      kind: 'latency',
      unit: 's/restart',
      size: 8_000,
      params: { intensity: INTENSITY, periodSeconds: PERIOD_S },
      round: restartRound,
    },
  },
});
