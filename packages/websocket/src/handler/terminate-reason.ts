import { isCleanExit } from '@corral/actor';

/**
 * Why a connection ended, exactly as Cowboy's `cowboy_websocket` terminate reasons:
 *
 * - `'normal'`: closed before the upgrade (the handler's `init` answered with plain HTTP);
 * - `'stop'`: the handler returned `['stop', s]` or sent a close frame;
 * - `'timeout'`: nothing was received for `idleTimeout`;
 * - `'remote'` / `['remote', code, reason]`: the peer sent a close frame (without / with a code);
 * - `['error', 'badencoding' | 'badframe' | 'badsize' | 'closed' | string]`: bad input, or the
 *   socket went away without a close frame (`'closed'`), or the peer stopped reading
 *   (`'slow_reader'`, see `WsOptions.maxOutgoingBuffer`), or a socket error (its code);
 * - `['crash', 'error' | 'exit' | 'throw', error]`: a handler callback threw;
 * - any other value: the shutdown reason of the parent (the listener's supervisor), e.g.
 *   `'shutdown'`, or the reason of a linked process that exited.
 */
export type TerminateReason =
  | 'normal'
  | 'stop'
  | 'timeout'
  | 'remote'
  | ['remote', number, Buffer]
  | ['error', 'badencoding' | 'badframe' | 'badsize' | 'closed' | (string & {})]
  | ['crash', 'error' | 'exit' | 'throw', unknown]
  | 'shutdown'
  | ['shutdown', unknown]
  | (string & {})
  | object;

/**
 * The one place a terminate reason becomes a close code (Cowboy's `websocket_close/3`):
 * `undefined` means no close frame is sent (the peer already closed, or the socket is gone).
 */
export function closeCodeFor(reason: TerminateReason): number | undefined {
  if (reason === 'stop' || reason === 'timeout' || reason === 'normal') return 1000;
  if (reason === 'remote') return undefined;
  if (Array.isArray(reason)) {
    switch (reason[0]) {
      case 'remote':
        return undefined;
      case 'error':
        switch (reason[1]) {
          case 'badframe':
            return 1002;
          case 'badencoding':
            return 1007;
          case 'badsize':
            return 1009;
          case 'closed':
            return undefined;
          case 'slow_reader':
            return 1008; // policy violation: it left more than maxOutgoingBuffer unread
          default:
            return 1011;
        }
      case 'crash':
        return 1011;
    }
  }
  // The parent's shutdown (stopping the listener) or a linked exit: "going away" when
  // clean, an internal error otherwise.
  return isCleanExit(reason) ? 1001 : 1011;
}
