/**
 * Fixtures shared by the statem tests: a node on a ManualClock with a capturing logger, ways
 * to let the scheduler run, and an inbox process that records what it is sent.
 */
import {
  type CapturedRecord,
  captureLogger,
  createNode,
  ManualClock,
  type Node,
  type Pid,
  type SpawnOptions,
} from '@corral/actor';

/** One turn of the event loop: every scheduler drain queued before it has run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets every runnable process run until the node is quiet. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await tick();
}

/** Turns the event loop until `done()` holds; fails after `turns` turns. */
export async function until(done: () => boolean, turns = 500): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (done()) return;
    await tick();
  }
  if (!done()) throw new Error(`condition not reached after ${turns} event-loop turns`);
}

export interface TestNode {
  node: Node;
  clock: ManualClock;
  records: CapturedRecord[];
}

export function testNode(name = 't'): TestNode {
  const logger = captureLogger();
  const clock = new ManualClock();
  const node = createNode({ name, logger, clock });
  return { node, clock, records: logger.records };
}

export const crashReports = (records: CapturedRecord[]): CapturedRecord[] =>
  records.filter((r) => r.label === 'crash_report');

export interface Inbox {
  pid: Pid<unknown>;
  messages: unknown[];
}

/** A process that keeps every message it receives, in order. */
export function inbox(node: Node, opts?: SpawnOptions): Inbox {
  const messages: unknown[] = [];
  const pid = node.spawn<unknown, null>(
    {
      name: 'inbox',
      init: () => null,
      handle: (msg, s) => {
        messages.push(msg);
        return s;
      },
    },
    opts,
  );
  return { pid, messages };
}

/** The snapshot `processInfo` shows for a machine process. */
export function snapshotOf(node: Node, pid: Pid<any>): { value: unknown; context: any; status: string } {
  const info = node.processInfo(pid);
  if (info === undefined) throw new Error(`${pid} is not alive`);
  return info.state as { value: unknown; context: any; status: string };
}
