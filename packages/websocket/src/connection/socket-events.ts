import type { Socket } from 'node:net';

/**
 * What the socket puts in a connection's mailbox. Bytes arrive as {@link SocketData} (one
 * object per chunk, not per frame: the process parses the chunk in its own turn, so frames
 * and messages sent to the pid are handled in the order they arrived); the rest as
 * {@link SocketEvent}. Both are classes of this module, so no user message can pass for them.
 */
export class SocketData {
  constructor(readonly chunk: Buffer) {}
}

export class SocketEvent {
  constructor(
    readonly kind: 'closed' | 'error' | 'drain',
    readonly error?: Error,
  ) {}
}

export const SOCKET_CLOSED = new SocketEvent('closed');
export const SOCKET_DRAIN = new SocketEvent('drain');

/** The idle-timeout tick a connection sends itself. */
export const IDLE_TICK: unique symbol = Symbol('corral.ws.idle_tick');

/** Where a socket's listeners find their connection (one property, no closure per socket). */
export const kSink: unique symbol = Symbol('corral.ws.sink');

export interface SocketSink {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(error: Error): void;
  onDrain(): void;
}

type SinkSocket = Socket & { [kSink]?: SocketSink | undefined };

function onData(this: SinkSocket, chunk: Buffer): void {
  this[kSink]?.onData(chunk);
}
function onEnd(this: SinkSocket): void {
  this[kSink]?.onEnd();
}
function onError(this: SinkSocket, error: Error): void {
  this[kSink]?.onError(error);
}
function onDrain(this: SinkSocket): void {
  this[kSink]?.onDrain();
}

/** Wires a socket to its sink with shared listener functions. */
export function attachSocket(socket: Socket, sink: SocketSink): void {
  (socket as SinkSocket)[kSink] = sink;
  socket.on('data', onData);
  dropNoOpEndListener(socket);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onError);
  socket.on('drain', onDrain);
}

/**
 * Node's own `'end'` listener on a socket (`onReadableStreamEnd` in `net.js`) only acts when the
 * socket does not allow half-open connections; every socket of an `http.Server` does, so there
 * it does nothing. Taking it off before adding ours keeps one listener, not an array of two
 * (about 65 bytes per idle connection). Anything else, or a socket without half-open, keeps it.
 */
function dropNoOpEndListener(socket: Socket): void {
  if (!socket.allowHalfOpen || socket.listenerCount('end') !== 1) return;
  const [listener] = socket.listeners('end');
  if (typeof listener === 'function' && listener.name === 'onReadableStreamEnd')
    socket.removeListener('end', listener as (...args: unknown[]) => void);
}

/** Unwires a socket: later events are ignored (the process is gone). */
export function detachSocket(socket: Socket): void {
  (socket as SinkSocket)[kSink] = undefined;
}
