/**
 * A machine as a WebSocket handler, end to end with the `ws` client, checked against the
 * `cowboy_websocket` contract (Cowboy 2.x manual: websocket_init, websocket_handle,
 * websocket_info, terminate; the commands form of 2.7) and RFC 6455 close codes.
 */
import { once } from 'node:events';
import { isDownMessage, type Pid } from '@corral/actor';
import { type Handler, type Listener, listen, type Req } from '@corral/websocket';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { assign, type EventObject, setup } from 'xstate';
import {
  type CallEvent,
  type CorralEvent,
  close,
  deflate,
  type FrameEvent,
  jsonFrameEvent,
  reply,
  Statem,
  StatemSocket,
  send,
  sendFrame,
  sendJson,
  statemHandler,
  stop,
  wsCommand,
} from '../src/index.js';
import { inbox, settle, type TestNode, testNode, until } from './support.js';

let t: TestNode;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  t?.node.shutdown();
});

/** A `ws` client that keeps every message it receives. */
async function client(listener: Listener, path = '/'): Promise<{ ws: WebSocket; got: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${listener.port}${path}`);
  cleanup.push(() => ws.terminate());
  const got: string[] = [];
  ws.on('message', (data) => got.push(String(data)));
  await once(ws, 'open');
  return { ws, got };
}

async function serve(handler: Handler<any>, state: unknown): Promise<Listener> {
  const listener = await listen({
    node: t.node,
    host: '127.0.0.1',
    port: 0,
    routes: { '/': [handler, state] },
  });
  cleanup.push(() => listener.close());
  return listener;
}

const closed = (ws: WebSocket): Promise<[number, string]> =>
  once(ws, 'close').then(([code, reason]) => [code as number, String(reason)]);

type ChatEvent =
  | FrameEvent
  | { type: 'say'; text: string }
  | { type: 'nudge' }
  | { type: 'bye' }
  | { type: 'quit' }
  | { type: 'boom' }
  | CallEvent<{ type: 'count' }, number>
  | CorralEvent;

/** Greets, echoes text frames in upper case, relays `say` infos, idles out politely after 30 s. */
const chat = setup({
  types: {
    context: {} as { lines: number; notify: Pid | undefined },
    input: {} as { notify?: Pid },
    events: {} as ChatEvent,
  },
}).createMachine({
  id: 'chat',
  context: ({ input }) => ({ lines: 0, notify: input.notify }),
  entry: sendJson({ hello: 'welcome' }),
  initial: 'talking',
  states: {
    talking: {
      after: { 30000: { actions: sendFrame(['text', 'still there?']) } },
      on: {
        'ws.text': {
          target: 'talking',
          reenter: true,
          actions: [
            assign({ lines: ({ context }) => context.lines + 1 }),
            sendFrame(({ event }) => ['text', event.data.toUpperCase()]),
          ],
        },
        say: { actions: sendFrame(({ event }) => ['text', `says: ${event.text}`]) },
        count: { actions: reply(({ context }) => context.lines) },
        bye: 'done',
        quit: { actions: close(4000, 'quitting') },
        nudge: { actions: stop(['shutdown', 'nudged']) },
        boom: {
          actions: () => {
            throw new Error('chat broke');
          },
        },
      },
    },
    done: { type: 'final', entry: sendFrame(['text', 'goodbye']) },
  },
  on: {
    'corral.terminate': {
      actions: send(
        ({ context }) => context.notify ?? 'nobody',
        ({ event }) => ['terminated', event.reason],
      ),
    },
  },
});

describe('statemHandler end to end (ws client)', () => {
  it("runs the machine in the connection: entry frames go out at websocketInit, text frames are 'ws.text' events", async () => {
    t = testNode();
    const listener = await serve(statemHandler(chat), {});
    const { ws, got } = await client(listener);
    await until(() => got.length === 1);
    expect(JSON.parse(got[0]!)).toEqual({ hello: 'welcome' });
    ws.send('hi there');
    ws.send('again');
    await until(() => got.length === 3);
    expect(got.slice(1)).toEqual(['HI THERE', 'AGAIN']);
  });

  it('messages sent to the connection pid are events, and Statem.call on it is answered by reply', async () => {
    t = testNode();
    const listener = await serve(statemHandler(chat), {});
    const { ws, got } = await client(listener);
    ws.send('one');
    await until(() => got.length === 2);
    const [conn] = await listener.connections();
    t.node.send(conn!, { type: 'say', text: 'psst' });
    await until(() => got.length === 3);
    expect(got[2]).toBe('says: psst');
    await expect(Statem.call(conn!, 'count')).resolves.toBe(1);
  });

  it("an 'after' delay runs on the node clock: a ManualClock advance sends its frame", async () => {
    t = testNode();
    const listener = await serve(statemHandler(chat), {});
    const { ws, got } = await client(listener);
    await until(() => got.length === 1);
    t.clock.advance(20_000);
    ws.send('reset the idle delay');
    await until(() => got.length === 2);
    t.clock.advance(29_999);
    await settle();
    expect(got).toHaveLength(2);
    t.clock.advance(1);
    await until(() => got.length === 3);
    expect(got[2]).toBe('still there?');
  });

  it("a final state closes with 1000 after its entry frame, and the connection process exits 'normal'", async () => {
    t = testNode();
    const listener = await serve(statemHandler(chat), {});
    const { ws, got } = await client(listener);
    const [conn] = await listener.connections();
    const down = monitorFromOutside(conn!);
    t.node.send(conn!, 'bye');
    expect(await closed(ws)).toEqual([1000, '']);
    expect(got.at(-1)).toBe('goodbye');
    expect(await down).toBe('normal');
  });

  it("close(code, reason) closes the connection with them; the machine then gets corral.terminate 'stop'", async () => {
    t = testNode();
    const box = inbox(t.node);
    const listener = await serve(statemHandler(chat), { notify: box.pid });
    const { ws } = await client(listener);
    const [conn] = await listener.connections();
    t.node.send(conn!, 'quit');
    expect(await closed(ws)).toEqual([4000, 'quitting']);
    await until(() => box.messages.length === 1);
    expect(box.messages).toEqual([['terminated', 'stop']]);
  });

  it("the client closing runs terminate: the machine gets corral.terminate ['remote', code, reason]", async () => {
    t = testNode();
    const box = inbox(t.node);
    const listener = await serve(statemHandler(chat), { notify: box.pid });
    const { ws } = await client(listener);
    ws.close(1000, 'see you');
    await until(() => box.messages.length === 1);
    expect(box.messages[0]).toEqual(['terminated', ['remote', 1000, Buffer.from('see you')]]);
  });

  it('a failing machine closes the connection with 1011 (internal error) and crashes its process', async () => {
    t = testNode();
    const listener = await serve(statemHandler(chat), {});
    const { ws } = await client(listener);
    const [conn] = await listener.connections();
    const down = monitorFromOutside(conn!);
    t.node.send(conn!, 'boom');
    expect((await closed(ws))[0]).toBe(1011);
    expect(await down).toEqual(['crash', new Error('chat broke')]);
  });

  it('stop(reason) closes with 1000 and the connection process exits with the reason', async () => {
    t = testNode();
    const listener = await serve(statemHandler(chat), {});
    const { ws } = await client(listener);
    const [conn] = await listener.connections();
    const down = monitorFromOutside(conn!);
    t.node.send(conn!, 'nudge');
    expect((await closed(ws))[0]).toBe(1000);
    expect(await down).toEqual(['shutdown', 'nudged']);
  });

  it('Statem.stop on a connection runs corral.terminate, closes it, and resolves once it exited', async () => {
    t = testNode();
    const box = inbox(t.node);
    const listener = await serve(statemHandler(chat), { notify: box.pid });
    const { ws } = await client(listener);
    const [conn] = await listener.connections();
    await Statem.stop(conn!, 'shutdown');
    expect((await closed(ws))[0]).toBe(1000);
    await settle();
    expect(box.messages).toEqual([['terminated', 'shutdown']]);
  });

  it('input(req, state) makes the machine input from the request; jsonFrameEvent decodes JSON events', async () => {
    t = testNode();
    const greeter = setup({
      types: {
        context: {} as { name: string },
        input: {} as { name: string },
        events: {} as { type: 'greet' },
      },
    }).createMachine({
      context: ({ input }) => ({ name: input.name }),
      on: { greet: { actions: sendFrame(({ context }) => ['text', `hello ${context.name}`]) } },
    });
    const handler = statemHandler(greeter, {
      input: (req: Req) => ({ name: req.query.get('name') ?? 'stranger' }),
      decode: jsonFrameEvent,
    });
    const listener = await serve(handler, {});
    const { ws, got } = await client(listener, '/?name=ann');
    ws.send(JSON.stringify({ type: 'greet' }));
    await until(() => got.length === 1);
    expect(got).toEqual(['hello ann']);
  });
});

/** The exit reason of `pid`, through a monitor held by a helper process. */
function monitorFromOutside(pid: Pid): Promise<unknown> {
  return new Promise((resolve) => {
    t.node.spawn(async (self) => {
      self.monitor(pid);
      const down = await self.receive(isDownMessage);
      resolve(down[4]);
    });
  });
}

describe('statemHandler results (the handler contract, called as a connection would)', () => {
  /** Calls the handler's callbacks as the connection process `host` would (self() is the host). */
  function host() {
    const box = inbox(t.node);
    const as = <T>(fn: () => T): T => t.node.runAs({ pid: box.pid }, fn);
    return { box, as };
  }

  const compressor = setup({ types: { events: {} as FrameEvent | { type: 'quiet' } } }).createMachine({
    on: {
      'ws.text': { actions: [deflate(false), sendFrame(({ event }) => ['text', event.data]), deflate(true)] },
      quiet: { actions: wsCommand(['set_options', { idleTimeout: 1000 }]) },
    },
  });

  it('actions become the commands form, in the order they ran; no action gives [ok, state]', () => {
    t = testNode();
    const { as } = host();
    const h = statemHandler(compressor);
    const [, , st] = h.init({} as Req, {}) as readonly [string, Req, StatemSocket];
    expect(st).toBeInstanceOf(StatemSocket);
    expect(as(() => h.websocketInit!(st))).toEqual(['ok', st]);
    expect(as(() => h.websocketHandle(['text', 'big'], st))).toEqual([
      [
        ['deflate', false],
        ['text', 'big'],
        ['deflate', true],
      ],
      st,
    ]);
    expect(as(() => h.websocketInfo!('quiet', st))).toEqual([[['set_options', { idleTimeout: 1000 }]], st]);
    expect(as(() => h.websocketHandle(['ping', Buffer.alloc(0)], st))).toEqual(['ok', st]);
  });

  it('wsOptions are returned from init; decode returning undefined drops the frame', () => {
    t = testNode();
    const { as } = host();
    const seen: EventObject[] = [];
    const h = statemHandler(compressor, {
      wsOptions: { idleTimeout: 5000 },
      decode: (f) => {
        const e = f[0] === 'binary' ? undefined : { type: 'ws.text', data: 'x' };
        if (e !== undefined) seen.push(e);
        return e;
      },
    });
    const r = h.init({} as Req, {});
    expect(r[3]).toEqual({ idleTimeout: 5000 });
    const st = r[2] as StatemSocket;
    as(() => h.websocketInit!(st));
    expect(as(() => h.websocketHandle(['binary', Buffer.from([1])], st))).toEqual(['ok', st]);
    expect(seen).toEqual([]);
  });

  it('the snapshot is what the connection shows (StatemSocket.snapshot, and toJSON)', () => {
    t = testNode();
    const { as } = host();
    const h = statemHandler(chat);
    const st = h.init({} as Req, {})[2] as StatemSocket<typeof chat>;
    as(() => h.websocketInit!(st));
    expect(st.snapshot?.value).toBe('talking');
    expect(JSON.parse(JSON.stringify(st))).toMatchObject({ value: 'talking', context: { lines: 0 } });
  });
});

describe('jsonFrameEvent', () => {
  it('a text frame holding an event object is that event', () => {
    expect(jsonFrameEvent(['text', '{"type":"enter","code":"1234"}'])).toEqual({
      type: 'enter',
      code: '1234',
    });
  });

  it('other frames decode as frameEvent: bad JSON, non-events and binary stay ws.* events', () => {
    expect(jsonFrameEvent(['text', 'not json'])).toEqual({ type: 'ws.text', data: 'not json' });
    expect(jsonFrameEvent(['text', '[1,2]'])).toEqual({ type: 'ws.text', data: '[1,2]' });
    expect(jsonFrameEvent(['binary', Buffer.from('{}')])).toEqual({
      type: 'ws.binary',
      data: Buffer.from('{}'),
    });
  });

  it("a client cannot reach the machine's internals: reserved event types stay text, a $from is dropped", () => {
    for (const type of ['xstate.after.1000.lock.open', 'corral.terminate', 'ws.close']) {
      const text = JSON.stringify({ type });
      expect(jsonFrameEvent(['text', text])).toEqual({ type: 'ws.text', data: text });
    }
    expect(jsonFrameEvent(['text', '{"type":"status","$from":{"x":1}}'])).toEqual({ type: 'status' });
  });
});
