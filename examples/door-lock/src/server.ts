import { createServer } from 'node:http';
import type { Node } from '@corral/actor';
import { jsonFrameEvent, statemHandler } from '@corral/statem';
import { type Listener, listen } from '@corral/websocket';
import { type DoorLockInput, doorLock } from './door-lock.js';
import { page } from './page.js';

/**
 * Each WebSocket connection on `/lock` runs its own door lock machine (the connection's
 * process is the lock); the route's state is the machine's input. The keypad page is on `/`.
 */
export function startDoorLockServer(
  node: Node,
  port: number,
  lock: DoorLockInput = { code: '1234' },
  host = '127.0.0.1',
): Promise<Listener> {
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  const handler = statemHandler(doorLock, { decode: jsonFrameEvent });
  return listen({ node, port, host, server, routes: { '/lock': [handler, lock] } });
}
