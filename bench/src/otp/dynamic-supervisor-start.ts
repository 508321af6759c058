/**
 * DynamicSupervisor `startChild` rate: one caller starts `size` temporary GenServer children in
 * sequence, each `startChild` awaited before the next (OTP: a loop of
 * `supervisor:start_child/2` on a simple_one_for_one supervisor), beside 10,000 live siblings
 * and beside none; the cost of a start must not grow with the siblings. The round checks the
 * supervisor's count at the end; the next round's untimed part stops the children it started.
 */
import { DynamicSupervisor } from '@corral/actor';
import { defineSuite, type Timed, type TimedCase } from '../suite.js';
import {
  expectChildren,
  removeExtra,
  SIBLINGS,
  type SupervisorWithSiblings,
  startedPid,
  withSiblings,
} from './siblings.js';

async function startRound(children: number, ctx: SupervisorWithSiblings): Promise<Timed> {
  await removeExtra(ctx);
  return async () => {
    for (let i = 0; i < children; i++)
      ctx.extra.push(startedPid(await DynamicSupervisor.startChild(ctx.sup, ctx.spec)));
    await expectChildren(ctx, ctx.siblings + children);
    return children;
  };
}

function startCase(siblings: number): TimedCase<SupervisorWithSiblings> {
  return {
    label: `startChild in sequence, ${siblings.toLocaleString('en-US')} live siblings`,
    kind: 'rate',
    unit: 'children/s',
    size: 40_000,
    params: { siblings },
    setup: () => withSiblings(siblings),
    round: startRound,
  };
}

export default defineSuite({
  workload: 'dynamic-supervisor-start',
  system: 'corral',
  title: 'DynamicSupervisor startChild',
  cases: {
    'siblings-10k': startCase(SIBLINGS),
    'siblings-0': startCase(0),
  },
});
