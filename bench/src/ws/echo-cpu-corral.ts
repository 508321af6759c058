/**
 * Server CPU per echoed message on Corral: the echo loads of echo-corral.ts, timed by the
 * server child's CPU clock. Compared with `ws` (echo-cpu-ws.ts). See echo-cases.ts.
 */
import { defineSuite } from '../suite.js';
import { echoCases, echoCpuCase } from './echo-cases.js';

export default defineSuite({
  workload: 'ws-echo-cpu',
  system: 'corral',
  title: 'WebSocket echo, server CPU per message',
  cases: echoCases('corral', echoCpuCase),
});
