import { createNode } from '@corral/actor';
import { pino } from 'pino';
import { startEchoServer } from './server.js';

const logger = pino({ base: { app: 'echo' } });
const node = createNode({ name: 'echo', logger });
const port = Number(process.env.PORT ?? 8080);
const listener = await startEchoServer(node, port);
logger.info(`open http://127.0.0.1:${listener.port}/ in a browser (Ctrl-C to stop)`);

const stop = async () => {
  await listener.close(); // every connection gets close 1001 and its terminate runs
  node.shutdown();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
