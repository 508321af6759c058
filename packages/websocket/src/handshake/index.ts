/**
 * Pure helpers of the RFC 6455 opening handshake: the accept key, token lists and the
 * `Sec-WebSocket-Extensions` grammar. No sockets; the upgrade layer builds on them.
 *
 * @module
 */

export {
  computeAcceptKey,
  generateWebSocketKey,
  isValidWebSocketKey,
  WEBSOCKET_GUID,
} from './accept-key.js';
export { type ExtensionOffer, type ExtensionParam, formatExtensions, parseExtensions } from './extensions.js';
export {
  HeaderSyntaxError,
  type HeaderValue,
  hasToken,
  isToken,
  parseSubprotocols,
  parseTokenList,
} from './header-tokens.js';
