/**
 * Server CPU per echoed message on `ws`: the peer of echo-cpu-corral.ts. See echo-cases.ts.
 */
import { defineSuite } from '../suite.js';
import { echoCases, echoCpuCase } from './echo-cases.js';

export default defineSuite({
  workload: 'ws-echo-cpu',
  system: 'ws',
  title: 'WebSocket echo, server CPU per message',
  cases: echoCases('ws', echoCpuCase),
});
