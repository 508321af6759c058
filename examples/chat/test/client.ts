import WebSocket from 'ws';
import type { ClientFrame, ServerFrame } from '../src/protocol.js';

export type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
export type JoinedFrame = FrameOf<'joined'>;

/** How long a test waits for a frame before failing with what it got instead (a guard, not a pace). */
const WAIT_MS = 5000;

/**
 * A chat client for tests, on the `ws` package: it records every frame the server sends, in
 * order, and `next(type)` reads them in that order — so a test can also say what did *not*
 * arrive before a given frame (`skipped`).
 */
export class ChatClient {
  readonly frames: ServerFrame[] = [];
  /** Frames `next` passed over to reach the one it returned last. */
  skipped: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private read = 0;
  private wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ServerFrame);
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.wake?.();
      }),
    );
  }

  /** Connects as `user` to `room`; resolves when the socket is open (not yet signed in). */
  static connect(base: string, user: string, room = 'lobby'): Promise<ChatClient> {
    const url = `${base.replace(/^http/, 'ws')}ws?user=${encodeURIComponent(user)}&room=${encodeURIComponent(room)}`;
    const client = new ChatClient(new WebSocket(url));
    return new Promise((resolve, reject) => {
      client.ws.once('open', () => resolve(client));
      client.ws.once('error', reject);
    });
  }

  /** Connects and waits until the user is in the room; returns the client and its `joined` frame. */
  static async join(base: string, user: string, room = 'lobby'): Promise<[ChatClient, FrameOf<'joined'>]> {
    const client = await ChatClient.connect(base, user, room);
    await client.next('welcome');
    return [client, await client.next('joined')];
  }

  send(frame: ClientFrame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Like {@link next}, without waiting: undefined when no such frame has arrived yet. */
  tryNext<T extends ServerFrame['type']>(type: T): FrameOf<T> | undefined {
    const i = this.frames.findIndex((f, at) => at >= this.read && f.type === type);
    if (i < 0) return undefined;
    this.skipped = this.frames.slice(this.read, i);
    this.read = i + 1;
    return this.frames[i] as FrameOf<T>;
  }

  /** The next frame of `type` after the last one read; the frames passed over go to `skipped`. */
  async next<T extends ServerFrame['type']>(
    type: T,
    where: (f: FrameOf<T>) => boolean = () => true,
  ): Promise<FrameOf<T>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      for (let i = this.read; i < this.frames.length; i++) {
        const f = this.frames[i]!;
        if (f.type === type && where(f as FrameOf<T>)) {
          this.skipped = this.frames.slice(this.read, i);
          this.read = i + 1;
          return f as FrameOf<T>;
        }
      }
      if (this.ws.readyState === WebSocket.CLOSED || Date.now() > deadline)
        throw new Error(`no ${type} frame; got ${JSON.stringify(this.frames.slice(this.read))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
