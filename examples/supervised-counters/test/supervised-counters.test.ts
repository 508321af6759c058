import { captureLogger, createNode, Supervisor } from '@corral/actor';
import { describe, expect, it } from 'vitest';
import { add, count, restarted, startTree, story } from '../src/counters.js';

describe('supervised-counters example', () => {
  it('a crashed counter comes back empty while its sibling keeps counting', async () => {
    const logger = captureLogger();
    const node = createNode({ name: 'sc', logger });
    await startTree(node);
    add(node, 'apples', 2);
    add(node, 'pears', 7);
    await expect(count(node, 'apples')).resolves.toBe(2);
    const apples = node.whereis('apples');
    add(node, 'apples', -1);
    await restarted(node, 'apples', apples);
    await expect(count(node, 'apples')).resolves.toBe(0);
    await expect(count(node, 'pears')).resolves.toBe(7);
    const terminated = logger.records.filter((r) => r.context === 'child_terminated');
    expect(terminated).toEqual([expect.objectContaining({ supervisor: 'counters', childId: 'apples' })]);
    node.shutdown();
  });

  it('tells the whole story: a second crash escalates and root restarts the subtree', async () => {
    const logger = captureLogger();
    const node = createNode({ name: 'sc', logger });
    const root = await startTree(node);
    const said: [string, object | undefined][] = [];
    await story(node, (msg, data) => said.push([msg, data]));
    expect(said.map(([, data]) => data)).toEqual([
      { apples: 3, pears: 5 },
      { apples: 0, pears: 5 },
      { apples: 0, pears: 0 },
    ]);
    const reports = logger.records
      .filter((r) => r.label === 'supervisor_report')
      .map((r) => [r.supervisor, r.context, r.childId, r.reason]);
    expect(reports).toEqual([
      ['counters', 'child_terminated', 'apples', 'crash: RangeError: apples: cannot add -1'],
      ['counters', 'child_terminated', 'apples', 'crash: RangeError: apples: cannot add -1'],
      ['counters', 'shutdown', 'apples', 'reached_max_restart_intensity'],
      ['root', 'child_terminated', 'counters', 'shutdown'],
    ]);
    expect(logger.records.filter((r) => r.label === 'crash_report')).toHaveLength(2);
    await Supervisor.stop(root);
    expect(node.processCount()).toBe(0);
  });
});
