import { createServer } from 'node:http';
import type { Node } from '@corral/actor';
import { type Listener, listen } from '@corral/websocket';
import { echoHandler } from './echo-handler.js';
import { page } from './page.js';

/** Serves the page on `/` and the echo handler on `/websocket` from one `http.Server`. */
export function startEchoServer(node: Node, port: number, host = '127.0.0.1'): Promise<Listener> {
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return listen({ node, port, host, server, routes: { '/websocket': [echoHandler, { echoed: 0 }] } });
}
