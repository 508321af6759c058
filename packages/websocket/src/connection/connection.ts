import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import {
  ExitException,
  type ExitReason,
  isExitMessage,
  isThenable,
  type Node,
  type Pid,
  type ProcessBehaviour,
  type Self,
} from '@corral/actor';
import { FrameParser, frameText, type ParsedFrame, type ParseResult } from '../codec/frame-parser.js';
import { encodeCloseFrame, encodeOutFrames } from '../codec/frame-serializer.js';
import type { InFrame, OutFrame } from '../codec/opcodes.js';
import { ProtocolError } from '../codec/protocol-error.js';
import type { NegotiatedDeflate } from '../deflate/negotiate.js';
import { type DeflateToggle, PerMessageDeflate } from '../deflate/per-message-deflate.js';
import type { CallResult, Handler, WsOptions } from '../handler/handler.js';
import type { Req } from '../handler/request.js';
import { closeCodeFor, type TerminateReason } from '../handler/terminate-reason.js';
import { type Actions, BadResultError, newActions, readResult } from './frame-dispatch.js';
import { currentIdleTicker, type IdleWatched, idleTicker } from './idle-ticker.js';
import { scheduleFlush } from './output-flusher.js';
import { OutputQueue } from './output-queue.js';
import {
  attachSocket,
  detachSocket,
  IDLE_TICK,
  SOCKET_CLOSED,
  SOCKET_DRAIN,
  SocketData,
  SocketEvent,
  type SocketSink,
} from './socket-events.js';

/** Everything a connection process starts from (made by the upgrade layer after the 101). */
export interface ConnectionSpec<S> {
  node: Node;
  socket: Socket;
  /** Bytes read after the request head: may already hold frames. */
  head: Buffer;
  req: Req;
  handler: Handler<S>;
  state: S;
  opts: Required<WsOptions>;
  /** permessage-deflate as the handshake negotiated it, if it did (RFC 7692). */
  deflate?: NegotiatedDeflate | undefined;
}

const SMALL_WRITE = 16 * 1024;

// The handler callbacks `call` runs, and their names for error messages.
const HANDLE = 0;
const INFO = 1;
const INIT = 2;
type Callback = typeof HANDLE | typeof INFO | typeof INIT;
const CALLBACK_NAMES = ['websocketHandle', 'websocketInfo', 'websocketInit'] as const;
/**
 * Where a handler result is read into. One serves every connection: `apply` reads a result
 * and acts on it synchronously, and one process runs at a time.
 */
const ACTIONS: Actions<unknown> = newActions();
const TRAP = { trapExit: true };

// Connection.flags.
const INACTIVE = 1;
const READING_PAUSED = 2;
const OWN_OPTS = 4;
const RX_SINCE_TICK = 8;

// Where the connection is in its life.
const OPEN = 0;
const CLOSING = 1; // our close frame is out (or the socket is gone): frames are no longer handled
const DONE = 2; // terminate has run

/**
 * One WebSocket connection as a process: the socket feeds bytes into the mailbox, the
 * process parses them in its own turn and calls the handler per frame; messages sent to its
 * pid go to `websocketInfo`. It threads three states apart, as `cowboy_websocket` does: this
 * object (the connection), the handler's opaque state, and the parser (the partial frame).
 *
 * Steps, named after Cowboy's: `onData → parse → dispatchFrame → handlerCall → apply`.
 */
export class Connection<S>
  extends OutputQueue
  implements SocketSink, ProcessBehaviour<unknown, Connection<S>>, IdleWatched
{
  /** The behaviour's name (`processInfo`'s `initialCall`); on the prototype, not per connection. */
  get name(): string {
    return 'websocket_connection';
  }
  readonly socket: Socket;
  readonly handler: Handler<S>;
  readonly opts: Required<WsOptions>;
  req: Req;
  state: S;
  self!: Self;
  pid!: Pid;
  parent: Pid | undefined = undefined;
  private readonly node: Node;
  /**
   * Only while it holds something: made when a chunk arrives, dropped once the chunk's whole
   * frames are handled and nothing is left over (an idle connection keeps no parser).
   */
  private parser: FrameParser | undefined = undefined;
  private phase = OPEN;
  /** INACTIVE, READING_PAUSED, OWN_OPTS, RX_SINCE_TICK: four booleans in one field (a field per idle connection each). */
  private flags = 0;
  /** Chunks in the mailbox not yet parsed; past `maxPendingFrames` the socket is paused. */
  private pendingChunks = 0;
  /** Links of the idle ticker's list (the ticker is the one of `opts.idleTimeout`). */
  idlePrev: IdleWatched | undefined = undefined;
  idleNext: IdleWatched | undefined = undefined;
  /**
   * What the process exits with instead of what its terminate reason implies: a
   * `['shutdown_reason', r]` command, or (set later, so it wins) the reason of an exit signal or
   * of `self().exit(r)` in a callback.
   */
  private exitWith: { value: unknown } | undefined = undefined;
  /** permessage-deflate, when negotiated: inflates RSV1 messages, compresses replies. */
  private readonly pmd: PerMessageDeflate | undefined;

  constructor(spec: ConnectionSpec<S>) {
    super();
    this.node = spec.node;
    this.socket = spec.socket;
    this.handler = spec.handler;
    // Shared with the route's other connections until `set_options` changes it (copy on write).
    this.opts = spec.opts;
    this.req = spec.req;
    this.state = spec.state;
    this.pmd = spec.deflate === undefined ? undefined : new PerMessageDeflate(spec.deflate);
  }

  /** Handler's `['active', false]` clears it: neither read the socket nor handle buffered frames. */
  private get active(): boolean {
    return (this.flags & INACTIVE) === 0;
  }
  private set active(on: boolean) {
    this.flags = on ? this.flags & ~INACTIVE : this.flags | INACTIVE;
  }

  /** Received bytes since the idle ticker's last tick (set on arrival, cleared by the ticker). */
  get rxSinceTick(): boolean {
    return (this.flags & RX_SINCE_TICK) !== 0;
  }
  set rxSinceTick(rx: boolean) {
    this.flags = rx ? this.flags | RX_SINCE_TICK : this.flags & ~RX_SINCE_TICK;
  }

  /** The socket is paused (by the handler, a full mailbox or a full send buffer). */
  private get readingPaused(): boolean {
    return (this.flags & READING_PAUSED) !== 0;
  }
  private set readingPaused(paused: boolean) {
    this.flags = paused ? this.flags | READING_PAUSED : this.flags & ~READING_PAUSED;
  }

  /** A parser for this connection's current options. */
  private newParser(): FrameParser {
    return new FrameParser({
      role: 'server',
      maxFrameSize: this.opts.maxFrameSize,
      validateUtf8: this.opts.validateUtf8,
      rsv1Allowed: this.pmd !== undefined,
    });
  }

  // ---- socket side (runs outside the process: only puts things in the mailbox) ----------

  onData(chunk: Buffer): void {
    if (this.phase !== OPEN) return;
    this.rxSinceTick = true;
    this.pendingChunks++;
    this.node.send(this.pid, new SocketData(chunk));
    if (this.pendingChunks >= this.opts.maxPendingFrames && !this.readingPaused) this.pauseReading();
  }

  onEnd(): void {
    if (this.phase === DONE) return;
    this.node.send(this.pid, SOCKET_CLOSED);
  }

  onError(error: Error): void {
    if (this.phase === DONE) return;
    this.node.send(this.pid, new SocketEvent('error', error));
  }

  onDrain(): void {
    if (this.phase === OPEN) this.node.send(this.pid, SOCKET_DRAIN);
  }

  private pauseReading(): void {
    this.readingPaused = true;
    this.socket.pause();
  }

  /** Reads again when nothing holds reading back: the handler, the mailbox, the send buffer. */
  private maybeResume(): void {
    if (
      this.readingPaused &&
      this.active &&
      this.phase === OPEN &&
      // Half the budget is left (and `<=`, so a budget of 1 resumes once the mailbox is empty).
      this.pendingChunks <= this.opts.maxPendingFrames >> 1 &&
      !this.socket.writableNeedDrain
    ) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  // ---- the process ---------------------------------------------------------------------

  /** Process init: timers, then the handler's optional `websocketInit`. */
  init(self: Self): Connection<S> | Promise<Connection<S>> {
    this.self = self;
    this.armIdle();
    const h = this.handler;
    if (h.websocketInit === undefined) return this;
    return this.call(INIT, undefined);
  }

  /** This connection's own options, copied from the shared ones on the first `set_options`. */
  private writableOpts(): Required<WsOptions> {
    if ((this.flags & OWN_OPTS) === 0) {
      (this as { opts: Required<WsOptions> }).opts = { ...this.opts };
      this.flags |= OWN_OPTS;
    }
    return this.opts;
  }

  /** What `processInfo(pid).state` shows. */
  formatState(): unknown {
    return { path: this.req.path, state: this.state };
  }

  /** One mailbox message. Returns this connection, or a promise of it while a handler awaits. */
  handle(msg: unknown): Connection<S> | Promise<Connection<S>> {
    if (msg instanceof SocketData) {
      this.pendingChunks--;
      if (this.phase !== OPEN) return this;
      (this.parser ??= this.newParser()).push(msg.chunk);
      const r = this.parse();
      if (this.readingPaused) this.maybeResume();
      return r;
    }
    if (msg === IDLE_TICK) return this.onIdleTick();
    if (msg instanceof SocketEvent) {
      if (msg.kind === 'drain') {
        this.maybeResume();
        return this;
      }
      if (this.phase === CLOSING) return this.finish(this.closingReason);
      return this.finish(msg.kind === 'closed' ? ['error', 'closed'] : ['error', errorName(msg.error)]);
    }
    if (isExitMessage(msg)) {
      const [, from, reason] = msg;
      if (from === this.parent) return this.shutdown(reason);
      if (!this.opts.trapExit) {
        if (reason === 'normal') return this;
        return this.shutdown(reason);
      }
    }
    if (this.phase !== OPEN) return this;
    const h = this.handler;
    if (h.websocketInfo === undefined) {
      this.self.logger.warn(
        { label: 'ws_unexpected_info', info: String(msg) },
        'websocketInfo is not defined',
      );
      return this;
    }
    return this.call(INFO, msg);
  }

  /** Handles buffered frames until the parser needs more bytes (or the handler pauses us). */
  private parse(): Connection<S> | Promise<Connection<S>> {
    const parser = this.parser;
    if (parser === undefined) return this; // nothing buffered
    while (this.phase === OPEN && this.active) {
      let r: ParseResult;
      try {
        r = parser.next();
      } catch (e) {
        // The codec answers bad input with results, never throws (fuzzed); should it ever, the
        // connection still closes with 1011 and runs terminate instead of dying silently.
        return this.crash(e);
      }
      if (r.kind === 'more') {
        if (parser.idle) this.parser = undefined;
        break;
      }
      if (r.kind === 'error') return this.close(r.error.closeCode, ['error', r.error.reason]);
      const next = this.dispatchFrame(r);
      if (next !== this) return isThenable(next) ? next.then(() => this.parse()) : next;
    }
    return this;
  }

  private dispatchFrame(f: ParsedFrame): Connection<S> | Promise<Connection<S>> {
    if (f.rsv1) return this.dispatchCompressed(f);
    let frame: InFrame;
    switch (f.type) {
      case 'text':
        frame = ['text', frameText(f)];
        break;
      case 'binary':
        frame = ['binary', f.payload];
        break;
      case 'ping':
        // RFC 6455 §5.5.2: answer a ping with a pong carrying its payload; the handler sees it too (as in Cowboy).
        this.queueBytes(0x8a, f.payload);
        frame = ['ping', f.payload];
        break;
      case 'pong':
        frame = ['pong', f.payload];
        break;
      default:
        return this.onRemoteClose(f);
    }
    return this.call(HANDLE, frame);
  }

  /**
   * RFC 7692 §6.1: a compressed message is inflated before the handler sees it, within
   * `maxFrameSize` (→ 1009) and, for text, checked UTF-8 (→ 1007). A large one is inflated off
   * the main thread: the process stays busy meanwhile, so frames and messages keep their order.
   */
  private dispatchCompressed(f: ParsedFrame): Connection<S> | Promise<Connection<S>> {
    const type = f.type === 'text' ? 'text' : 'binary';
    const r = this.pmd!.inflateMessage(type, f.payload, this.opts.maxFrameSize, this.opts.validateUtf8);
    if (isThenable(r)) return r.then((m) => (this.phase === OPEN ? this.dispatchInflated(type, m) : this));
    return this.dispatchInflated(type, r);
  }

  private dispatchInflated(
    type: 'text' | 'binary',
    m: Buffer | ProtocolError,
  ): Connection<S> | Promise<Connection<S>> {
    if (m instanceof ProtocolError) return this.close(m.closeCode, ['error', m.reason]);
    const frame: InFrame = type === 'text' ? ['text', m.toString()] : ['binary', m];
    return this.call(HANDLE, frame);
  }

  /** RFC 6455 §5.5.1: echo the peer's close code, then close our side. */
  private onRemoteClose(f: ParsedFrame): Connection<S> {
    const code = f.closeCode;
    this.queueBuffer(code === 1005 ? encodeCloseFrame() : encodeCloseFrame(code));
    const reason: TerminateReason = code === 1005 ? 'remote' : ['remote', code, f.payload];
    return this.endSocket(reason);
  }

  /** Calls a handler callback and applies its result; a throw or a bad result is a crash. */
  private call(which: Callback, arg: unknown): Connection<S> | Promise<Connection<S>> {
    const h = this.handler;
    const name = CALLBACK_NAMES[which];
    let result: CallResult<S> | Promise<CallResult<S>>;
    try {
      // A switch rather than a closure per call: this runs once per frame.
      if (which === HANDLE) result = h.websocketHandle(arg as InFrame, this.state);
      else if (which === INFO) result = h.websocketInfo!(arg, this.state);
      else result = h.websocketInit!(this.state);
    } catch (e) {
      return this.crash(e);
    }
    if (isThenable(result))
      return result.then(
        (r) => (this.phase === OPEN ? this.apply(name, r) : this),
        (e: unknown) => (this.phase === OPEN ? this.crash(e) : this),
      );
    return this.apply(name, result);
  }

  private apply(name: string, result: CallResult<S>): Connection<S> | Promise<Connection<S>> {
    // The two results of nearly every call, `['ok', s]` and `['reply', dataFrame, s]`, are acted
    // on here; every other shape (and a malformed one) goes through `readResult`.
    if (Array.isArray(result)) {
      const tag = result[0];
      if (tag === 'ok' && result.length === 2) {
        this.state = result[1] as S;
        return this;
      }
      if (tag === 'reply' && result.length === 3 && (this.pmd === undefined || !this.pmd.enabled)) {
        const frame = result[1];
        if (Array.isArray(frame) && this.queueDataFrame(frame as OutFrame)) {
          this.state = result[2] as S;
          return this;
        }
      }
    }
    const a = ACTIONS as Actions<S>;
    try {
      readResult(name, result, a);
    } catch (e) {
      return this.crash(e);
    }
    this.state = a.state;
    if (a.shutdownReason !== undefined) this.exitWith = a.shutdownReason;
    const set = a.setOptions as Actions<S>['setOptions'];
    if (set !== undefined) {
      if (set.maxFrameSize !== undefined) {
        this.parser?.setMaxFrameSize(set.maxFrameSize);
        this.writableOpts().maxFrameSize = set.maxFrameSize; // the inflated-size limit
      }
      if (set.idleTimeout !== undefined) {
        this.disarmIdle();
        this.writableOpts().idleTimeout = set.idleTimeout;
        this.armIdle();
      }
    }
    const closeAt = a.closeAt as number;
    const stop = a.stop as boolean;
    const active = a.active as boolean | undefined;
    const hibernate = a.hibernate as boolean;
    if (a.frames.length > 0) {
      let queued: void | Promise<void>;
      try {
        queued = this.queueFrames(a.frames, a.deflateToggles);
      } catch (e) {
        return this.crash(new BadResultError(name, result, (e as Error).message));
      }
      // A message compressed off the main thread: the process stays busy until it is queued,
      // so nothing sent later overtakes it.
      if (queued !== undefined)
        return queued.then(
          () => (this.phase === OPEN ? this.afterFrames(closeAt >= 0, stop, active, hibernate) : this),
          (e: unknown) => (this.phase === OPEN ? this.crash(e) : this),
        );
    } else if (a.deflateToggles !== undefined && this.pmd !== undefined) {
      this.pmd.enabled = (a.deflate as boolean | undefined) ?? this.pmd.enabled;
    }
    return this.afterFrames(closeAt >= 0, stop, active, hibernate);
  }

  /** The rest of a result, once its frames are queued: close, stop, flow control, hibernate. */
  private afterFrames(
    closed: boolean,
    stop: boolean,
    active: boolean | undefined,
    hibernate: boolean,
  ): Connection<S> | Promise<Connection<S>> {
    if (closed) return this.endSocket('stop');
    if (stop) return this.close(1000, 'stop');
    if (active !== undefined && active !== this.active) {
      this.active = active;
      if (active) {
        this.readingPaused = true;
        this.maybeResume();
        return this.parse();
      }
      if (!this.readingPaused) this.pauseReading();
    }
    if (hibernate) this.hibernate();
    return this;
  }

  // ---- output ------------------------------------------------------------------------------

  /** Encodes frames into this batch's output; with permessage-deflate on, may compress (and return a promise). */
  private queueFrames(frames: readonly OutFrame[], toggles?: readonly DeflateToggle[]): void | Promise<void> {
    const pmd = this.pmd;
    if (pmd !== undefined && (pmd.enabled || toggles !== undefined))
      return pmd.queueFrames(frames, toggles, this);
    if (frames.length === 1 && this.queueDataFrame(frames[0]!)) return;
    // Encoded (and so checked) as a whole before any of it is queued: a bad frame queues nothing.
    const bufs = encodeOutFrames(frames);
    for (let i = 0; i < bufs.length; i++) this.queueBuffer(bufs[i]!);
  }

  /** The output queue went from empty to not: write at the end of this turn. */
  protected override queued(): void {
    scheduleFlush(this);
  }

  /** Writes what this turn produced in one write (cork/uncork for several large buffers). */
  flush(): void {
    const bytes = this.outBytes;
    const out = this.takeOutput();
    if (out === undefined) return;
    const socket = this.socket;
    if (socket.destroyed) return;
    // Bytes earlier batches left unsent past the cap: the peer stopped reading (WsOptions.maxOutgoingBuffer).
    // Measured before this batch is written, so a single large reply to a peer that reads is not mistaken
    // for a slow reader, and the socket never holds more than the cap plus one batch.
    if (this.phase === OPEN && socket.writableLength > this.opts.maxOutgoingBuffer) {
      this.dropSlowReader();
      return;
    }
    if (out.length === 1) socket.write(out[0]!);
    else if (bytes <= SMALL_WRITE) socket.write(Buffer.concat(out, bytes));
    else {
      socket.cork();
      for (let i = 0; i < out.length; i++) socket.write(out[i]!);
      socket.uncork();
    }
    // A peer that does not keep up with our output: stop reading it until the socket drains.
    if (this.phase === OPEN && socket.writableNeedDrain && !this.readingPaused) this.pauseReading();
  }

  /**
   * Gives up on a slow reader: close frame 1008 after what it has not read yet, half-close,
   * drop the socket after `closeTimeout`. This runs at the end of a batch, outside the
   * process, so `terminate` runs when the process handles the event sent here.
   */
  private dropSlowReader(): void {
    const reason: TerminateReason = ['error', 'slow_reader'];
    this.phase = CLOSING;
    this.closingReason = reason;
    this.socket.write(encodeCloseFrame(closeCodeFor(reason)));
    this.halfClose();
    this.node.send(this.pid, new SocketEvent('error', slowReader()));
  }

  // ---- closing -------------------------------------------------------------------------------

  private closingReason: TerminateReason = 'stop';

  /** Sends a close frame with `code` and ends the connection with `reason`. */
  private close(code: number | undefined, reason: TerminateReason): Connection<S> {
    if (code !== undefined && this.phase === OPEN) this.queueBuffer(encodeCloseFrame(code));
    return this.endSocket(reason);
  }

  /**
   * Our side is done: flush, half-close the socket (the peer answers our close frame and
   * closes; RFC 6455 §7.1.1 wants the server to close TCP first), drop it if the peer takes
   * longer than `closeTimeout`, and run `terminate`.
   */
  private endSocket(reason: TerminateReason): Connection<S> {
    this.phase = CLOSING;
    this.closingReason = reason;
    this.flush();
    this.halfClose();
    return this.finish(reason);
  }

  /** Ends our side of TCP and destroys the socket if the peer has not closed its side `closeTimeout` ms later. */
  private halfClose(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end();
    const timer = this.node.clock.setTimeout(() => socket.destroy(), this.opts.closeTimeout);
    socket.once('close', () => this.node.clock.clearTimeout(timer));
    socket.resume(); // read (and ignore) until the peer closes
  }

  /** The parent (or, without `trapExit`, a linked process) exited: close with 1001/1011 and exit with its reason. */
  private shutdown(reason: unknown): Connection<S> {
    this.exitWith = { value: reason };
    const code = closeCodeFor(reason as TerminateReason);
    return this.close(code, reason as TerminateReason);
  }

  private crash(error: unknown): Connection<S> {
    // `self().exit(r)` in a callback is Erlang's exit/1: Cowboy reports `{crash, exit, R}` and
    // re-raises, so the process exits with `r` itself, not as a crash of an ExitException.
    if (error instanceof ExitException) {
      this.exitWith = { value: error.reason };
      return this.close(1011, ['crash', 'exit', error.reason]);
    }
    return this.close(1011, ['crash', 'error', error]);
  }

  /**
   * The process's `exited` callback (every exit; nothing left to do after `finish`): a
   * connection killed without running `finish` drops its socket. A behaviour callback, not a
   * `node.onExit` closure: nothing per connection.
   */
  exited(): void {
    if (this.phase !== DONE) {
      this.release();
      this.socket.destroy();
    }
  }

  /** Done: lets go of compression, the socket's events and the idle ticker (once, from either end). */
  private release(): void {
    this.phase = DONE;
    this.pmd?.close();
    detachSocket(this.socket);
    this.disarmIdle();
  }

  /** Runs `terminate` exactly once and ends the process. */
  private finish(reason: TerminateReason): Connection<S> {
    if (this.phase === DONE) return this;
    if (this.phase === OPEN) {
      this.phase = CLOSING;
      this.socket.destroy();
    }
    this.release();
    const t = this.handler.terminate;
    if (t !== undefined) {
      try {
        t.call(this.handler, reason, this.req, this.state);
      } catch (e) {
        this.self.logger.error({ label: 'ws_terminate_crash', err: e }, 'terminate threw');
      }
    }
    const exit = this.exitWith !== undefined ? this.exitWith.value : processExitReason(reason);
    this.self.exit(exit as ExitReason);
  }

  // ---- idle timeout: a shared ticker (idle-ticker.ts), not a timer re-armed per packet -------

  /** Watches this connection with the ticker of its current `idleTimeout` (none for Infinity). */
  private armIdle(): void {
    const ms = this.opts.idleTimeout;
    if (Number.isFinite(ms)) idleTicker(this.node.clock, ms).add(this);
  }

  /** Stops watching (before `idleTimeout` changes, and at the end). */
  private disarmIdle(): void {
    currentIdleTicker(this.node.clock, this.opts.idleTimeout)?.remove(this);
  }

  /** From the ticker (outside the process): a whole tick passed with nothing received. */
  onIdle(): void {
    if (this.phase === OPEN) this.node.send(this.pid, IDLE_TICK);
  }

  /** In the process: still nothing received since (bytes may have come in the meantime) → close. */
  private onIdleTick(): Connection<S> {
    if (this.phase !== OPEN) return this;
    if (this.rxSinceTick) {
      this.armIdle();
      return this;
    }
    return this.close(1000, 'timeout');
  }

  private hibernate(): void {
    // An idle parser is dropped after every chunk anyway; a partial frame's bytes are copied
    // out of the socket chunks they pin, into buffers of their size.
    if (this.parser?.idle === true) this.parser = undefined;
    else this.parser?.compact();
    this.pmd?.hibernate();
    this.self.hibernate();
  }
}

/** The process's own exit reason for a terminate reason: crashes stay crashes, the rest is normal. */
function processExitReason(reason: TerminateReason): unknown {
  if (Array.isArray(reason) && reason[0] === 'crash') return ['crash', reason[2]];
  return 'normal';
}

function errorName(e: Error | undefined): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : (e?.message ?? 'socket_error');
}

function slowReader(): Error {
  return Object.assign(new Error('the peer stopped reading'), { code: 'slow_reader' });
}

/**
 * Starts the process for an upgraded socket (`handleUpgrade` has written the 101 and turned
 * Nagle off). With `link`, the process is linked to it (the listener's supervisor) and an exit
 * signal from it closes the connection with 1001 and runs `terminate` with its reason.
 */
export function startConnection<S>(spec: ConnectionSpec<S>, link?: Self): Pid {
  spec.req.raw = undefined;
  const conn = new Connection({ ...spec, req: spec.opts.reqFilter(spec.req) }) as Connection<unknown>;
  // The connection object is both the behaviour and the state: one object per connection.
  const pid = link === undefined ? spec.node.spawn(conn, TRAP) : link.spawnLink(conn, TRAP);
  conn.pid = pid;
  if (link !== undefined) conn.parent = link.pid;
  attachSocket(spec.socket, conn);
  if (spec.head.length > 0) conn.onData(spec.head);
  return pid;
}
