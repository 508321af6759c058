/**
 * The `'error'` guard of a socket Node has handed over for an upgrade: Node removes its own
 * `'error'` listener before emitting `'upgrade'`, so until the connection process attaches its
 * listeners a reset (ECONNRESET) would be an uncaught exception. The guard ignores it: the close
 * that follows is what the upgrade layer or the connection acts on.
 *
 * The guard comes off when the connection process starts: the connection's own `'error'`
 * listener stays on the socket for the socket's whole life, and two listeners for one event cost
 * the socket an array (64 bytes per idle connection).
 *
 * @example
 * ```ts
 * guardSocket(socket); // at once, in the 'upgrade' listener
 * // ... handshake, init ...
 * const pid = startGuarded(spec); // the connection's listener replaces the guard
 * ```
 *
 * @module
 */

import type { Duplex } from 'node:stream';
import type { Pid, Self } from '@corral/actor';
import { type ConnectionSpec, startConnection } from '../connection/index.js';

function ignoreSocketError(): void {
  // Shared by every socket: nothing is allocated per socket.
}

/** Gives `socket` the guard (idempotent). */
export function guardSocket(socket: Duplex): void {
  if (!socket.listeners('error').includes(ignoreSocketError)) socket.on('error', ignoreSocketError);
}

/**
 * Starts the connection process for a guarded socket (`startConnection`), taking the guard off
 * as the connection's listener goes on. The guard is put back if the start throws, or if it
 * left the socket with no `'error'` listener at all.
 */
export function startGuarded<S>(spec: ConnectionSpec<S>, link?: Self): Pid {
  const socket = spec.socket;
  socket.removeListener('error', ignoreSocketError);
  let pid: Pid;
  try {
    pid = startConnection(spec, link);
  } catch (e) {
    guardSocket(socket);
    throw e;
  }
  if (socket.listenerCount('error') === 0) socket.on('error', ignoreSocketError);
  return pid;
}
