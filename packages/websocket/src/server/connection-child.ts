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

import { type DynamicChildSpec, type Pid, self } from '@corral/actor';
import type { ConnectionSpec } from '../connection/index.js';
import { startGuarded } from './socket-guard.js';

/** How long a connection may take to close when its supervisor stops, before it is killed (ms): OTP's worker default. */
export const DEFAULT_CONNECTION_SHUTDOWN = 5000;

/** A connection's start data until its start has used it. */
interface Pending {
  spec: ConnectionSpec<any> | undefined;
}

/**
 * The start function of a connection child (bound to its {@link Pending} data; a function of the
 * module, not a closure per connection). A supervisor may keep a child's spec while the child
 * lives (a static one keeps a temporary child's): the request with its headers and the first
 * bytes are let go once used.
 */
function startPending(this: Pending): Pid | 'ignore' {
  const s = this.spec;
  this.spec = undefined;
  if (s === undefined || s.socket.destroyed) return 'ignore';
  return startGuarded(s, self());
}

/**
 * The child spec of one connection. Its start runs inside the supervisor, so `self()` is the
 * supervisor and the connection links to it (and takes it as its parent). A socket that closed
 * before the supervisor got to it starts nothing (`'ignore'`): the caller runs `terminate`.
 */
export function connectionChildSpec<S>(
  spec: ConnectionSpec<S>,
  shutdown: number = DEFAULT_CONNECTION_SHUTDOWN,
): DynamicChildSpec {
  const pending: Pending = { spec };
  return { start: startPending.bind(pending), restart: 'temporary', shutdown };
}
