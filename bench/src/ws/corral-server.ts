/**
 * Corral's server child for the self-contained WebSocket suites (see `server-ipc.ts`): listens
 * on 127.0.0.1:$PORT with `@corral/websocket`'s `listen`.
 *
 * - `/echo`: every text or binary message goes back as it came (the handler of the shared
 *   load generator's entry point, `echo-server.ts`);
 * - `/echo-hibernate`: the same, and the connection hibernates after each reply and right after
 *   it opens (`['reply', frame, s, 'hibernate']`, `['ok', s, 'hibernate']`): what an idle
 *   connection holds once hibernate has released what it can.
 */
import { createNode, silentLogger } from '@corral/actor';
import { type Handler, listen } from '@corral/websocket';
import { serveQueries } from './server-ipc.js';

const MAX_FRAME = 16 * 1024 * 1024;

const echo: Handler<null> = {
  init: (req, s) => ['websocket', req, s, { maxFrameSize: MAX_FRAME }],
  websocketHandle: (frame, s) =>
    frame[0] === 'text' || frame[0] === 'binary' ? ['reply', frame, s] : ['ok', s],
};

const echoHibernate: Handler<null> = {
  init: (req, s) => ['websocket', req, s, { maxFrameSize: MAX_FRAME }],
  websocketInit: (s) => ['ok', s, 'hibernate'],
  websocketHandle: (frame, s) =>
    frame[0] === 'text' || frame[0] === 'binary' ? ['reply', frame, s, 'hibernate'] : ['ok', s, 'hibernate'],
};

const node = createNode({ name: 'bench', logger: silentLogger });
const listener = await listen({
  node,
  port: Number(process.env.PORT ?? 0),
  host: '127.0.0.1',
  routes: { '/echo': [echo, null], '/echo-hibernate': [echoHibernate, null] },
});
serveQueries('corral', listener.port, () => listener.connectionCount());
