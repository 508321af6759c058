import type { GenServerPid, SystemMessage } from '@corral/actor';
import type {
  AnyActorLogic,
  EmittedFrom,
  EventFromLogic,
  EventObject,
  InputFrom,
  SnapshotFrom,
} from 'xstate';
import type { FROM } from './envelope.js';
import type { Engine } from './runner.js';
import type { SnapshotStore } from './snapshot-store.js';

/**
 * Options of `spawnMachine`, `Statem.start` and `Statem.startLink`; every one is optional.
 *
 * | option        | default                                                              |
 * | ------------- | -------------------------------------------------------------------- |
 * | `input`       | none (`createActor(logic, { input })`)                                |
 * | `name`        | none: register the process under this name before it runs            |
 * | `trapExit`    | false                                                                |
 * | `engine`      | `'transition'`, or `'actor'` for machines that `invoke` and for logic with `start` |
 * | `persist`     | none: a restart starts from the initial state                         |
 * | `formatState` | the snapshot as it is                                                 |
 * | `onEmit`      | none: `emit(...)` events are dropped, as xstate drops unheard ones    |
 */
export interface MachineOptions<TLogic extends AnyActorLogic = AnyActorLogic> {
  /** The logic's input. */
  input?: InputFrom<TLogic>;
  /** Register the process under this name before it runs (a taken name fails the start). */
  name?: string;
  /** Start with exits trapped: exit signals from links arrive as `corral.exit` events, and the parent's stops the machine in order. */
  trapExit?: boolean;
  /** How the machine is run: see {@link Engine}. */
  engine?: Engine;
  /** Restart from the last snapshot saved here instead of the initial state (see `memoryStore`). */
  persist?: SnapshotStore;
  /** What `processInfo(pid).state` shows (e.g. to hide secrets in context); default: the snapshot. */
  formatState?: (snapshot: SnapshotFrom<TLogic>) => unknown;
  /** Receives the machine's `emit(...)` events. */
  onEmit?: (event: EmittedFrom<TLogic>) => void;
}

/** An event as a sender writes it: a call's `$from` is added by the runtime, never by the sender. */
export type Outgoing<E extends EventObject> = E extends unknown ? Omit<E, typeof FROM> : never;

/** What a machine process accepts: its events (as objects or bare type strings), calls, casts, EXIT/DOWN. */
export interface MachineTypes<E extends EventObject> {
  call: Outgoing<E> | E['type'];
  reply: unknown;
  cast: Outgoing<E> | E['type'];
  info: Outgoing<E> | E['type'] | SystemMessage;
}

/**
 * A machine process's pid, typed by the machine's events: `node.send(pid, { type: 'coin' })`
 * and `GenServer.call(pid, ...)` type-check against them.
 */
export type MachinePid<TLogic extends AnyActorLogic = AnyActorLogic> = GenServerPid<
  MachineTypes<EventFromLogic<TLogic>>
>;
