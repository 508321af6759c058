/**
 * permessage-deflate against a real client that negotiates it: the `ws` package's client
 * (`perMessageDeflate: true` offers `permessage-deflate; client_max_window_bits`, as Chromium
 * does), with small and large messages, many messages with context takeover, both directions,
 * and the parameters a client may ask for. What the server wrote is parsed too, to see which
 * frames went out compressed.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { type PerMessageDeflateOptions } from 'ws';
import { FrameParser } from '../../src/codec/frame-parser.js';
import { closeTracked, nextMessages, track, until } from '../server/support.js';
import { bigText, type DeflateServer, deflateServer, echoHandler } from './support.js';

afterEach(closeTracked);

async function wsClient(port: number, perMessageDeflate: boolean | PerMessageDeflateOptions = true) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate, maxPayload: 64 << 20 });
  track(() => ws.terminate());
  const response = once(ws, 'upgrade') as Promise<[{ headers: Record<string, string | undefined> }]>;
  await once(ws, 'open');
  return { ws, offered: (await response)[0].headers['sec-websocket-extensions'] };
}

/** The RSV1 bit of every data frame connection `i` of `server` wrote. */
function sentRsv1(server: DeflateServer, i = 0): boolean[] {
  const parser = new FrameParser({
    role: 'client',
    rsv1Allowed: true,
    validateUtf8: false,
    maxFrameSize: Number.POSITIVE_INFINITY,
  });
  parser.push(Buffer.concat(server.written[i]!));
  const out: boolean[] = [];
  for (let r = parser.next(); r.kind === 'frame'; r = parser.next())
    if (r.type === 'text' || r.type === 'binary') out.push(r.rsv1);
  return out;
}

describe('interop with the ws client (perMessageDeflate: true)', () => {
  it("negotiates from ws's offer and echoes small and large text and binary, large ones compressed", async () => {
    const { handler, seen } = echoHandler({ maxFrameSize: 64 << 20, deflateOpts: { threshold: 1024 } });
    const server = await deflateServer(handler, null);
    const { ws, offered } = await wsClient(server.port);
    expect(server.offers).toEqual(['permessage-deflate; client_max_window_bits']);
    expect(offered).toBe('permessage-deflate');
    const messages: (string | Buffer)[] = [
      'hi',
      bigText(5000),
      Buffer.from('small binary'),
      Buffer.from(bigText(3 << 20)), // 3 MiB: inflated and compressed off the main thread
      '',
      `${'é'.repeat(600)}`, // 1200 bytes of UTF-8
    ];
    const replies = nextMessages(ws, messages.length);
    for (const m of messages) ws.send(m);
    const got = await replies;
    got.forEach(([data, isBinary], i) => {
      const m = messages[i]!;
      expect(isBinary).toBe(Buffer.isBuffer(m));
      expect(data.equals(Buffer.from(m))).toBe(true);
    });
    expect(seen.map(([type, data]) => [type, data.length])).toEqual([
      ['text', 2],
      ['text', 5000],
      ['binary', 12],
      ['binary', 3 << 20],
      ['text', 0],
      ['text', 600],
    ]);
    expect(sentRsv1(server)).toEqual([false, true, false, true, false, true]);
  });

  it('exchanges 500 messages each way with context takeover, replies in order', async () => {
    const { handler } = echoHandler({ deflateOpts: { threshold: 0 } });
    const server = await deflateServer(handler, null);
    const { ws } = await wsClient(server.port);
    const sent = Array.from({ length: 500 }, (_, i) => `${bigText(20 + ((i * 53) % 2000))}|${i}`);
    const replies = nextMessages(ws, sent.length);
    for (const m of sent) ws.send(m);
    expect((await replies).map(([d]) => d.toString())).toEqual(sent);
    expect(sentRsv1(server).every(Boolean)).toBe(true);
  });

  it.each<[string, PerMessageDeflateOptions, string]>([
    [
      'server_no_context_takeover',
      { serverNoContextTakeover: true },
      'permessage-deflate; server_no_context_takeover',
    ],
    [
      'client_no_context_takeover',
      { clientNoContextTakeover: true },
      'permessage-deflate; client_no_context_takeover',
    ],
    [
      'server_max_window_bits=10',
      { serverMaxWindowBits: 10 },
      'permessage-deflate; server_max_window_bits=10',
    ],
    ['client_max_window_bits=9', { clientMaxWindowBits: 9 }, 'permessage-deflate; client_max_window_bits=9'],
  ])('honours a ws client asking for %s', async (_what, options, answer) => {
    const { handler } = echoHandler({ deflateOpts: { threshold: 0 } });
    const server = await deflateServer(handler, null);
    const { ws, offered } = await wsClient(server.port, { ...options, threshold: 0 });
    expect(offered).toBe(answer);
    const sent = Array.from({ length: 100 }, (_, i) => bigText(100 + ((i * 211) % 9000)));
    const replies = nextMessages(ws, sent.length);
    for (const m of sent) ws.send(m);
    expect((await replies).map(([d]) => d.toString())).toEqual(sent);
  });

  it('keeps working when the handler hibernates after every message', async () => {
    const { handler } = echoHandler({ deflateOpts: { threshold: 0 } });
    const hibernating = {
      ...handler,
      websocketHandle: (frame: Parameters<typeof handler.websocketHandle>[0], s: null) =>
        frame[0] === 'text' ? (['reply', frame, s, 'hibernate'] as const) : (['ok', s] as const),
    };
    const server = await deflateServer(hibernating, null);
    const { ws } = await wsClient(server.port);
    for (let i = 0; i < 30; i++) {
      const m = bigText(500 + i * 100);
      const reply = nextMessages(ws, 1);
      ws.send(m);
      expect((await reply)[0]![0].toString()).toBe(m);
    }
  });

  it("switches compression off and on with ['deflate', boolean]; ws takes both", async () => {
    const { handler } = echoHandler({ deflateOpts: { threshold: 0 } });
    const server = await deflateServer(handler, null);
    const { ws } = await wsClient(server.port);
    const replies = nextMessages(ws, 3);
    for (const m of ['a', 'off', 'b', 'on', 'c']) ws.send(m);
    expect((await replies).map(([d]) => d.toString())).toEqual(['a', 'b', 'c']);
    expect(sentRsv1(server)).toEqual([true, false, true]);
  });

  it('closes with 1009 when ws sends a message that inflates past maxFrameSize', async () => {
    const { handler, reasons } = echoHandler({ maxFrameSize: 100_000 });
    const server = await deflateServer(handler, null);
    const { ws } = await wsClient(server.port);
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    ws.send('x'.repeat(200_000)); // ~200 bytes compressed
    expect((await closed)[0]).toBe(1009);
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badsize']]);
  });
});
