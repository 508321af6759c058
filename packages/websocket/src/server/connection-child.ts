/**
 * A connection process as a child of a listener's `DynamicSupervisor` (from `@corral/actor`):
 * `temporary` (never restarted — a socket cannot be reopened) with a `shutdown` time, started
 * inside the supervisor so the connection is linked to it. Stopping the supervisor sends
 * every connection `'shutdown'`: it closes with 1001 and runs `terminate('shutdown', ...)` —
 * how Cowboy's listener owns its connection processes.
 *
 * @example
 * ```ts
 * import { DynamicSupervisor } from '@corral/actor';
 *
 * const sup = await DynamicSupervisor.start(node);
 * const [tag, pid] = await DynamicSupervisor.startChild(sup, connectionChildSpec(spec));
 * ```
 *
 * @module
 */

import { type DynamicChildSpec, self } from '@corral/actor';
import { type ConnectionSpec, startConnection } from '../connection/index.js';

/** How long a connection may take to close when its supervisor stops, before it is killed (ms): OTP's worker default. */
export const DEFAULT_CONNECTION_SHUTDOWN = 5000;

/**
 * The child spec of one connection. Its start runs inside the supervisor, so `self()` is the
 * supervisor and the connection links to it (and takes it as its parent). A socket that closed
 * before the supervisor got to it starts nothing (`'ignore'`): the caller runs `terminate`.
 */
export function connectionChildSpec<S>(
  spec: ConnectionSpec<S>,
  shutdown: number = DEFAULT_CONNECTION_SHUTDOWN,
): DynamicChildSpec {
  // The supervisor keeps a child's spec for the child's life: let go of the connection's
  // start data (the request with its headers, the first bytes) once it has been used.
  let pending: ConnectionSpec<S> | undefined = spec;
  return {
    start: () => {
      const s = pending;
      pending = undefined;
      if (s === undefined || s.socket.destroyed) return 'ignore';
      return startConnection(s, self());
    },
    restart: 'temporary',
    shutdown,
  };
}
