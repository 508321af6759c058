import { self } from '@corral/actor';
import type { Handler } from '@corral/websocket';

/** The connection's state: how many messages it echoed. */
export interface EchoState {
  echoed: number;
}

/**
 * Cowboy's `ws_h` from its websocket example, in Corral: greets the client, answers every
 * text with "That's what she said!", and pushes the server time every second with a timer
 * the connection process sends to itself.
 */
export const echoHandler: Handler<EchoState, 'tick'> = {
  init: (req, state) => ['websocket', req, state],

  websocketInit(state) {
    self().sendAfter(1000, self().pid, 'tick');
    return ['reply', ['text', 'Hello!'], state];
  },

  websocketHandle(frame, state) {
    if (frame[0] === 'text') {
      return ['reply', ['text', `That's what she said! ${frame[1]}`], { echoed: state.echoed + 1 }];
    }
    return ['ok', state];
  },

  websocketInfo(_tick, state) {
    self().sendAfter(1000, self().pid, 'tick');
    return ['reply', ['text', new Date().toISOString()], state];
  },
};
