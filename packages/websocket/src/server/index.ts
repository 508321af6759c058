/**
 * The upgrade layer and listeners: the RFC 6455 opening handshake on top of `node:http`,
 * routes, and the supervisor that owns a listener's connection processes.
 *
 * @module
 */

export { connectionChildSpec, DEFAULT_CONNECTION_SHUTDOWN } from './connection-child.js';
export {
  checkHandshake,
  type HandshakeCheck,
  type HandshakeRejection,
  type RequestHead,
  WEBSOCKET_VERSION,
} from './handshake-check.js';
export {
  buildHttpResponse,
  buildUpgradeResponse,
  canonicalHeaderName,
  InvalidHeaderError,
  type ResponseHeaders,
} from './http-response.js';
export {
  type Attachment,
  type AttachOptions,
  attach,
  type Listener,
  type ListenOptions,
  listen,
  type RequestListener,
} from './listener.js';
export {
  checkListenerLimits,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_HEADER_SIZE,
  HandshakeDeadline,
  type ListenerLimits,
} from './listener-limits.js';
export { checkOptions, resolveOptions } from './options.js';
export {
  compileRoutes,
  type Route,
  type RouteMatch,
  Router,
  type Routes,
  type RouteTarget,
  splitPath,
} from './routes.js';
export { guardSocket } from './socket-guard.js';
export { handleUpgrade, respondAndClose, type UpgradeOptions } from './upgrade.js';
