/**
 * A DynamicSupervisor with idle siblings, for the startChild and child-exit suites: the cost of
 * starting a child and of handling a child's exit must not grow with the number of children
 * already there (Elixir's DynamicSupervisor keeps them in a map; so does ours), so each suite
 * measures with 10,000 live siblings and with none. Children are temporary GenServer workers,
 * as WebSocket connections are temporary children of their listener's supervisor.
 */
import { type DynamicChildSpec, DynamicSupervisor, GenServer, type Node, type Pid } from '@corral/actor';
import { benchNode, Worker } from './worker.js';

/** The sibling count of the "with siblings" cases. */
export const SIBLINGS = 10_000;

export interface SupervisorWithSiblings {
  node: Node;
  sup: Pid<any>;
  /** Children started in setup, alive through every round. */
  siblings: number;
  spec: DynamicChildSpec;
  /** Children a round started (removed before the next round). */
  extra: Pid<any>[];
}

/** Starts a dynamic supervisor and `siblings` idle children under it (untimed setup). */
export async function withSiblings(siblings: number): Promise<SupervisorWithSiblings> {
  const node = benchNode();
  const sup = await DynamicSupervisor.start(node);
  const spec: DynamicChildSpec = {
    start: () => GenServer.startLink(node, Worker, {}),
    restart: 'temporary',
  };
  const ctx: SupervisorWithSiblings = { node, sup, siblings, spec, extra: [] };
  await startChildren(ctx, siblings);
  await expectChildren(ctx, siblings);
  return ctx;
}

/** Starts `n` children at once (all the calls in flight together); resolves with their pids. */
export async function startChildren(ctx: SupervisorWithSiblings, n: number): Promise<Pid<any>[]> {
  const started = await Promise.all(
    Array.from({ length: n }, () => DynamicSupervisor.startChild(ctx.sup, ctx.spec)),
  );
  return started.map((r) => startedPid(r));
}

/** The pid of a successful `startChild`; anything else fails the case. */
export function startedPid(r: DynamicSupervisor.DynamicStartChildResult): Pid<any> {
  if (r[0] !== 'ok' || r[1] === undefined) throw new Error(`startChild failed: ${String(r[1])}`);
  return r[1];
}

/** Resolves once every pid has exited (hooks set now, before anything is asked to exit). */
export function exitsOf(node: Node, pids: readonly Pid<any>[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = pids.length;
    if (left === 0) resolve();
    for (const pid of pids)
      node.onExit(pid, (reason) => {
        if (reason !== 'normal') reject(new Error(`a child exited ${String(reason)}, not normal`));
        else if (--left === 0) resolve();
      });
  });
}

/**
 * Checks that the supervisor has exactly `n` live children. A call queues behind the EXIT
 * messages of children that already exited, so its answer counts them as gone.
 */
export async function expectChildren(ctx: SupervisorWithSiblings, n: number): Promise<void> {
  const counts = await DynamicSupervisor.countChildren(ctx.sup);
  if (counts.active !== n || counts.specs !== n)
    throw new Error(`the supervisor has ${counts.active} live children, expected ${n}`);
}

/** Asks the round's extra children to stop and waits until the supervisor has forgotten them. */
export async function removeExtra(ctx: SupervisorWithSiblings): Promise<void> {
  const extra = ctx.extra;
  ctx.extra = [];
  const gone = exitsOf(ctx.node, extra);
  for (const pid of extra) GenServer.cast(pid, 'stop');
  await gone;
  await expectChildren(ctx, ctx.siblings);
}
