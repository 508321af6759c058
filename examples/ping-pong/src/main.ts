import { createNode, formatReason } from '@corral/actor';
import { pino } from 'pino';
import { playRallies, startPonger, watchACrash } from './ping-pong.js';

const logger = pino({ base: { app: 'ping-pong' } });
const node = createNode({ name: 'demo', logger });

const ponger = startPonger(node);
const started = performance.now();
const rallies = await playRallies(node, ponger, 100_000);
const ms = performance.now() - started;
logger.info(
  { rallies, ms: Math.round(ms) },
  `played ${rallies} rallies (${Math.round((2 * rallies) / (ms / 1000))} msgs/s)`,
);
logger.info(
  { ponger: ponger.toString(), info: node.processInfo(ponger) },
  'the ponger, as processInfo sees it',
);

const reason = await watchACrash(node);
logger.info({ reason: formatReason(reason) }, 'the watcher trapped its linked worker crash and lives on');
node.shutdown();
