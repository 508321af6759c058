/**
 * WebSocket echo on `ws` 8 (`WebSocketServer`, pure-JS masking): the peer Corral's echo rows
 * are divided by. See echo-cases.ts.
 */
import { defineSuite } from '../suite.js';
import { echoCases } from './echo-cases.js';

export default defineSuite({
  workload: 'ws-echo',
  system: 'ws',
  title: 'WebSocket echo, 50 connections',
  cases: echoCases('ws'),
});
