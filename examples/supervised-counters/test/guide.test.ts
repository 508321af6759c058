// Section 7 of docs/guides/supervision.md, run as written: keep the two identical.
import { captureLogger, createNode, GenServer, ManualClock, Supervisor } from '@corral/actor';
import { counterSpec, restarted } from '@corral/example-supervised-counters/src/counters.js';
import { expect, it } from 'vitest';

it('gives up after two restarts within five seconds', async () => {
  const logger = captureLogger();
  const clock = new ManualClock();
  const node = createNode({ name: 't', logger, clock });
  const sup = await Supervisor.start(node, [counterSpec(node, 'apples')], { intensity: 1, period: 5 });
  const down = new Promise((resolve) => node.onExit(sup, resolve));
  const crash = () => GenServer.cast(['apples', node], ['add', -1]);

  let apples = node.whereis('apples');
  crash(); // restart 1, at t = 0 s
  apples = await restarted(node, 'apples', apples);
  clock.advance(5001); // that restart leaves the 5 s window
  crash(); // restart 1 again, at t = 5.001 s: fine
  apples = await restarted(node, 'apples', apples);
  crash(); // a second restart within 5 s: one too many

  await expect(down).resolves.toBe('shutdown');
  expect(logger.records.filter((r) => r.context === 'shutdown')).toHaveLength(1);
});
