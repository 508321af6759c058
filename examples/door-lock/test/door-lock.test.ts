import { once } from 'node:events';
import { captureLogger, createNode, ManualClock, type Node } from '@corral/actor';
import { Statem, spawnMachine } from '@corral/statem';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { doorLock } from '../src/door-lock.js';
import { startDoorLockServer } from '../src/server.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A keypad client: every JSON message it got, in order. */
async function keypad(
  port: number,
): Promise<{ ws: WebSocket; got: unknown[]; press: (...digits: number[]) => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/lock`);
  const got: unknown[] = [];
  ws.on('message', (data) => got.push(JSON.parse(String(data))));
  await once(ws, 'open');
  const press = (...digits: number[]) => {
    for (const digit of digits) ws.send(JSON.stringify({ type: 'button', digit }));
  };
  return { ws, got, press };
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await tick();
  if (!done()) throw new Error('condition not reached');
}

describe('door lock example (OTP gen_statem code lock over WebSocket)', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function setup(): Promise<{ node: Node; clock: ManualClock; port: number }> {
    const clock = new ManualClock();
    const node = createNode({ name: 'door', logger: captureLogger(), clock });
    const listener = await startDoorLockServer(node, 0, {
      code: '1234',
      autoLockMs: 10_000,
      blockMs: 30_000,
    });
    cleanup.push(
      () => node.shutdown(),
      () => listener.close(),
    );
    return { node, clock, port: listener.port };
  }

  it('serves the keypad page over plain HTTP', async () => {
    const { port } = await setup();
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("new WebSocket('ws://' + location.host + '/lock')");
  });

  it('the right code opens the door, and it locks itself again 10 s later (the state_timeout)', async () => {
    const { clock, port } = await setup();
    const k = await keypad(port);
    cleanup.push(() => k.ws.terminate());
    await until(() => k.got.length === 1);
    expect(k.got).toEqual([{ state: 'locked' }]);
    k.press(1, 2, 3, 4);
    await until(() => k.got.length === 2);
    expect(k.got[1]).toEqual({ state: 'open' });
    clock.advance(9_999);
    await tick();
    await tick();
    expect(k.got).toHaveLength(2);
    clock.advance(1);
    await until(() => k.got.length === 3);
    expect(k.got[2]).toEqual({ state: 'locked' });
  });

  it('a wrong code starts over; the third wrong code in a row blocks the keypad for 30 s', async () => {
    const { clock, port } = await setup();
    const k = await keypad(port);
    cleanup.push(() => k.ws.terminate());
    k.press(9, 9, 9, 9);
    k.press(1, 2, 3, 5);
    await until(() => k.got.length === 3);
    expect(k.got.slice(1)).toEqual([
      { error: 'wrong code', attempts: 1 },
      { error: 'wrong code', attempts: 2 },
    ]);
    k.press(0, 0, 0, 0);
    await until(() => k.got.length === 4);
    expect(k.got[3]).toEqual({ state: 'blocked' });
    k.press(1, 2, 3, 4); // ignored while blocked
    k.ws.send(JSON.stringify({ type: 'status' }));
    await until(() => k.got.length === 5);
    expect(k.got[4]).toEqual({ state: 'blocked' });
    clock.advance(30_000);
    await until(() => k.got.length === 6);
    expect(k.got[5]).toEqual({ state: 'locked' });
    k.press(1, 2, 3, 4);
    await until(() => k.got.length === 7);
    expect(k.got[6]).toEqual({ state: 'open' });
  });

  it('each connection is its own lock; the lock button locks at once', async () => {
    const { port } = await setup();
    const a = await keypad(port);
    const b = await keypad(port);
    cleanup.push(
      () => a.ws.terminate(),
      () => b.ws.terminate(),
    );
    a.press(1, 2, 3, 4);
    await until(() => a.got.length === 2);
    b.ws.send(JSON.stringify({ type: 'status' }));
    await until(() => b.got.length === 2);
    expect(b.got[1]).toEqual({ state: 'locked', entered: 0 });
    a.ws.send(JSON.stringify({ type: 'lock' }));
    await until(() => a.got.length === 3);
    expect(a.got[2]).toEqual({ state: 'locked' });
  });

  it('frames that are not events are answered, not ignored', async () => {
    const { port } = await setup();
    const k = await keypad(port);
    cleanup.push(() => k.ws.terminate());
    k.ws.send('open sesame');
    k.ws.send(JSON.stringify({ type: 'button', digit: 'x' }));
    await until(() => k.got.length === 3);
    expect(k.got.slice(1)).toEqual([{ error: 'not understood' }, { error: 'not understood' }]);
  });

  it('the same machine runs as a plain process too (its frames need a WebSocket, its state does not)', async () => {
    const clock = new ManualClock();
    const node = createNode({ name: 'door', logger: captureLogger(), clock });
    cleanup.push(() => node.shutdown());
    // sendJson needs a connection: a plain process crashes on the first one, at its initial transition.
    const pid = spawnMachine(node, doorLock, { input: { code: '1' } });
    await tick();
    expect(node.isAlive(pid)).toBe(false);
    await expect(Statem.output(pid)).rejects.toMatchObject({
      reason: ['crash', expect.objectContaining({ code: 'ERR_STATEM_CONTEXT' })],
    });
  });
});
