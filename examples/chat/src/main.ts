import { createNode, formatReason } from '@corral/actor';
import { pino } from 'pino';
import { startChat } from './app.js';

// Every record is JSON from pino. Besides the app's own lines, the node logs a `crash_report`
// when a process throws (try the page's "crash this room" button), and the supervisors log
// `supervisor_report` (context 'child_terminated', ...) and `progress` (context 'restarting').
// `base` replaces pino's own { pid, hostname }: each process logs with its Corral { pid, name }.
const logger = pino({ base: { app: 'chat' }, level: process.env.LOG_LEVEL ?? 'info' });
const node = createNode({ name: 'chat', logger });

const app = await startChat(node, {
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
});
logger.info(`chat is up: open ${app.url} in two browser windows (Ctrl-C to stop)`);

let stopping = false;
// If the top supervisor itself gives up (its children failed too often), there is nothing left to serve.
node.onExit(app.root, (reason) => {
  if (stopping) return;
  logger.error({ reason: formatReason(reason) }, 'the chat supervisor gave up');
  process.exit(1);
});

const stop = async (): Promise<void> => {
  stopping = true;
  await app.stop(); // every connection closes with 1001, then the rooms stop
  node.shutdown();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
