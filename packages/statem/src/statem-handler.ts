/**
 * An xstate machine as a WebSocket handler (`@corral/websocket`): the connection's process
 * runs the machine. Frames from the client and messages sent to the connection's pid become
 * events; the machine answers with WebSocket actions (`sendFrame`, `sendJson`, `deflate`,
 * `close`, `wsCommand`), which become the callback's commands, in order. Corral actions
 * (`send`, `reply`, `link`, `monitor`, `stop`, ...) work as in any machine process, and so do
 * `Statem.call` / `GenServer.call` on the connection's pid.
 *
 * | Cowboy callback                | what happens                                                        |
 * | ------------------------------ | ------------------------------------------------------------------- |
 * | `init(req, state)`             | upgrade; the machine's input is `opts.input(req, state)` (default: `state`) |
 * | `websocketInit(s)`             | the machine starts (initial transition) inside the connection process |
 * | `websocketHandle(frame, s)`    | `decode(frame)` is sent to the machine (default `{ type: 'ws.text', data }`, ...) |
 * | `websocketInfo(info, s)`       | the info as an event (same envelope as a machine process)           |
 * | `terminate(reason, req, s)`    | the machine gets `corral.terminate` with the reason, then stops      |
 *
 * A final state closes the connection with 1000 (exit `'normal'`); `stop(reason)` closes it
 * and the process exits with `reason`; a failing machine closes it with 1011.
 *
 * @example
 * import { listen } from '@corral/websocket';
 * import { jsonFrameEvent, statemHandler } from '@corral/statem';
 *
 * await listen({
 *   node,
 *   port: 8080,
 *   routes: { '/lock': [statemHandler(lockMachine, { decode: jsonFrameEvent }), { code: '1234' }] },
 * });
 */
import { GenServerStop, isCleanExit, self } from '@corral/actor';
import type {
  CallResult,
  Command,
  Handler,
  InFrame,
  InitResult,
  Req,
  TerminateReason,
  WsOptions,
} from '@corral/websocket';
import type { AnyActorLogic, EventObject, InputFrom, SnapshotFrom } from 'xstate';
import { FROM, isEventObject } from './envelope.js';
import { type Engine, MachineRunner } from './runner.js';

/** Options of {@link statemHandler}; every one is optional. */
export interface StatemHandlerOptions<TLogic extends AnyActorLogic, R> {
  /** The machine's input, from the upgrade request and the route's state. Default: the route's state. */
  input?: (req: Req, state: R) => InputFrom<TLogic>;
  /** WebSocket options returned from `init` (idle timeout, compression, ...). Default: the route's. */
  wsOptions?: WsOptions;
  /** A frame as an event; `undefined` drops the frame. Default: {@link frameEvent}. */
  decode?: (frame: InFrame) => EventObject | undefined;
  /** How the machine is run (see `Engine`). */
  engine?: Engine;
  /** Receives the machine's `emit(...)` events. */
  onEmit?: (event: EventObject) => void;
}

/** Events the default decoding makes. */
export type FrameEvent =
  | { type: 'ws.text'; data: string }
  | { type: 'ws.binary'; data: Buffer }
  | { type: 'ws.ping'; data: Buffer }
  | { type: 'ws.pong'; data: Buffer };

/** The default decoding: `['text', s]` → `{ type: 'ws.text', data: s }`, and likewise binary, ping, pong. */
export function frameEvent(frame: InFrame): FrameEvent {
  switch (frame[0]) {
    case 'text':
      return { type: 'ws.text', data: frame[1] };
    case 'binary':
      return { type: 'ws.binary', data: frame[1] };
    case 'ping':
      return { type: 'ws.ping', data: frame[1] };
    default:
      return { type: 'ws.pong', data: frame[1] };
  }
}

const RESERVED = /^(xstate|corral|ws)\./;

/**
 * A decoding for JSON clients: a text frame holding an event object (`{"type":"enter",...}`)
 * is that event; anything else is decoded as {@link frameEvent} does. A client cannot reach
 * the machine's internals: types starting with `xstate.`, `corral.` or `ws.` stay `ws.text`,
 * and a `$from` it sends is dropped.
 */
export function jsonFrameEvent(frame: InFrame): EventObject {
  if (frame[0] !== 'text') return frameEvent(frame);
  let v: unknown;
  try {
    v = JSON.parse(frame[1]);
  } catch {
    return frameEvent(frame);
  }
  if (!isEventObject(v) || RESERVED.test(v.type)) return frameEvent(frame);
  if (FROM in v) {
    const { [FROM]: _dropped, ...event } = v as EventObject & { [FROM]?: unknown };
    return event as EventObject;
  }
  return v;
}

/**
 * The handler state of a connection run by {@link statemHandler}: the machine's runner. What
 * `processInfo(connection).state.state.snapshot` shows.
 */
export class StatemSocket<TLogic extends AnyActorLogic = AnyActorLogic> {
  runner: MachineRunner | undefined = undefined;

  constructor(readonly input: unknown) {}

  get snapshot(): SnapshotFrom<TLogic> | undefined {
    return this.runner?.getSnapshot();
  }

  toJSON(): unknown {
    return this.snapshot;
  }
}

/** What {@link statemHandler} returns: a handler whose `init` answers synchronously. */
export type StatemHandler<TLogic extends AnyActorLogic, R> = {
  init(req: Req, state: R | StatemSocket<TLogic>): InitResult<R | StatemSocket<TLogic>>;
} & Handler<R | StatemSocket<TLogic>>;

/**
 * A WebSocket handler running `logic` in each connection (see the module comment).
 *
 * To authenticate or pick a sub-protocol first, wrap its `init`:
 *
 * @example
 * const base = statemHandler(lockMachine, { decode: jsonFrameEvent });
 * const handler: typeof base = {
 *   ...base,
 *   init: (req, state) =>
 *     req.header('authorization') === 'Bearer s3cret' ? base.init(req, state) : ['ok', req.reply(401), state],
 * };
 */
export function statemHandler<TLogic extends AnyActorLogic, R = InputFrom<TLogic>>(
  logic: TLogic,
  opts: StatemHandlerOptions<TLogic, R> = {},
): StatemHandler<TLogic, R> {
  const decode = opts.decode ?? frameEvent;
  type S = R | StatemSocket<TLogic>;

  /** The commands the actions produced, and the close a final state or `stop` asks for. */
  function result(st: StatemSocket<TLogic>): CallResult<S> {
    const runner = st.runner!;
    const out = runner.outcome();
    const commands = runner.commands!;
    if (out === undefined) {
      if (commands.length === 0) return ['ok', st];
      runner.commands = [];
      return [commands as Command[], st];
    }
    if (out.kind === 'stop' && out.reason !== 'normal') commands.push(['shutdown_reason', out.reason]);
    commands.push(['close', 1000]);
    return [commands as Command[], st];
  }

  return {
    init(req, state): InitResult<S> {
      const input = opts.input === undefined ? state : opts.input(req, state as R);
      const st = new StatemSocket<TLogic>(input);
      return opts.wsOptions === undefined ? ['websocket', req, st] : ['websocket', req, st, opts.wsOptions];
    },

    websocketInit(state) {
      const st = state as StatemSocket<TLogic>;
      const runner = new MachineRunner(logic, self(), {
        engine: opts.engine,
        input: st.input,
        onEmit: opts.onEmit,
      });
      runner.commands = [];
      st.runner = runner;
      runner.start();
      return result(st);
    },

    websocketHandle(frame, state) {
      const st = state as StatemSocket<TLogic>;
      const event = decode(frame);
      if (event === undefined) return ['ok', st];
      st.runner!.dispatch(event);
      return result(st);
    },

    websocketInfo(info: unknown, state) {
      const st = state as StatemSocket<TLogic>;
      const runner = st.runner!;
      if (info instanceof GenServerStop) {
        // Statem.stop / GenServer.stop on a connection: terminate, close, exit with the reason.
        runner.terminate(info.reason);
        const commands: Command[] = info.reason === 'normal' ? [] : [['shutdown_reason', info.reason]];
        commands.push(['close', isCleanExit(info.reason) ? 1000 : 1011]);
        return [commands, st];
      }
      runner.receive(info);
      return result(st);
    },

    terminate(reason: TerminateReason, _req, state) {
      const st = state as StatemSocket<TLogic>;
      // A crash left the machine in error (or it never started): nothing more to run.
      if (
        st instanceof StatemSocket &&
        st.runner !== undefined &&
        !(Array.isArray(reason) && reason[0] === 'crash')
      )
        st.runner.terminate(reason);
      else st.runner?.halt();
    },
  };
}
