/**
 * The web front as a supervised child: a GenServer that owns the `node:http` server (the page
 * and the admin API, see `http.ts`) and the WebSocket listener on `/ws` (every connection a
 * process under the listener's own DynamicSupervisor). `init` starts listening; `terminate`
 * closes every connection (1001) and the server. It traps exits so that its supervisor's
 * `'shutdown'` runs `terminate`, and it is linked to the connections' supervisor, so if that
 * one ever dies this server stops too and its supervisor restarts the pair.
 *
 * @example
 * { id: 'web', start: () => GenServer.startLink(node, WebServer, { port: 8080 }, { name: 'chat_web' }), shutdown: 10_000 }
 */
import { createServer } from 'node:http';
import { type GenServerBehaviour, isExitMessage } from '@corral/actor';
import { type Listener, type ListenOptions, listen } from '@corral/websocket';
import { chatHandler, initialChatState } from './chat-handler.js';
import { httpHandler } from './http.js';

export interface WebArgs {
  port: number;
  /** Default: every interface. */
  host?: string;
}

/** Where the server listens. */
export interface WebAddress {
  port: number;
  address: string;
}

type WebTypes = {
  args: WebArgs;
  state: { listener: Listener };
  call: 'address';
  reply: WebAddress;
};

export const WebServer: GenServerBehaviour<WebTypes> = {
  name: 'chat_web',

  async init({ port, host }, self) {
    self.trapExit(true);
    const node = self.node;
    const options: ListenOptions = {
      node,
      port,
      server: createServer(httpHandler(node)),
      routes: { '/ws': [chatHandler, initialChatState] },
    };
    if (host !== undefined) options.host = host;
    const listener = await listen(options);
    self.link(listener.supervisor);
    return ['ok', { listener }];
  },

  handleCall: (_address, _from, s) => ['reply', { port: s.listener.port, address: s.listener.address }, s],

  handleInfo(msg, s) {
    if (isExitMessage(msg) && msg[1] === s.listener.supervisor) return ['stop', msg[2], s];
    return ['noreply', s];
  },

  terminate: (_reason, s) => s.listener.close(),
};
