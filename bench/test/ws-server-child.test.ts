import { describe, expect, it } from 'vitest';
import { closeClients, connectClients, echoLoad } from '../src/ws/echo-client.js';
import { type ServerName, startServer } from '../src/ws/server-child.js';

// Memory per connection is measured inside the server child, so the child must count the
// connections it holds itself and answer from there.

describe.each(['corral', 'ws'] satisfies ServerName[])('the %s server child', (name) => {
  it('listens on a port of its own, echoes, and reports the connections it holds and its memory', async () => {
    const server = await startServer(name);
    try {
      expect(server.port).toBeGreaterThan(0);
      const before = await server.query('memory');
      expect(before.connections).toBe(0);
      const sockets = await connectClients(server.url('/echo'), 25);
      expect(await echoLoad(sockets, { messages: 100, inFlight: 2, bytes: 1024, binary: false })).toBe(100);
      const held = await server.query('memory');
      expect(held.connections).toBe(25);
      expect(held.heapUsed).toBeGreaterThan(before.heapUsed);
      expect(held.rss).toBeGreaterThan(held.heapUsed);
      const cpu = await server.query('cpu');
      expect(cpu.cpuMicros).toBeGreaterThan(0);
      await closeClients(sockets);
    } finally {
      await server.stop();
    }
    await expect(server.query('memory')).rejects.toThrow(/server child is gone/);
  });
});

describe('the corral server child', () => {
  it("echoes on its hibernating route as on /echo (the handler returns 'hibernate' after each reply)", async () => {
    const server = await startServer('corral');
    try {
      const sockets = await connectClients(server.url('/echo-hibernate'), 10);
      expect(await echoLoad(sockets, { messages: 200, inFlight: 4, bytes: 2048, binary: true })).toBe(200);
      expect((await server.query('memory')).connections).toBe(10);
      await closeClients(sockets);
    } finally {
      await server.stop();
    }
  });
});
