/**
 * The envelope: how what arrives in a machine process's mailbox becomes an xstate event.
 * gen_statem tags every event with its type (`{call, From}`, `cast`, `info`); xstate
 * dispatches on the event's own `type`, so the mapping keeps the user's event as it is and
 * adds only what a machine needs to answer:
 *
 * | mailbox message                                  | machine event                                          |
 * | ------------------------------------------------ | ------------------------------------------------------ |
 * | an event object `{ type: 'x', ... }`              | itself                                                 |
 * | a string `'x'`                                   | `{ type: 'x' }`                                        |
 * | `GenServer.call` / `Statem.call` of an event      | the event plus `$from` (answer with the `reply` action) |
 * | `GenServer.cast` / `Statem.cast` of an event      | the event                                              |
 * | `['EXIT', from, reason]` (trapping exits)        | `{ type: 'corral.exit', from, reason }`                |
 * | `['DOWN', ref, 'process', pid, reason]`          | `{ type: 'corral.down', ref, pid, reason }`            |
 * | any other message `m`                             | `{ type: 'corral.info', message: m }`                  |
 * | a call or cast of a non-event `m`                 | `{ type: 'corral.call' / 'corral.cast', message: m }`  |
 * | the process is being stopped                      | `{ type: 'corral.terminate', reason }`                 |
 *
 * @example
 * const lock = setup({ types: { events: {} as CallEvent<{ type: 'status' }, string> | { type: 'lock' } } })
 *   .createMachine({ on: { status: { actions: reply(({ self }) => String(self.getSnapshot().value)) } } });
 */
import {
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  type From,
  GenServerCall,
  isDownMessage,
  isExitMessage,
  type Pid,
  type Ref,
} from '@corral/actor';
import type { EventObject } from 'xstate';

/** The key under which a call's `from` rides on its event. `$` keeps it apart from the user's own fields. */
export const FROM = '$from';

/**
 * An event that came as a call: answer it with `reply(value)` in the same step, or keep
 * `event.$from` in context and answer later with `replyTo(from, value)`.
 */
export type CallEvent<E extends EventObject = EventObject, Reply = unknown> = E & {
  readonly $from: From<Reply>;
};

/** An exit signal from a linked process, when the machine process traps exits. */
export interface ExitEvent {
  type: 'corral.exit';
  from: Pid<any>;
  reason: ExitReason;
}

/** A monitor fired. */
export interface DownEvent {
  type: 'corral.down';
  ref: Ref;
  pid: Pid<any> | string;
  reason: ExitReason;
}

/** A message that is not an event object (nor a string, nor EXIT/DOWN). */
export interface InfoEvent<M = unknown> {
  type: 'corral.info';
  message: M;
}

/** A call whose request is not an event object; it carries `$from` like every call. */
export interface RawCallEvent<M = unknown> {
  type: 'corral.call';
  message: M;
  readonly $from: From<unknown>;
}

/** A cast whose message is not an event object. */
export interface RawCastEvent<M = unknown> {
  type: 'corral.cast';
  message: M;
}

/**
 * Sent to the machine once when its process is stopped from outside (`Statem.stop`, its
 * supervisor's shutdown when it traps exits, a WebSocket connection closing), before it
 * ends: the place for cleanup, like gen_statem's `terminate/3`.
 */
export interface TerminateEvent {
  type: 'corral.terminate';
  reason: unknown;
}

/** The events Corral itself makes; add them to a machine's event types when it handles them. */
export type CorralEvent = ExitEvent | DownEvent | InfoEvent | RawCallEvent | RawCastEvent | TerminateEvent;

/** True for `{ type: string, ... }` (not an array). */
export function isEventObject(m: unknown): m is EventObject {
  return (
    m !== null &&
    typeof m === 'object' &&
    !Array.isArray(m) &&
    typeof (m as { type?: unknown }).type === 'string'
  );
}

/** A mailbox message (not a call, cast or timer) as a machine event. */
export function infoEvent(msg: unknown): EventObject {
  if (typeof msg === 'string') return { type: msg };
  if (isEventObject(msg)) return msg;
  if (isExitMessage(msg)) {
    const [, from, reason] = msg as ExitMessage;
    const e: ExitEvent = { type: 'corral.exit', from, reason };
    return e;
  }
  if (isDownMessage(msg)) {
    const [, ref, , pid, reason] = msg as DownMessage;
    const e: DownEvent = { type: 'corral.down', ref, pid, reason };
    return e;
  }
  const e: InfoEvent = { type: 'corral.info', message: msg };
  return e;
}

/** A cast's message as a machine event. */
export function castEvent(msg: unknown): EventObject {
  if (typeof msg === 'string') return { type: msg };
  if (isEventObject(msg)) return msg;
  const e: RawCastEvent = { type: 'corral.cast', message: msg };
  return e;
}

/** A call's request as a machine event: a copy carrying `$from` (the caller's object is never touched). */
export function callEvent(req: unknown, from: From<unknown>): EventObject {
  if (typeof req === 'string') return { type: req, [FROM]: from } as CallEvent;
  if (isEventObject(req)) return { ...req, [FROM]: from } as CallEvent;
  const e: RawCallEvent = { type: 'corral.call', message: req, [FROM]: from };
  return e;
}

/** The `from` of a call event, or undefined for any other event (a `$from` that is not a real call's counts as none). */
export function fromOf(event: EventObject): From<unknown> | undefined {
  const from = (event as { [FROM]?: unknown })[FROM];
  return from instanceof GenServerCall ? from : undefined;
}

/** The event the machine gets when its process is stopped. */
export function terminateEvent(reason: unknown): TerminateEvent {
  return { type: 'corral.terminate', reason };
}
