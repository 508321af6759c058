/**
 * Figures measured elsewhere, printed beside ours. They are not re-measured by `npm run bench`
 * (there is no Erlang here); the xstate figures are measured live as well, and the ratios use
 * the live ones.
 */

/** Where the Erlang figures come from. */
export const ERLANG_SOURCE = 'Erlang/OTP 25, one scheduler, on the same 2-core machine';

/** Erlang/OTP 25 on one scheduler: the figures Corral aims to meet on one core. */
export const ERLANG = {
  pingPong: 2.68e6, // msgs/s
  flood: 9.5e6, // msgs/s
  spawnExit: 1.05e6, // procs/s
  spawnLinkMonitor: 535e3, // procs/s
  bytesPerIdleProcess: 2_640,
  /** `gen_server:call/2` round trips per second, one caller in a loop. */
  genServerCall: 632e3,
} as const;

/** xstate v5 figures reported earlier on the same machine (for the record; the run measures xstate live). */
export const XSTATE_REPORTED = {
  pingPong: 346e3, // msgs/s
  flood: 284e3, // msgs/s
  spawnExit: 69e3, // actors/s
  bytesPerActor: 3_548,
} as const;

/** Corral's goal for bytes per idle callback process. */
export const TARGET_BYTES_PER_IDLE_CALLBACK_PROCESS = 1_000;

/**
 * The goal for memory per idle WebSocket connection: at most 5 KB (the shared load
 * generator measures it as server RSS growth at 10,000 connections; the bench's own
 * `ws-idle-memory/corral/rss` case, at 1,000, is held to it too).
 */
export const TARGET_BYTES_PER_IDLE_CONNECTION = 5_000;
