export { BadReturnError, CallError, type CallFunction, StartError } from './call-error.js';
export type {
  AutoShutdown,
  ChildId,
  ChildSpec,
  ChildType,
  RestartType,
  Shutdown,
  StartFunction,
} from './child-spec.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export type { DynamicChildSpec, DynamicSupervisorOptions } from './dynamic-supervisor.js';
export * as DynamicSupervisor from './dynamic-supervisor.js';
export { ActorError, ExitException } from './errors.js';
export * as GenServer from './gen-server.js';
/** @internal The GenServer request protocol, for behaviours in other packages that answer `GenServer.call`/`cast`/`stop`/`getState` (@corral/statem). */
export {
  Call as GenServerCall,
  Cast as GenServerCast,
  GET_STATE,
  SysStop as GenServerStop,
  USER_CALL,
} from './gen-server-call.js';
export type {
  Action,
  CallResult,
  From,
  GenServerBehaviour,
  GenServerPid,
  GenServerTypes,
  InitResult,
  NoReplyResult,
  ServerRef,
  Started,
  StartOptions,
} from './gen-server-types.js';
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
export type { Group, GroupStore, PgNotification, PgScope, ScopeOptions } from './pg.js';
export * as pg from './pg.js';
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
export { REDUCTIONS_PER_SLICE, REDUCTIONS_PER_TURN } from './scheduler.js';
export { self } from './self.js';
export type { ChildCounts, ChildInfo, Strategy, SupervisorFlags, SupervisorOptions } from './supervisor.js';
export * as Supervisor from './supervisor.js';
export type { ProgressContext, SupervisorReportContext } from './supervisor-reports.js';
export { isThenable } from './thenable.js';
