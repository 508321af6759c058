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
];
