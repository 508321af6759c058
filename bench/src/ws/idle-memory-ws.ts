/**
 * Bytes per idle WebSocket connection on `ws` (`WebSocketServer`): the peer of
 * idle-memory-corral.ts. See idle-cases.ts.
 */
import { defineSuite } from '../suite.js';
import { idleCase } from './idle-cases.js';

export default defineSuite({
  workload: 'ws-idle-memory',
  system: 'ws',
  title: 'Bytes per idle WebSocket connection (1,000, in the server process)',
  cases: {
    heap: idleCase('ws', {
      label: 'heap per idle connection',
      path: '/echo',
      measure: 'heapUsed',
      fresh: false,
    }),
    rss: idleCase('ws', {
      label: 'RSS per idle connection (fresh server per round)',
      path: '/echo',
      measure: 'rss',
      fresh: true,
    }),
  },
});
