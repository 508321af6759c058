export {
  type CorralAction,
  cast,
  demonitor,
  type Expr,
  link,
  monitor,
  reply,
  replyTo,
  send,
  stop,
  trapExit,
  unlink,
} from './actions.js';
export {
  ClockTick,
  DelayedEvent,
  type PersistedTimer,
  processClock,
  type XstateClock,
} from './clock-adapter.js';
export {
  type CallEvent,
  type CorralEvent,
  type DownEvent,
  type ExitEvent,
  FROM,
  fromOf,
  type InfoEvent,
  type RawCallEvent,
  type RawCastEvent,
  type TerminateEvent,
} from './envelope.js';
export { OutputError, StatemError } from './errors.js';
export { spawnMachine } from './machine-process.js';
export { defaultEngine, type Engine } from './runner.js';
export { memoryStore, type PersistedMachine, type SnapshotStore } from './snapshot-store.js';
export * as Statem from './statem.js';
export {
  type FrameEvent,
  frameEvent,
  jsonFrameEvent,
  type StatemHandler,
  type StatemHandlerOptions,
  StatemSocket,
  statemHandler,
} from './statem-handler.js';
export type { MachineOptions, MachinePid, MachineTypes, Outgoing } from './types.js';
export { close, deflate, sendFrame, sendJson, wsCommand } from './ws-actions.js';
