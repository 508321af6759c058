/**
 * Corral's entry point for the shared WebSocket load generator (`CORRAL_CMD`): listens on
 * 127.0.0.1:$PORT; `/echo` sends every message back with its type, `/broadcast` fans every
 * message out to every `/broadcast` connection through a `pg` group.
 *
 * Measured as plain JavaScript, built by `npm run bench:server` (see `src/build-server.ts`):
 *
 *   CORRAL_CMD='node bench/dist/ws-echo-server.js'
 *
 * `PORT=0` takes any free port; the JSON line printed once listening names the one taken.
 */
import { createNode, pg, self, silentLogger } from '@corral/actor';
import { type Handler, listen } from '@corral/websocket';

const node = createNode({ name: 'bench', logger: silentLogger });
const room = pg.startScope(node);

const echo: Handler<null> = {
  init: (req, s) => ['websocket', req, s, { maxFrameSize: 16 * 1024 * 1024 }],
  websocketHandle: (frame, s) =>
    frame[0] === 'text' || frame[0] === 'binary' ? ['reply', frame, s] : ['ok', s],
};

const broadcast: Handler<null, ['text', string] | ['binary', Buffer]> = {
  init: (req, s) => ['websocket', req, s, { maxFrameSize: 16 * 1024 * 1024 }],
  websocketInit: (s) => {
    room.join('broadcast', self().pid);
    return ['ok', s];
  },
  websocketHandle: (frame, s) => {
    if (frame[0] === 'text' || frame[0] === 'binary') room.broadcast('broadcast', frame);
    return ['ok', s];
  },
  websocketInfo: (frame, s) => ['reply', frame, s],
};

const listener = await listen({
  node,
  port: Number(process.env.PORT ?? 9109),
  host: '127.0.0.1',
  routes: { '/echo': [echo, null], '/broadcast': [broadcast, null] },
});
process.stderr.write(`${JSON.stringify({ server: 'corral', node: process.version, port: listener.port })}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
