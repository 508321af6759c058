/**
 * WebSocket echo on Corral: `@corral/websocket`'s `listen`, one process per connection, the
 * handler replying with the frame it got. Compared with `ws` (echo-ws.ts) under the same
 * client in the same run. See echo-cases.ts.
 */
import { defineSuite } from '../suite.js';
import { echoCases } from './echo-cases.js';

export default defineSuite({
  workload: 'ws-echo',
  system: 'corral',
  title: 'WebSocket echo, 50 connections',
  cases: echoCases('corral'),
});
