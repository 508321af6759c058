import { captureLogger, createNode, ManualClock } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEchoServer } from '../src/server.js';

const nextMessage = (ws: WebSocket): Promise<string> =>
  new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));

describe('echo example (Cowboy websocket example)', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('serves the page over plain HTTP', async () => {
    const node = createNode({ name: 'echo', logger: captureLogger() });
    const listener = await startEchoServer(node, 0);
    cleanup.push(
      () => listener.close(),
      () => node.shutdown(),
    );
    const res = await fetch(`http://127.0.0.1:${listener.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("new WebSocket('ws://' + location.host + '/websocket')");
  });

  it("greets, echoes with Cowboy's line, and pushes the time on each tick", async () => {
    const clock = new ManualClock();
    const node = createNode({ name: 'echo', logger: captureLogger(), clock });
    const listener = await startEchoServer(node, 0);
    cleanup.push(
      () => listener.close(),
      () => node.shutdown(),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${listener.port}/websocket`);
    cleanup.push(() => ws.terminate());
    expect(await nextMessage(ws)).toBe('Hello!');
    const echoed = nextMessage(ws);
    ws.send('hi there');
    expect(await echoed).toBe("That's what she said! hi there");
    const tick = nextMessage(ws);
    clock.advance(1000);
    expect(Number.isNaN(Date.parse(await tick))).toBe(false);
  });

  it('closing the listener closes the connection with 1001 (going away)', async () => {
    const node = createNode({ name: 'echo', logger: captureLogger() });
    const listener = await startEchoServer(node, 0);
    cleanup.push(() => node.shutdown());
    const ws = new WebSocket(`ws://127.0.0.1:${listener.port}/websocket`);
    await nextMessage(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await listener.close();
    expect(await closed).toBe(1001);
  });
});
