import { createNode } from '@corral/actor';
import { pino } from 'pino';
import { startDoorLockServer } from './server.js';

const logger = pino({ name: 'door-lock' });
const node = createNode({ name: 'door_lock', logger });
const port = Number(process.env.PORT ?? 8080);
const code = process.env.CODE ?? '1234';
const listener = await startDoorLockServer(node, port, { code, autoLockMs: 10_000 });
logger.info(`open http://127.0.0.1:${listener.port}/ and enter ${code} (Ctrl-C to stop)`);

const stop = async () => {
  await listener.close(); // every connection closes with 1001; each lock gets corral.terminate
  node.shutdown();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
