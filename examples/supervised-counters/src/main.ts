import { createNode, Supervisor } from '@corral/actor';
import { pino } from 'pino';
import { startTree, story } from './counters.js';

// Every record below is JSON from pino: the node logs crash reports, supervisor reports
// (label 'supervisor_report', context 'child_terminated' | 'shutdown' | ...) and restart
// progress (label 'progress', context 'restarting') through the logger it is given.
const logger = pino({ base: { app: 'supervised-counters' } });
const node = createNode({ name: 'demo', logger });

const root = await startTree(node);
logger.info({ children: await Supervisor.whichChildren(root) }, 'tree started');

await story(node, (msg, data) => logger.info(data ?? {}, msg));

await Supervisor.stop(root);
logger.info({ processes: node.processCount() }, 'root stopped: the whole tree is gone');
node.shutdown();
