import { DynamicSupervisor } from '@corral/actor';
import { describe, expect, it } from 'vitest';
import { expectChildren, removeExtra, startChildren, withSiblings } from '../src/otp/siblings.js';

// The DynamicSupervisor suites claim "with 10,000 live siblings": the siblings must really be
// there, stay there, and a round's own children must really go.

describe('withSiblings', () => {
  it('starts a dynamic supervisor with exactly that many live, temporary children', async () => {
    const ctx = await withSiblings(300);
    expect(await DynamicSupervisor.countChildren(ctx.sup)).toEqual({
      specs: 300,
      active: 300,
      supervisors: 0,
      workers: 300,
    });
    expect(ctx.node.processCount()).toBe(301);
    ctx.node.shutdown();
  });

  it("removes a round's children, keeps the siblings, and refuses a wrong count", async () => {
    const ctx = await withSiblings(50);
    ctx.extra = await startChildren(ctx, 20);
    await expectChildren(ctx, 70);
    await expect(expectChildren(ctx, 50)).rejects.toThrow(/70 live children, expected 50/);
    await removeExtra(ctx);
    expect(ctx.extra).toEqual([]);
    await expectChildren(ctx, 50);
    expect(ctx.node.processCount()).toBe(51);
    ctx.node.shutdown();
  });
});
