import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attach, listen } from '../../src/server/listener.js';
import {
  closeTracked,
  gatedRecorder,
  localListener,
  Opcode,
  RawClient,
  recorder,
  serveLocal,
  switching,
  testNode,
  track,
  until,
  upgradeRequest,
  wsClient,
} from './support.js';

afterEach(closeTracked);

const nextMessage = async (ws: WebSocket): Promise<string> => String((await once(ws, 'message'))[0]);

describe('listen', () => {
  it('serves a route end to end with the ws client: upgrade, echo, close, and the connection is gone', async () => {
    const { node } = testNode();
    const rec = recorder();
    const listener = await localListener({ node, routes: { '/echo': [rec.handler, {}] } });
    expect(listener.address).toBe('127.0.0.1');
    const ws = await wsClient(`ws://127.0.0.1:${listener.port}/echo`);
    expect(await listener.connections()).toHaveLength(1);
    expect(await listener.connectionCount()).toBe(1);
    ws.send('hello');
    expect(await nextMessage(ws)).toBe('hello');
    ws.close(1000, 'bye');
    const [code] = await once(ws, 'close');
    expect(code).toBe(1000);
    await until(() => rec.terminations.length === 1);
    expect(rec.terminations[0]!.reason).toEqual(['remote', 1000, Buffer.from('bye')]);
    await until(() => node.processCount() === 1, 'only the supervisor left');
    expect(await listener.connections()).toEqual([]);
  });

  it('negotiates a sub-protocol with the ws client', async () => {
    const { node } = testNode();
    const rec = recorder<null>((req, s) => ['websocket', req.selectProtocol('superchat'), s]);
    const listener = await localListener({ node, routes: { '/chat': [rec.handler, null] } });
    const ws = await wsClient(`ws://127.0.0.1:${listener.port}/chat`, ['chat', 'superchat']);
    expect(ws.protocol).toBe('superchat');
  });

  it('binds :name segments of the route into req.bindings', async () => {
    const { node } = testNode();
    const rec = recorder<null>((req, s) => ['websocket', req, s], {
      websocketInit: (s) => ['reply', ['text', 'welcome'], s],
    });
    const listener = await localListener({
      node,
      routes: [{ path: '/rooms/:room', handler: rec.handler, state: null }],
    });
    const ws = new WebSocket(`ws://127.0.0.1:${listener.port}/rooms/lobby?user=ann`);
    track(() => ws.terminate());
    // websocketInit's frame may arrive with the 101: listen before the socket opens.
    expect(await nextMessage(ws)).toBe('welcome');
    expect(rec.inits[0]!.bindings).toEqual({ room: 'lobby' });
    expect(rec.inits[0]!.query.get('user')).toBe('ann');
  });

  it('answers an upgrade for an unknown path with exactly 404 and closes the socket', async () => {
    const { node } = testNode();
    const rec = recorder();
    const listener = await localListener({ node, routes: { '/echo': [rec.handler, {}] } });
    const client = await RawClient.connect(listener.port);
    client.write(upgradeRequest('/nope'));
    expect(await client.readToClose()).toBe(
      'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(rec.inits).toEqual([]);
  });

  it('answers an upgrade whose path cannot be decoded with 400, as cowboy_router does', async () => {
    const { node } = testNode();
    const listener = await localListener({ node, routes: { '/:x': [recorder().handler, {}] } });
    const client = await RawClient.connect(listener.port);
    client.write(upgradeRequest('/%E0%A4%A'));
    expect(await client.readToClose()).toBe(
      'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });

  it('answers plain HTTP requests with 426 Upgrade: websocket on a route and 404 elsewhere', async () => {
    const { node } = testNode();
    const listener = await localListener({ node, routes: { '/echo': [recorder().handler, {}] } });
    const res = await fetch(`http://127.0.0.1:${listener.port}/echo`);
    expect([res.status, res.headers.get('upgrade'), res.headers.get('connection')]).toEqual([
      426,
      'websocket',
      'Upgrade',
    ]);
    expect((await fetch(`http://127.0.0.1:${listener.port}/other`)).status).toBe(404);
  });

  it('passes plain HTTP requests to the request option instead', async () => {
    const { node } = testNode();
    const listener = await localListener({
      node,
      routes: { '/echo': [recorder().handler, {}] },
      request: (_req, res) => res.writeHead(200).end('health: ok'),
    });
    const res = await fetch(`http://127.0.0.1:${listener.port}/health`);
    expect([res.status, await res.text()]).toEqual([200, 'health: ok']);
  });

  it('gives connections the listener defaults, under the route options and init options (maxFrameSize → 1009)', async () => {
    const { node } = testNode();
    const rec = recorder<null>((req, s) => ['websocket', req, s, { validateUtf8: false }]);
    const listener = await localListener({
      node,
      defaults: { maxFrameSize: 3, idleTimeout: 1234 },
      routes: { '/a': [rec.handler, null, { idleTimeout: 99 }] },
    });
    const client = await RawClient.connect(listener.port);
    client.write(upgradeRequest('/a'));
    expect(await client.readHead()).toBe(switching());
    client.sendFrame(Opcode.Text, 'four');
    const frame = await client.readFrame();
    expect([frame.type, frame.closeCode]).toEqual(['close', 1009]);
  });

  it('refuses bad defaults or routes when it starts, before listening', async () => {
    const { node } = testNode();
    await expect(
      listen({ node, host: '127.0.0.1', routes: { nope: [recorder().handler, {}] } }),
    ).rejects.toThrow(/must begin with a slash/);
    await expect(
      listen({ node, host: '127.0.0.1', routes: {}, defaults: { maxFrameSize: Number.NaN } }),
    ).rejects.toThrow(/maxFrameSize must be/);
    await expect(listen({ node, host: '127.0.0.1', routes: {}, shutdownTimeout: 1.5 })).rejects.toThrow(
      /shutdownTimeout must be/,
    );
    expect(node.processCount()).toBe(0);
  });

  it('rejects when the port is taken, leaving no supervisor behind', async () => {
    const { node } = testNode();
    const first = await localListener({ node, routes: {} });
    const before = node.processCount();
    await expect(listen({ node, host: '127.0.0.1', port: first.port, routes: {} })).rejects.toThrow(
      /EADDRINUSE/,
    );
    expect(node.processCount()).toBe(before);
  });

  it('close() closes every connection with 1001, runs every terminate, stops the supervisor and the server', async () => {
    const { node } = testNode();
    const rec = recorder();
    const listener = await listen({
      node,
      host: '127.0.0.1',
      port: 0,
      routes: { '/echo': [rec.handler, {}] },
    });
    const clients = await Promise.all([1, 2, 3].map(() => wsClient(`ws://127.0.0.1:${listener.port}/echo`)));
    const closes = clients.map((ws) => once(ws, 'close'));
    expect(await listener.connectionCount()).toBe(3);
    await listener.close();
    expect((await Promise.all(closes)).map(([code]) => code)).toEqual([1001, 1001, 1001]);
    expect(rec.terminations.map((t) => t.reason)).toEqual(['shutdown', 'shutdown', 'shutdown']);
    expect(await listener.connectionCount()).toBe(0);
    expect(node.isAlive(listener.supervisor)).toBe(false);
    expect(listener.server.listening).toBe(false);
    expect(node.processCount()).toBe(0);
    await listener.close(); // idempotent
  });

  it('close() answers an upgrade whose init was still running with 503', async () => {
    const { node } = testNode();
    const rec = gatedRecorder<null>();
    const { release } = rec;
    const listener = await listen({
      node,
      host: '127.0.0.1',
      port: 0,
      routes: { '/slow': [rec.handler, null] },
    });
    const client = await RawClient.connect(listener.port);
    client.write(upgradeRequest('/slow'));
    await until(() => rec.inits.length === 1);
    const closed = listener.close();
    await until(() => !node.isAlive(listener.supervisor));
    release();
    expect(await client.readToClose()).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    await closed;
    expect(rec.terminations.map((t) => t.reason)).toEqual(['shutdown']);
  });

  it('logs a supervisor_report when a connection crashes', async () => {
    const { node, records } = testNode();
    const rec = recorder(undefined, {
      websocketHandle: () => {
        throw new Error('handler bug');
      },
    });
    const listener = await localListener({ node, routes: { '/echo': [rec.handler, {}] } });
    const ws = await wsClient(`ws://127.0.0.1:${listener.port}/echo`);
    ws.send('x');
    const [code] = await once(ws, 'close');
    expect(code).toBe(1011);
    await until(() => records.some((r) => r.label === 'supervisor_report'));
    expect(records.find((r) => r.label === 'supervisor_report')).toMatchObject({
      level: 'error',
      context: 'child_terminated',
      supervisor: listener.supervisor.toString(),
      restartType: 'temporary',
      reason: 'crash: Error: handler bug',
    });
    expect(await listener.connectionCount()).toBe(0);
  });
});

describe('attach', () => {
  /** An app server with its own plain routes (what Express would be), on 127.0.0.1. */
  async function appServer() {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`app: ${req.url}`);
    });
    return { server, port: await serveLocal(server) };
  }

  it('serves WebSocket routes on an existing server while its plain HTTP requests keep working', async () => {
    const { node } = testNode();
    const { server, port } = await appServer();
    const rec = recorder();
    const attached = await attach(node, server, { '/ws': [rec.handler, {}] });
    track(() => attached.close());
    const res = await fetch(`http://127.0.0.1:${port}/users`);
    expect(await res.text()).toBe('app: /users');
    const ws = await wsClient(`ws://127.0.0.1:${port}/ws`);
    ws.send('ping?');
    expect(await nextMessage(ws)).toBe('ping?');
    expect((await fetch(`http://127.0.0.1:${port}/ws`)).status).toBe(200); // plain requests stay the app's
    expect(await attached.connectionCount()).toBe(1);
  });

  it('answers an upgrade for a path it does not route with 404', async () => {
    const { node } = testNode();
    const { server, port } = await appServer();
    const attached = await attach(node, server, { '/ws': [recorder().handler, {}] });
    track(() => attached.close());
    const client = await RawClient.connect(port);
    client.write(upgradeRequest('/other'));
    expect(await client.readToClose()).toBe(
      'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });

  it('with passThrough, leaves other paths to the server’s other upgrade listeners', async () => {
    const { node } = testNode();
    const { server, port } = await appServer();
    const others: string[] = [];
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      if (req.url !== '/legacy') return;
      others.push(req.url);
      socket.end("HTTP/1.1 418 I'm a Teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    const attached = await attach(node, server, { '/ws': [recorder().handler, {}] }, undefined, {
      passThrough: true,
    });
    track(() => attached.close());
    const client = await RawClient.connect(port);
    client.write(upgradeRequest('/legacy'));
    expect(await client.readToClose()).toMatch(/^HTTP\/1\.1 418 /);
    expect(others).toEqual(['/legacy']);
    const ws = await wsClient(`ws://127.0.0.1:${port}/ws`);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('close() closes its connections with 1001 and stops taking upgrades, but leaves the server running', async () => {
    const { node } = testNode();
    const { server, port } = await appServer();
    const rec = recorder();
    const attached = await attach(node, server, { '/ws': [rec.handler, {}] }, { idleTimeout: 30_000 });
    const ws = await wsClient(`ws://127.0.0.1:${port}/ws`);
    const closing = once(ws, 'close');
    await attached.close();
    expect((await closing)[0]).toBe(1001);
    expect(rec.terminations.map((t) => t.reason)).toEqual(['shutdown']);
    expect(server.listening).toBe(true);
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(await (await fetch(`http://127.0.0.1:${port}/still`)).text()).toBe('app: /still');
  });
});
