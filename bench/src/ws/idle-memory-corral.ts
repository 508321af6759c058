/**
 * Bytes per idle WebSocket connection on Corral (`listen`, a process per connection), and what
 * `'hibernate'` releases: the same connections on a route whose handler hibernates after its
 * reply. Compared with `ws` (idle-memory-ws.ts). See idle-cases.ts.
 */
import { TARGET_BYTES_PER_IDLE_CONNECTION } from '../references.js';
import { defineSuite } from '../suite.js';
import { idleCase } from './idle-cases.js';

export default defineSuite({
  workload: 'ws-idle-memory',
  system: 'corral',
  title: 'Bytes per idle WebSocket connection (1,000, in the server process)',
  cases: {
    heap: idleCase('corral', {
      label: 'heap per idle connection',
      path: '/echo',
      measure: 'heapUsed',
      fresh: false,
    }),
    'heap-hibernate': idleCase('corral', {
      label: "heap per idle connection, handler returned 'hibernate'",
      path: '/echo-hibernate',
      measure: 'heapUsed',
      fresh: false,
    }),
    rss: idleCase('corral', {
      label: 'RSS per idle connection (fresh server per round)',
      path: '/echo',
      measure: 'rss',
      fresh: true,
      target: TARGET_BYTES_PER_IDLE_CONNECTION,
    }),
  },
});
