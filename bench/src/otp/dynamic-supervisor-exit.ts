/**
 * DynamicSupervisor child-exit rate: `size` temporary GenServer children, started untimed, are
 * each asked to stop (a cast; each ends `'normal'` by itself) and the clock runs until the
 * supervisor has handled every `['EXIT', pid, 'normal']` and forgotten the child (its count
 * is back to the siblings), beside 10,000 live siblings and beside none: the cost of an exit
 * must not grow with the siblings.
 */
import { GenServer } from '@corral/actor';
import { defineSuite, type Timed, type TimedCase } from '../suite.js';
import {
  exitsOf,
  expectChildren,
  SIBLINGS,
  type SupervisorWithSiblings,
  startChildren,
  withSiblings,
} from './siblings.js';

async function exitRound(children: number, ctx: SupervisorWithSiblings): Promise<Timed> {
  const pids = await startChildren(ctx, children);
  await expectChildren(ctx, ctx.siblings + children);
  const gone = exitsOf(ctx.node, pids);
  return async () => {
    for (const pid of pids) GenServer.cast(pid, 'stop');
    await gone;
    // Asked after every child has exited, the count is answered after every EXIT was handled.
    await expectChildren(ctx, ctx.siblings);
    return children;
  };
}

function exitCase(siblings: number): TimedCase<SupervisorWithSiblings> {
  return {
    label: `children stop by themselves, ${siblings.toLocaleString('en-US')} live siblings`,
    kind: 'rate',
    unit: 'exits/s',
    size: 40_000,
    params: { siblings },
    setup: () => withSiblings(siblings),
    round: exitRound,
  };
}

export default defineSuite({
  workload: 'dynamic-supervisor-exit',
  system: 'corral',
  title: 'DynamicSupervisor child exits',
  cases: {
    'siblings-10k': exitCase(SIBLINGS),
    'siblings-0': exitCase(0),
  },
});
