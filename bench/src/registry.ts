/**
 * Every benchmark suite, one line each, in the order the table prints them. Entries are
 * lazy: `main.ts` loads them all to list the cases; a child process loads only its own.
 * To add a suite, write one file (see suite.ts and bench/README.md) and add its line here.
 */
import type { Suite } from './suite.js';

export type SuiteLoader = () => Promise<{ default: Suite }>;

export const registry: readonly SuiteLoader[] = [
  () => import('./actor/ping-pong.js'),
  () => import('./xstate/ping-pong.js'),
  () => import('./actor/flood.js'),
  () => import('./xstate/flood.js'),
  () => import('./actor/spawn-exit.js'),
  () => import('./xstate/spawn-exit.js'),
  () => import('./actor/spawn-link-monitor.js'),
  () => import('./actor/idle-memory.js'),
  () => import('./xstate/idle-memory.js'),
  () => import('./otp/gen-server-call.js'),
  () => import('./otp/gen-server-cast.js'),
  () => import('./otp/supervisor-restart.js'),
  () => import('./otp/dynamic-supervisor-start.js'),
  () => import('./otp/dynamic-supervisor-exit.js'),
  () => import('./otp/pg-broadcast.js'),
  () => import('./ws/echo-corral.js'),
  () => import('./ws/echo-ws.js'),
  () => import('./ws/echo-cpu-corral.js'),
  () => import('./ws/echo-cpu-ws.js'),
  () => import('./ws/idle-memory-corral.js'),
  () => import('./ws/idle-memory-ws.js'),
  () => import('./statem/events.js'),
  () => import('./statem/xstate-events.js'),
  () => import('./statem/spawn.js'),
  () => import('./statem/xstate-spawn.js'),
  () => import('./statem/idle-memory.js'),
];
