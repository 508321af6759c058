/**
 * WebSocket routes beside the plain routes of the two common Node web frameworks, Express 5 and
 * Fastify 5 (devDependencies): `attach` to the server they run on, and `handleUpgrade` from an
 * `'upgrade'` listener of one's own. The frameworks keep answering their requests; the upgrades
 * become connection processes.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { attach } from '../../src/server/listener.js';
import { handleUpgrade } from '../../src/server/upgrade.js';
import { closeTracked, recorder, serveLocal, testNode, track, until, wsClient } from '../server/support.js';

afterEach(closeTracked);

/** Sends `text` and resolves with the next message received. */
async function roundTrip(ws: WebSocket, text: string): Promise<string> {
  const reply = once(ws, 'message');
  ws.send(text);
  return String((await reply)[0]);
}

/** An Express 5 app with a JSON route, on 127.0.0.1. */
async function expressServer() {
  const app = express();
  app.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  const server = createServer(app);
  return { server, port: await serveLocal(server) };
}

describe('Express 5', () => {
  it('attach: WebSocket routes with bindings on the server Express runs on; Express still answers its own', async () => {
    const { node } = testNode();
    const { server, port } = await expressServer();
    const rec = recorder();
    const attached = await attach(node, server, { '/ws/:room': [rec.handler, {}] });
    track(() => attached.close());

    const ws = await wsClient(`ws://127.0.0.1:${port}/ws/lobby`);
    expect(await roundTrip(ws, 'hello from a browser')).toBe('hello from a browser');
    expect(rec.inits.map((r) => [r.path, r.bindings])).toEqual([['/ws/lobby', { room: 'lobby' }]]);

    const user = await fetch(`http://127.0.0.1:${port}/users/7`);
    expect(user.headers.get('x-powered-by')).toBe('Express');
    expect(await user.json()).toEqual({ id: '7' });
    expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404); // Express's own 404

    ws.close(1000, 'bye');
    await until(() => rec.terminations.length === 1);
    expect(rec.terminations[0]!.reason).toEqual(['remote', 1000, Buffer.from('bye')]);
  });

  it("handleUpgrade from the app's own 'upgrade' listener", async () => {
    const { node } = testNode();
    const { server, port } = await expressServer();
    const rec = recorder();
    server.on('upgrade', (req, socket, head) => {
      if (req.url === '/live') void handleUpgrade(node, req, socket, head, rec.handler, {});
      else socket.destroy();
    });

    const ws = await wsClient(`ws://127.0.0.1:${port}/live`);
    expect(await roundTrip(ws, 'é and 🐎')).toBe('é and 🐎');
    expect(node.processCount()).toBe(1);
    expect(await (await fetch(`http://127.0.0.1:${port}/users/x`)).json()).toEqual({ id: 'x' });
  });
});

describe('Fastify 5', () => {
  it('attach to fastify.server: WebSocket and Fastify routes side by side, and both close in order', async () => {
    const { node } = testNode();
    const app = Fastify();
    app.get('/health', async () => ({ ok: true }));
    const rec = recorder();
    const attached = await attach(node, app.server, { '/ws': [rec.handler, {}] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    let closed = false;
    track(async () => {
      if (!closed) {
        await attached.close();
        await app.close();
      }
    });
    const port = (app.server.address() as AddressInfo).port;

    const clients = await Promise.all([1, 2, 3].map(() => wsClient(`ws://127.0.0.1:${port}/ws`)));
    expect(await Promise.all(clients.map((ws, i) => roundTrip(ws, `client ${i}`)))).toEqual([
      'client 0',
      'client 1',
      'client 2',
    ]);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ ok: true });
    expect(await attached.connectionCount()).toBe(3);

    // The connections close with 1001 (going away) when the attachment closes; then Fastify can.
    const codes = clients.map((ws) => once(ws, 'close').then(([code]) => code as number));
    await attached.close();
    expect(await Promise.all(codes)).toEqual([1001, 1001, 1001]);
    await app.close();
    closed = true;
    expect(rec.terminations.map((t) => t.reason)).toEqual(['shutdown', 'shutdown', 'shutdown']);
  });
});
