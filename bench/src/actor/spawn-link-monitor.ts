/**
 * spawn_link + monitor with trap-exit: a spawner that traps exits spawns `batch` linked and
 * monitored processes that return at once, then collects one `['EXIT', pid, 'normal']` and one
 * `['DOWN', ref, 'process', pid, 'normal']` per child before the next batch (Erlang's
 * `spawn_opt(F, [link, monitor])` under `process_flag(trap_exit, true)`).
 */
import { createNode, type DownMessage, type ExitMessage, silentLogger } from '@corral/actor';
import { ERLANG } from '../references.js';
import { defineSuite, type Timed } from '../suite.js';

const BATCH = 1_000;

const exitAtOnce = (): void => {};

interface Spawner {
  spawned: number;
  /** EXIT and DOWN messages received. */
  signals: number;
}

function spawnLinkMonitorRound(total: number): Timed {
  const node = createNode({ name: 'bench', logger: silentLogger });
  let finished: (ops: number) => void = () => {};
  const spawner = node.spawn<'go' | ExitMessage | DownMessage, Spawner>(
    {
      init: () => ({ spawned: 0, signals: 0 }),
      handle: (msg, s, self) => {
        if (msg !== 'go') {
          const reason = msg[0] === 'EXIT' ? msg[2] : msg[4];
          if (reason !== 'normal') throw new Error(`unexpected ${msg[0]} reason ${String(reason)}`);
          if (++s.signals < 2 * s.spawned) return s;
          if (s.spawned === total) {
            finished(total);
            return s;
          }
        }
        const end = Math.min(total, s.spawned + BATCH);
        for (let i = s.spawned; i < end; i++) self.monitor(self.spawnLink(exitAtOnce));
        s.spawned = end;
        return s;
      },
    },
    { trapExit: true },
  );
  return () =>
    new Promise<number>((resolve) => {
      finished = resolve;
      node.send(spawner, 'go');
    });
}

export default defineSuite({
  workload: 'spawn-link-monitor',
  system: 'corral',
  title: 'spawn_link + monitor, trapping exits',
  cases: {
    spawner: {
      label: 'trapping spawner collects EXIT + DOWN',
      kind: 'rate',
      unit: 'procs/s',
      size: 500_000,
      params: { spawnerBatch: BATCH },
      reference: { erlang: ERLANG.spawnLinkMonitor },
      target: ERLANG.spawnLinkMonitor,
      round: spawnLinkMonitorRound,
    },
  },
});
