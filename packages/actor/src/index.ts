export { type Clock, ManualClock, systemClock } from './clock.js';
export { ActorError, ExitException } from './errors.js';
export { type CapturedRecord, captureLogger, defaultLogger, type Logger, silentLogger } from './logger.js';
export {
  createNode,
  type Node,
  NodeCore,
  type NodeOptions,
  type ProcessInfo,
  type ProcessStatus,
  send,
} from './node-core.js';
export { type Dest, type MessageOf, Pid, Ref } from './pid.js';
export {
  type DemonitorOptions,
  type ProcessBehaviour,
  type ProcessFunction,
  type Self,
  type SpawnOptions,
  TIMEOUT,
  type Timeout,
} from './process.js';
export {
  type CrashReason,
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  formatReason,
  isCleanExit,
  isCrash,
  isDownMessage,
  isExitMessage,
  type SystemMessage,
} from './reason.js';
export { self } from './self.js';
export { REDUCTIONS_PER_SLICE, REDUCTIONS_PER_TURN } from './scheduler.js';
