import { captureLogger, createNode, isCrash } from '@corral/actor';
import { describe, expect, it } from 'vitest';
import { playRallies, startPonger, watchACrash } from '../src/ping-pong.js';

describe('ping-pong example', () => {
  it('plays every rally and the ponger counts every hit', async () => {
    const node = createNode({ name: 'pp', logger: captureLogger() });
    const ponger = startPonger(node);
    await expect(playRallies(node, ponger, 500)).resolves.toBe(500);
    expect(node.processInfo(ponger)?.state).toBe(500);
    node.shutdown();
  });

  it('a trapping watcher receives its linked worker crash as a message', async () => {
    const logger = captureLogger();
    const node = createNode({ name: 'pp', logger });
    const reason = await watchACrash(node);
    expect(isCrash(reason)).toBe(true);
    expect((reason as [string, Error])[1].message).toBe('worker fell over');
    expect(logger.records.filter((r) => r.label === 'crash_report')).toHaveLength(1);
    node.shutdown();
  });
});
