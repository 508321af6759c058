import { DynamicSupervisor } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpgradeOptions } from '../../src/server/upgrade.js';
import {
  closeTracked,
  Opcode,
  recorder,
  serveUpgrades,
  switching,
  testNode,
  until,
  upgradeRequest,
} from './support.js';

afterEach(closeTracked);

describe("the upgraded socket's 'error' guard", () => {
  it.each([
    ['an unsupervised connection', false],
    ["a listener supervisor's child", true],
  ])(
    "gives way to the connection's own listener when %s starts: one 'error' listener, and an error still ends the connection",
    async (_what, supervised) => {
      const { node } = testNode();
      const rec = recorder();
      const options: UpgradeOptions = supervised ? { supervisor: await DynamicSupervisor.start(node) } : {};
      const { connect, outcomes, sockets } = await serveUpgrades(node, rec.handler, {}, options);
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readHead()).toBe(switching());
      await until(() => outcomes.length === 1);
      const socket = sockets[0]!;
      expect(socket.listenerCount('error')).toBe(1);
      client.sendFrame(Opcode.Text, 'still here');
      expect((await client.readFrame()).payload.toString()).toBe('still here');
      socket.emit('error', Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
      await until(() => rec.terminations.length === 1);
      expect(rec.terminations[0]!.reason).toEqual(['error', 'ECONNRESET']);
      expect(node.isAlive(outcomes[0]!)).toBe(false);
      // The connection is gone, the listener stays: a late error on the socket cannot throw.
      expect(() => socket.emit('error', new Error('late'))).not.toThrow();
    },
  );

  it('stays on when the connection cannot start (its reqFilter throws): 1011, terminate, and errors never throw', async () => {
    const { node, records } = testNode();
    const rec = recorder((req, s) => [
      'websocket',
      req,
      s,
      {
        reqFilter: () => {
          throw new Error('bad filter');
        },
      },
    ]);
    const { connect, outcomes, sockets } = await serveUpgrades(node, rec.handler, {});
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    expect(await client.readHead()).toBe(switching());
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual([undefined]);
    const frame = await client.readFrame();
    expect([frame.type, frame.closeCode]).toEqual(['close', 1011]);
    expect(rec.terminations.map((t) => t.reason)).toEqual([['crash', 'error', new Error('bad filter')]]);
    expect(records).toContainEqual(expect.objectContaining({ label: 'ws_start_failed' }));
    const socket = sockets[0]!;
    expect(socket.listenerCount('error')).toBe(1);
    expect(() => socket.emit('error', new Error('late'))).not.toThrow();
  });
});
