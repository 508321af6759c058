import {
  type CapturedRecord,
  type Clock,
  captureLogger,
  createNode,
  type Node,
  type Pid,
} from '@corral/actor';
import { type ChatApp, type ChatOptions, startChat } from '../src/app.js';
import { ChatClient, type JoinedFrame } from './client.js';

/** A chat app on 127.0.0.1, on a free port, with its log records captured. */
export interface TestChat {
  node: Node;
  app: ChatApp;
  records: CapturedRecord[];
  /** `http://127.0.0.1:<port>/` */
  base: string;
  /** Connects a client that `stop` closes. */
  connect(user: string, room?: string): Promise<ChatClient>;
  /** Connects and waits for `joined`; resolves with the client and that frame. */
  join(user: string, room?: string): Promise<[ChatClient, JoinedFrame]>;
  stop(): Promise<void>;
}

export async function startTestChat(opts: { clock?: Clock } & ChatOptions = {}): Promise<TestChat> {
  const logger = captureLogger();
  const node = createNode(
    opts.clock === undefined ? { name: 'chat', logger } : { name: 'chat', logger, clock: opts.clock },
  );
  const { clock: _clock, ...chatOptions } = opts;
  const app = await startChat(node, { ...chatOptions, port: 0, host: '127.0.0.1' });
  const base = app.url;
  const clients: ChatClient[] = [];
  const track = (c: ChatClient): ChatClient => {
    clients.push(c);
    return c;
  };
  return {
    node,
    app,
    records: logger.records,
    base,
    connect: async (user, room) => track(await ChatClient.connect(base, user, room)),
    join: async (user, room) => {
      const [client, joined] = await ChatClient.join(base, user, room);
      return [track(client), joined];
    },
    async stop() {
      for (const c of clients) c.ws.terminate();
      await app.stop();
      node.shutdown();
    },
  };
}

/** Log records with this label (and context, if given). */
export const reports = (records: CapturedRecord[], label: string, context?: string): CapturedRecord[] =>
  records.filter((r) => r.label === label && (context === undefined || r.context === context));

/** Resolves once `name` is held by a live process other than `old` (its supervisor restarted it). */
export async function restarted(node: Node, name: string, old: Pid | undefined): Promise<Pid> {
  for (let turn = 0; turn < 10_000; turn++) {
    const now = node.whereis(name);
    if (now !== undefined && now !== old) return now;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${name} was not restarted`);
}
