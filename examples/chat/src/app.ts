/**
 * The chat app's supervision tree:
 *
 *     chat_sup (Supervisor, one_for_one, 3 restarts in 5 s)
 *     ├── chat_rooms      DynamicSupervisor: one transient Room GenServer per room (room:<name>)
 *     ├── chat_directory  RoomDirectory GenServer: finds or starts rooms under chat_rooms
 *     └── chat_web        WebServer GenServer: the HTTP server (page, admin API) and the
 *                         WebSocket listener, whose own DynamicSupervisor holds one process
 *                         per connection
 *
 * Children start in this order and stop in the reverse one: the web front closes every
 * connection before the directory and the rooms go. A room that crashes is restarted alone by
 * `chat_rooms`; more than 3 room crashes in 5 s and `chat_rooms` gives up, and `chat_sup`
 * restarts it (empty: connections then reopen their rooms through the directory).
 *
 * @example
 * const node = createNode({ name: 'chat', logger: pino() });
 * const app = await startChat(node, { port: 8080, host: '127.0.0.1' });
 * console.log(`open ${app.url}`);
 * await app.stop();
 */
import {
  type ChildSpec,
  DynamicSupervisor,
  GenServer,
  type Node,
  type Pid,
  pg,
  Supervisor,
} from '@corral/actor';
import { CHAT_SUP, DIRECTORY, PG_SCOPE, ROOMS_SUP, WEB } from './names.js';
import { RoomDirectory } from './room-directory.js';
import { type WebAddress, type WebArgs, WebServer } from './web-server.js';

export interface ChatOptions {
  /** Default 8080; 0 for any free port. */
  port?: number;
  /** Default: every interface. */
  host?: string;
  /** Messages a room keeps for late joiners. Default `HISTORY_SIZE` (50). */
  historySize?: number;
}

/** A running chat app. */
export interface ChatApp {
  /** The top-level supervisor. */
  readonly root: Pid;
  readonly port: number;
  /** The page's address. */
  readonly url: string;
  /** Stops the tree (connections close with 1001) and the pg scope. */
  stop(): Promise<void>;
}

/** The children of `chat_sup`, in start order. */
export function chatChildren(node: Node, opts: ChatOptions = {}): ChildSpec[] {
  const web: WebArgs = { port: opts.port ?? 8080 };
  if (opts.host !== undefined) web.host = opts.host;
  const directoryArgs = opts.historySize === undefined ? {} : { historySize: opts.historySize };
  return [
    {
      id: 'rooms',
      type: 'supervisor',
      start: () => DynamicSupervisor.startLink(node, { name: ROOMS_SUP }),
    },
    {
      id: 'directory',
      start: () => GenServer.startLink(node, RoomDirectory, directoryArgs, { name: DIRECTORY }),
    },
    {
      id: 'web',
      start: () => GenServer.startLink(node, WebServer, web, { name: WEB }),
      // Closing takes as long as the slowest connection's close handshake (5 s at most).
      shutdown: 10_000,
    },
  ];
}

/** Starts the chat app on `node`: the pg scope of the rooms, then the supervision tree. */
export async function startChat(node: Node, opts: ChatOptions = {}): Promise<ChatApp> {
  const scope = pg.startScope(node, PG_SCOPE);
  let root: Pid;
  try {
    root = await Supervisor.start(node, chatChildren(node, opts), {
      strategy: 'one_for_one',
      intensity: 3,
      period: 5,
      name: CHAT_SUP,
    });
  } catch (e) {
    scope.stop();
    throw e;
  }
  const { port, address } = await GenServer.call<'address', WebAddress>([WEB, node], 'address');
  const host = address === '0.0.0.0' || address === '::' ? 'localhost' : address;
  return {
    root,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    async stop() {
      if (node.isAlive(root)) await Supervisor.stop(root, 'shutdown');
      scope.stop();
    },
  };
}
