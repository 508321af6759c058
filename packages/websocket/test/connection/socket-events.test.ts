/**
 * The socket side of a connection (`src/connection/socket-events.ts` and how the connection
 * reacts): bytes read with the request head, a socket that goes away without a close frame or
 * is reset, a process killed under its socket, and reading paused while the process is behind
 * (`maxPendingFrames`), resumed when it catches up. Reference: cowboy_websocket(3) terminate
 * reasons `{error, closed}` and `{error, Reason}`.
 */
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode } from '../../src/codec/opcodes.js';
import { attachSocket } from '../../src/connection/socket-events.js';
import { closeAll, deferred, downOf, echo, probe, recording, testEnv, tick, until } from './fixture.js';

afterEach(closeAll);

describe('attachSocket', () => {
  it("keeps Node's own 'end' listener on a socket that does not allow half-open (it acts there)", () => {
    const socket = new Socket();
    expect(socket.allowHalfOpen).toBe(false);
    const own = socket.listeners('end');
    const sink = { onData() {}, onEnd() {}, onError() {}, onDrain() {} };
    attachSocket(socket, sink);
    expect(socket.listeners('end').slice(0, own.length)).toEqual(own);
    expect(socket.listenerCount('end')).toBe(own.length + 1);
    socket.destroy();
  });
});

describe('bytes that came with the request', () => {
  it('handles frames read together with the request head before anything read later', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const early = Buffer.concat([
      encodeFrame(Opcode.Text, 'early 1', { mask: true }),
      encodeFrame(Opcode.Text, 'early 2', { mask: true }),
    ]);
    const c = await t.connect(server, '/', early);
    c.text('later');
    expect(await c.take(3)).toEqual([
      ['text', 'early 1'],
      ['text', 'early 2'],
      ['text', 'later'],
    ]);
  });
});

describe('socket loss', () => {
  it("a socket closed without a close frame terminates with ['error', 'closed'] and gets no bytes", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    // An http.Server's socket allows half-open: Node's own 'end' listener does nothing there and
    // made way for the connection's (one listener, not an array of two).
    expect(c.server.socket.listenerCount('end')).toBe(1);
    c.socket.end();
    await c.waitClosed();
    expect(rec.reasons).toEqual([['error', 'closed']]);
    expect(await downOf(watcher, c.pid)).toBe('normal');
    expect(c.received).toBe(0);
    expect(c.server.writes).toEqual([]);
    expect(c.server.socket.destroyed).toBe(true);
  });

  it("a reset socket terminates with ['error', code]; the node and other connections keep running", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const other = await t.connect(server);
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    c.text('hello');
    expect(await c.next()).toEqual(['text', 'hello']);
    c.socket.resetAndDestroy();
    expect(await downOf(watcher, c.pid)).toBe('normal');
    expect(rec.reasons).toEqual([['error', 'ECONNRESET']]);
    expect(c.server.socket.destroyed).toBe(true);
    other.text('still here');
    expect(await other.next()).toEqual(['text', 'still here']);
  });

  it("a connection killed (untrappable 'kill') drops its socket without a close frame or terminate", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    t.node.exit(c.pid, 'kill');
    expect(await downOf(watcher, c.pid)).toBe('killed');
    await c.waitEnd();
    expect(c.received).toBe(0);
    expect(c.server.socket.destroyed).toBe(true);
    expect(rec.reasons).toEqual([]);
    // Late socket events find no process and change nothing.
    c.socket.destroy();
    await tick();
    expect(rec.reasons).toEqual([]);
    expect(t.node.processCount()).toBe(1);
  });
});

describe('reading flow control', () => {
  it.each([1, 2, 4])(
    'with maxPendingFrames %i, a busy handler stops the socket being read; reading resumes after and every frame is handled once, in order',
    async (max) => {
      const t = testEnv();
      const gate = deferred();
      const rec = recording<null>({
        websocketHandle: (frame, s) =>
          frame[1] === 'block'
            ? gate.promise.then(() => ['reply', ['text', 'unblocked'], s])
            : echo(frame, s),
      });
      const server = await t.listen({ handler: rec.handler, state: null, opts: { maxPendingFrames: max } });
      const c = await t.connect(server);
      const socket = c.server.socket;
      c.text('block');
      await until(() => t.node.processInfo(c.pid)?.waitingOn === 'promise', 'busy');
      // One frame per chunk (each read before the next is sent) until the connection stops reading.
      let sent = 0;
      while (!socket.isPaused()) {
        if (sent > max) throw new Error(`still reading after ${sent} chunks`);
        const before = socket.bytesRead;
        c.text(`m${sent++}`);
        await until(() => socket.bytesRead > before, 'chunk read');
      }
      expect(sent).toBe(max);
      expect(t.node.messages(c.pid)).toHaveLength(max);
      for (let i = 0; i < 3; i++) c.text(`m${sent++}`); // stay in the kernel while paused
      gate.resolve();
      const expected = [['text', 'unblocked'], ...Array.from({ length: sent }, (_, i) => ['text', `m${i}`])];
      expect(await c.take(sent + 1)).toEqual(expected);
      await until(() => !socket.isPaused(), 'reading again');
      c.text('last');
      expect(await c.next()).toEqual(['text', 'last']);
      expect(rec.frames.map((f) => f[1])).toEqual(['block', ...expected.slice(1).map((f) => f[1]), 'last']);
    },
  );
});
