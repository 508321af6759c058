import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { closeClients, connectClients, echoLoad, payloads } from '../src/ws/echo-client.js';

// The echo load is what the WebSocket suites count: it must fail loudly on any echo that is not
// exactly what was sent, or a broken server would read as a fast one.

type Reply = (ws: WebSocket, data: Buffer, isBinary: boolean, n: number) => void;

let servers: WebSocketServer[] = [];
let clients: WebSocket[] = [];

/** An in-process `ws` server on 127.0.0.1:0 answering with `reply`; counts the messages it got. */
async function server(reply: Reply): Promise<{ url: string; received: () => number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  servers.push(wss);
  let n = 0;
  wss.on('connection', (ws) =>
    ws.on('message', (data, isBinary) => reply(ws, data as Buffer, isBinary, n++)),
  );
  await new Promise((r) => wss.once('listening', r));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/echo`, received: () => n };
}

const honest: Reply = (ws, data, isBinary) => ws.send(data, { binary: isBinary });

afterEach(async () => {
  await closeClients(clients);
  clients = [];
  for (const wss of servers) {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((r) => wss.close(r));
  }
  servers = [];
});

describe('payloads', () => {
  it('makes 64 distinct payloads of exactly the size asked, in printable ASCII', () => {
    for (const bytes of [1, 32, 1024]) {
      const pool = payloads(bytes);
      expect(pool).toHaveLength(64);
      for (const p of pool) expect(p.length).toBe(bytes);
      if (bytes >= 3) expect(new Set(pool.map((p) => p.toString('latin1'))).size).toBe(64);
      for (const p of pool) expect(p.toString('latin1')).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe('echoLoad', () => {
  it('sends exactly the messages asked over all connections, remainder included, and counts their echoes', async () => {
    const s = await server(honest);
    clients = await connectClients(s.url, 7);
    expect(await echoLoad(clients, { messages: 1_003, inFlight: 16, bytes: 32, binary: false })).toBe(1_003);
    expect(s.received()).toBe(1_003);
    // The sockets are left clean: a second load on them counts only its own echoes.
    expect(await echoLoad(clients, { messages: 50, inFlight: 1, bytes: 70_000, binary: true })).toBe(50);
    expect(s.received()).toBe(1_053);
  });

  it('fails when one byte of one echo differs from what was sent', async () => {
    const s = await server((ws, data, isBinary, n) => {
      const copy = Buffer.from(data);
      if (n === 500) copy[copy.length - 1] = 0x21;
      ws.send(copy, { binary: isBinary });
    });
    clients = await connectClients(s.url, 5);
    await expect(
      echoLoad(clients, { messages: 1_000, inFlight: 16, bytes: 32, binary: false }),
    ).rejects.toThrow(/the echo differs from what was sent/);
  });

  it('fails when echoes come back out of order', async () => {
    let held: Buffer | undefined;
    const s = await server((ws, data, isBinary) => {
      if (held === undefined) {
        held = Buffer.from(data);
        return;
      }
      ws.send(data, { binary: isBinary });
      ws.send(held, { binary: isBinary });
      held = undefined;
    });
    clients = await connectClients(s.url, 1);
    await expect(echoLoad(clients, { messages: 10, inFlight: 4, bytes: 32, binary: true })).rejects.toThrow(
      /connection 0, message 0: the echo differs/,
    );
  });

  it('fails when a text message comes back as binary', async () => {
    const s = await server((ws, data) => ws.send(data, { binary: true }));
    clients = await connectClients(s.url, 2);
    await expect(echoLoad(clients, { messages: 10, inFlight: 1, bytes: 32, binary: false })).rejects.toThrow(
      /got binary/,
    );
  });

  it('fails when the server closes a connection during the load', async () => {
    const s = await server((ws, data, isBinary, n) =>
      n === 20 ? ws.close(1011) : ws.send(data, { binary: isBinary }),
    );
    clients = await connectClients(s.url, 3);
    await expect(echoLoad(clients, { messages: 300, inFlight: 4, bytes: 32, binary: false })).rejects.toThrow(
      /closed \(1011\) during the load/,
    );
  });
});
