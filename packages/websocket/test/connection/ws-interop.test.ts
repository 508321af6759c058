/**
 * The connection process against a peer implementation: the `ws` package's client (a
 * devDependency) for a 16 MiB message, a message of 1,000 fragments, and 200 concurrent
 * connections each echoing 50 messages; the raw client for fragments with control frames between.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Opcode } from '../../src/codec/opcodes.js';
import { nextMessages } from '../server/support.js';
import { closeAll, recording, type TestServer, testEnv } from './fixture.js';

afterEach(closeAll);

const MiB = 1024 * 1024;

/** A `ws` client connected to `server`; closed by the test (or destroyed with the env's sockets). */
async function wsClient(server: TestServer): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  await once(ws, 'open');
  return ws;
}

describe('interop with the ws client', () => {
  it('echoes a 16 MiB binary message when maxFrameSize allows it', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null, opts: { maxFrameSize: 16 * MiB } });
    const ws = await wsClient(server);
    const payload = Buffer.alloc(16 * MiB);
    for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32BE(i, i);
    const reply = nextMessages(ws, 1);
    ws.send(payload);
    const [[data, isBinary]] = (await reply) as [[Buffer, boolean]];
    expect(isBinary).toBe(true);
    expect(data.length).toBe(payload.length);
    expect(data.equals(payload)).toBe(true);
    ws.close(1000);
    await once(ws, 'close');
    expect(rec.reasons).toEqual([['remote', 1000, Buffer.alloc(0)]]);
  });

  it('assembles a text message ws sends in 1,000 fragments', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const ws = await wsClient(server);
    const parts = Array.from({ length: 1000 }, (_, i) => `[${i}]`);
    const reply = nextMessages(ws, 1);
    for (let i = 0; i < parts.length; i++) ws.send(parts[i]!, { fin: i === parts.length - 1 });
    const [[data, isBinary]] = (await reply) as [[Buffer, boolean]];
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe(parts.join(''));
    expect(rec.frames).toHaveLength(1);
  });

  it('serves 200 concurrent connections each echoing 50 messages, every reply in order', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const clients = await Promise.all(Array.from({ length: 200 }, () => wsClient(server)));
    expect(server.sides).toHaveLength(200);
    await Promise.all(
      clients.map(async (ws, i) => {
        const sent = Array.from({ length: 50 }, (_, j) => `client ${i} message ${j}`);
        const replies = nextMessages(ws, sent.length);
        for (const text of sent) ws.send(text);
        expect((await replies).map(([data, isBinary]) => [data.toString(), isBinary])).toEqual(
          sent.map((text) => [text, false]),
        );
      }),
    );
    await Promise.all(
      clients.map(async (ws) => {
        ws.close();
        await once(ws, 'close');
      }),
    );
    expect(rec.frames).toHaveLength(200 * 50);
    expect(rec.reasons).toEqual(Array.from({ length: 200 }, () => 'remote'));
    expect(t.node.processCount()).toBe(0);
  });
});

describe('fragments from the raw client', () => {
  it('assembles a message of 1,000 fragments with pings between them, each ping answered first', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    const parts = Array.from({ length: 1000 }, (_, i) => Buffer.from(`<${i}>`));
    const frames = parts.flatMap((part, i) => {
      const fragment = c.frame(i === 0 ? Opcode.Binary : Opcode.Continuation, part, { fin: i === 999 });
      return i % 100 === 50 ? [fragment, c.frame(Opcode.Ping, String(i))] : [fragment];
    });
    // In a few writes of many frames, and the last ones one by one.
    c.send(...frames.slice(0, 500));
    c.send(...frames.slice(500, 990));
    for (const f of frames.slice(990)) c.send(f);
    const received = await c.take(11);
    expect(received.slice(0, 10)).toEqual(
      Array.from({ length: 10 }, (_, k) => ['pong', Buffer.from(String(k * 100 + 50))]),
    );
    expect(received[10]).toEqual(['binary', Buffer.concat(parts)]);
  });
});
