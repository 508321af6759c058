/**
 * Output (`src/connection/output-flusher.ts` and the connection's flush): the frames produced in
 * one event-loop turn leave in one write, in order; large payloads are written by
 * reference; a peer that does not read makes the connection stop reading and, past
 * `maxOutgoingBuffer`, close with 1008 and `['error', 'slow_reader']` (the policy WsOptions
 * documents).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Opcode } from '../../src/codec/opcodes.js';
import { type Flushable, scheduleFlush } from '../../src/connection/output-flusher.js';
import { closeAll, recording, testEnv, tick } from './fixture.js';

afterEach(closeAll);

const hex = (digits: string): Buffer => Buffer.from(digits.replace(/\s+/g, ''), 'hex');

describe('scheduleFlush', () => {
  it('flushes every connection queued during a turn once, in order, after the I/O of the turn (setImmediate)', async () => {
    const log: string[] = [];
    const conn = (name: string): Flushable => ({ flush: () => log.push(name) });
    scheduleFlush(conn('a'));
    scheduleFlush(conn('b'));
    expect(log).toEqual([]);
    await Promise.resolve(); // not a microtask later: other sockets' reads of this turn come first
    expect(log).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a', 'b']);
    scheduleFlush(conn('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a', 'b', 'c']);
  });
});

describe('batched writes', () => {
  it('sends the frames of one result in one write, which arrives as one TCP chunk', async () => {
    const t = testEnv();
    const rec = recording<null>({
      websocketHandle: (_frame, s) => ['reply', [['text', 'a'], ['binary', hex('0102')], 'ping'], s],
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.text('go');
    expect(await c.take(3)).toEqual([
      ['text', 'a'],
      ['binary', hex('0102')],
      ['ping', Buffer.alloc(0)],
    ]);
    const bytes = hex('81 01 61  82 02 0102  89 00');
    expect(c.server.writes).toEqual([bytes]);
    expect(c.chunks).toEqual([bytes]);
  });

  it("puts the automatic pong and the handler's reply to a ping in the same write, pong first", async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketHandle: (_frame, s) => ['reply', ['text', 'seen'], s] });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.send(c.frame(Opcode.Ping, 'hi'));
    expect(await c.take(2)).toEqual([
      ['pong', Buffer.from('hi')],
      ['text', 'seen'],
    ]);
    expect(c.server.writes).toEqual([hex('8a 02 6869  81 04 7365656e')]);
  });

  it('sends the replies to messages handled in one turn in one write', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketInfo: (info, s) => ['reply', ['text', String(info)], s] });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    for (const n of [1, 2, 3, 4, 5]) t.node.send(c.pid, n);
    expect(await c.take(5)).toEqual([1, 2, 3, 4, 5].map((n) => ['text', String(n)]));
    expect(c.server.writes).toHaveLength(1);
    expect(c.server.writes[0]).toEqual(hex('8101 31 8101 32 8101 33 8101 34 8101 35'));
  });

  it('writes large payloads by reference, in order with the small frames around them', async () => {
    const t = testEnv();
    const big = Buffer.alloc(100_000, 0xab);
    const rec = recording<null>({
      websocketHandle: (_frame, s) => [
        'reply',
        [
          ['text', 'before'],
          ['binary', big],
          ['text', 'after'],
        ],
        s,
      ],
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.text('go');
    const [before, payload, after] = await c.take(3);
    expect(before).toEqual(['text', 'before']);
    expect(payload?.[0]).toBe('binary');
    expect(Buffer.compare(payload?.[1] as Buffer, big)).toBe(0);
    expect(after).toEqual(['text', 'after']);
    expect(c.server.writes.some((w) => w === big)).toBe(true);
    expect(Buffer.concat(c.server.writes).length).toBe(2 + 6 + 10 + big.length + 2 + 5);
  });
});

describe('backpressure', () => {
  const big = Buffer.alloc(64 * 1024, 7);

  it('stops reading while the socket cannot take more and reads again after it drains', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketInfo: (_info, s) => ['reply', ['binary', big], s] });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.socket.pause();
    let sent = 0;
    // The kernel's buffers fill first; then the socket holds bytes and the connection pauses.
    while (!(c.server.socket.isPaused() && c.server.socket.writableLength > 0)) {
      if (sent === 2000) throw new Error('the server never stopped reading');
      t.node.send(c.pid, sent++);
      await tick();
    }
    c.text('after'); // not read until the peer drains the server's output
    c.socket.resume();
    const frames = await c.take(sent + 1);
    expect(frames.slice(0, sent).every((f) => f[0] === 'binary' && f[1].length === big.length)).toBe(true);
    expect(frames[sent]).toEqual(['text', 'after']);
    expect(c.server.socket.isPaused()).toBe(false);
    expect(rec.reasons).toEqual([]);
  });

  it("a peer that never reads: buffered bytes stay under maxOutgoingBuffer plus one batch, then 1008 and ['error', 'slow_reader']", async () => {
    const t = testEnv();
    const limit = 256 * 1024;
    const rec = recording<null>({ websocketInfo: (_info, s) => ['reply', ['binary', big], s] });
    const server = await t.listen({
      handler: rec.handler,
      state: null,
      opts: { maxOutgoingBuffer: limit, closeTimeout: 1000 },
    });
    const c = await t.connect(server);
    c.socket.pause();
    let sent = 0;
    let sawPaused = false;
    while (rec.reasons.length === 0) {
      if (sent === 4000) throw new Error('the connection never gave up on the peer');
      t.node.send(c.pid, sent++);
      await tick();
      sawPaused ||= c.server.socket.isPaused();
    }
    expect(rec.reasons).toEqual([['error', 'slow_reader']]);
    expect(sawPaused).toBe(true);
    expect(c.server.maxWritableLength).toBeGreaterThan(limit);
    expect(c.server.maxWritableLength).toBeLessThanOrEqual(limit + big.length + 10 + 4);
    // What was written before is delivered, then the close; the reply that found the peer behind is
    // dropped, and messages after the close are not handled.
    const handled = rec.infos.length;
    t.node.send(c.pid, 'late');
    c.socket.resume();
    await c.waitEnd();
    expect(rec.infos).toHaveLength(handled);
    expect(c.frames).toHaveLength(handled);
    expect(c.frames.slice(0, -1).every((f) => f[0] === 'binary' && f[1].length === big.length)).toBe(true);
    expect(c.frames.at(-1)).toEqual(['close', 1008, '']);
  });

  it('drops a peer that never reads even its close frame, closeTimeout ms after the close', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketInfo: (_info, s) => ['reply', ['binary', big], s] });
    const server = await t.listen({
      handler: rec.handler,
      state: null,
      opts: { maxOutgoingBuffer: 128 * 1024, closeTimeout: 1000 },
    });
    const c = await t.connect(server);
    c.socket.pause();
    for (let sent = 0; rec.reasons.length === 0; sent++) {
      if (sent === 4000) throw new Error('the connection never gave up on the peer');
      t.node.send(c.pid, sent);
      await tick();
    }
    expect(c.server.socket.destroyed).toBe(false);
    t.clock.advance(1000);
    expect(c.server.socket.destroyed).toBe(true);
  });
});
