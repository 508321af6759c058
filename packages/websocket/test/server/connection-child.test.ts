import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { ConnectionSpec } from '../../src/connection/index.js';
import { connectionChildSpec, DEFAULT_CONNECTION_SHUTDOWN } from '../../src/server/connection-child.js';

/** Start data whose socket closed before the supervisor got to it (so `start` starts nothing). */
function closedSpec(): ConnectionSpec<null> {
  return { socket: { destroyed: true }, head: Buffer.alloc(64) } as unknown as ConnectionSpec<null>;
}

describe('connectionChildSpec', () => {
  it('is a temporary child with the given shutdown (default 5000 ms, OTP worker default)', () => {
    expect(connectionChildSpec(closedSpec())).toMatchObject({
      restart: 'temporary',
      shutdown: DEFAULT_CONNECTION_SHUTDOWN,
    });
    expect(connectionChildSpec(closedSpec(), 250).shutdown).toBe(250);
  });

  it("starts nothing ('ignore') for a socket that closed before the start ran, and lets go of the start data once used", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let data: ConnectionSpec<null> | undefined = closedSpec();
    const ref = new WeakRef(data);
    // A supervisor may keep the child spec (a static one keeps a temporary child's while it runs).
    const kept = connectionChildSpec(data);
    data = undefined;
    expect(kept.start()).toBe('ignore');
    expect(kept.start()).toBe('ignore'); // used once: nothing left to start
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(ref.deref()).toBeUndefined();
    expect(kept.restart).toBe('temporary');
  });
});
