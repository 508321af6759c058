/**
 * The connection process (`src/connection/connection.ts`) end to end over real sockets: the
 * handler callbacks and where they run, messages and signals, ping/pong, fragments, the close
 * handshake, protocol errors, the idle timeout, the parent, crashes and introspection. Every
 * assertion is on the wire (exact frames and close codes), in a mailbox, or in the terminate
 * reasons the handler recorded. Reference: cowboy_websocket(3), RFC 6455.
 */
import { type Pid, pg, Ref, self } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/codec/frame-parser.js';
import { Opcode } from '../../src/codec/opcodes.js';
import { kSink } from '../../src/connection/socket-events.js';
import { type CallResult, DEFAULT_WS_OPTIONS, type Handler } from '../../src/handler/handler.js';
import {
  closeAll,
  deferred,
  downOf,
  echo,
  probe,
  rawFrame,
  recording,
  testEnv,
  tick,
  until,
} from './fixture.js';

afterEach(closeAll);

const hex = (digits: string): Buffer => Buffer.from(digits.replace(/\s+/g, ''), 'hex');

/** A websocketInfo that acts on a few commands and reports anything else as JSON text. */
function infoCommands<S>(info: unknown, s: S): CallResult<S> {
  if (Array.isArray(info) && info[0] === 'monitor') {
    self().monitor(info[1] as Pid);
    return ['reply', ['text', 'monitoring'], s];
  }
  if (Array.isArray(info) && info[0] === 'link') {
    self().link(info[1] as Pid);
    return ['reply', ['text', 'linked'], s];
  }
  return ['reply', ['text', JSON.stringify(info)], s];
}

/** A process that ends 'normal' on its first message, or with any reason sent to it. */
function target(t: ReturnType<typeof testEnv>): Pid {
  return t.node.spawn(async (me) => {
    await me.receive();
  });
}

describe('echo', () => {
  it('echoes text and binary frames, unmasked, as RFC 6455 §5.7 shows them', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.send(hex('81 85 37fa213d 7f9f4d5158')); // §5.7: a masked "Hello"
    expect(await c.next()).toEqual(['text', 'Hello']);
    c.binary(hex('00 ff 10'));
    expect(await c.next()).toEqual(['binary', hex('00 ff 10')]);
    expect(c.server.writes).toEqual([hex('81 05 48656c6c6f'), hex('82 03 00ff10')]);
    expect(rec.frames).toEqual([
      ['text', 'Hello'],
      ['binary', hex('00 ff 10')],
    ]);
  });
});

describe('websocketInit', () => {
  it('runs inside the connection process (self() is its pid) before any frame, and may reply', async () => {
    const t = testEnv();
    const inside: unknown[] = [];
    const rec = recording<number>({
      websocketInit(n) {
        inside.push(self().pid, t.node.self());
        return ['reply', ['text', `init ${n}`], n + 1];
      },
      websocketHandle: (frame, n) => ['reply', ['text', `${frame[1]} ${n}`], n],
    });
    const server = await t.listen({ handler: rec.handler, state: 41 });
    const c = await t.connect(server);
    c.text('a');
    expect(await c.take(2)).toEqual([
      ['text', 'init 41'],
      ['text', 'a 42'],
    ]);
    expect(inside).toEqual([c.pid, c.pid]);
  });

  it('may register the pid and join a pg group; both are released when the connection ends', async () => {
    const t = testEnv();
    const groups = pg.startScope(t.node);
    const rec = recording<null>({
      websocketInit(s) {
        self().register('user:ann');
        groups.join('room', self().pid);
        return ['ok', s];
      },
      websocketInfo: (info, s) => ['reply', ['text', String(info)], s],
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    await until(() => t.node.whereis('user:ann') !== undefined, 'registered');
    expect(t.node.whereis('user:ann')).toBe(c.pid);
    expect(groups.getMembers('room')).toEqual([c.pid]);
    t.node.send('user:ann', 'by name');
    expect(groups.broadcast('room', 'to the room')).toBe(1);
    expect(await c.take(2)).toEqual([
      ['text', 'by name'],
      ['text', 'to the room'],
    ]);
    c.close(1000);
    await rec.terminated;
    await until(() => !t.node.isAlive(c.pid), 'exited');
    expect(t.node.whereis('user:ann')).toBeUndefined();
    expect(groups.getMembers('room')).toEqual([]);
  });
});

describe('websocketInfo', () => {
  it('gets every message sent to the pid, in order with the frames that arrived around it', async () => {
    const t = testEnv();
    const gate = deferred();
    const rec = recording<null>({
      websocketHandle: (frame, s) =>
        frame[1] === 'block' ? gate.promise.then(() => ['reply', ['text', 'unblocked'], s]) : echo(frame, s),
      websocketInfo: (info, s) => ['reply', ['text', `info ${String(info)}`], s],
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    t.node.send(c.pid, 'first');
    c.text('a');
    expect(await c.take(2)).toEqual([
      ['text', 'info first'],
      ['text', 'a'],
    ]);
    // While the handler is busy everything waits in the mailbox, in arrival order.
    c.text('block');
    await until(() => t.node.processInfo(c.pid)?.waitingOn === 'promise', 'busy');
    c.text('b');
    await until(() => t.node.messages(c.pid).length === 1, 'b queued');
    t.node.send(c.pid, 'second');
    c.text('c');
    await until(() => t.node.messages(c.pid).length === 3, 'c queued');
    gate.resolve();
    expect(await c.take(4)).toEqual([
      ['text', 'unblocked'],
      ['text', 'b'],
      ['text', 'info second'],
      ['text', 'c'],
    ]);
    expect(rec.infos).toEqual(['first', 'second']);
  });

  it('logs and drops messages when the handler has no websocketInfo', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    t.node.send(c.pid, 'nobody listens');
    c.text('still open');
    expect(await c.next()).toEqual(['text', 'still open']);
    expect(t.records.filter((r) => r.label === 'ws_unexpected_info')).toMatchObject([
      { level: 'warn', info: 'nobody listens', pid: c.pid.toString() },
    ]);
  });
});

describe('links and monitors', () => {
  it('a handler that monitors a process gets its DOWN message as info', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketInfo: infoCommands });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    const other = target(t);
    t.node.send(c.pid, ['monitor', other]);
    expect(await c.next()).toEqual(['text', 'monitoring']);
    t.node.exit(other, 'boom');
    const [, reply] = (await c.next()) as ['text', string];
    expect(JSON.parse(reply)).toEqual(['DOWN', expect.any(String), 'process', other.toString(), 'boom']);
    expect(rec.infos[1]).toEqual(['DOWN', expect.any(Ref), 'process', other, 'boom']);
  });

  it("with the trapExit option, a linked process's exit arrives as ['EXIT', pid, reason] info", async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketInfo: infoCommands });
    const server = await t.listen({ handler: rec.handler, state: null, opts: { trapExit: true } });
    const c = await t.connect(server);
    const other = target(t);
    t.node.send(c.pid, ['link', other]);
    expect(await c.next()).toEqual(['text', 'linked']);
    t.node.exit(other, 'boom');
    expect(await c.next()).toEqual(['text', JSON.stringify(['EXIT', other, 'boom'])]);
    expect(rec.infos[1]).toEqual(['EXIT', other, 'boom']);
    c.text('open');
    expect(await c.next()).toEqual(['text', 'open']);
  });

  it("without trapExit, a linked process's 'normal' exit is ignored and an abnormal one closes with 1011 and that reason", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>({ websocketInfo: infoCommands });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    const calm = target(t);
    t.node.send(c.pid, ['link', calm]);
    expect(await c.next()).toEqual(['text', 'linked']);
    t.node.send(calm, 'end normally');
    await until(() => !t.node.isAlive(calm), 'calm ended');
    c.text('still open');
    expect(await c.next()).toEqual(['text', 'still open']);

    const doomed = target(t);
    t.node.send(c.pid, ['link', doomed]);
    expect(await c.next()).toEqual(['text', 'linked']);
    t.node.exit(doomed, 'boom');
    expect(await c.next()).toEqual(['close', 1011, '']);
    await c.waitEnd();
    expect(rec.reasons).toEqual(['boom']);
    expect(await downOf(watcher, c.pid)).toBe('boom');
    expect(rec.infos).toEqual([
      ['link', calm],
      ['link', doomed],
    ]);
  });
});

describe('links to crashing processes', () => {
  it("a linked process's crash closes with 1011; terminate and the exit carry its ['crash', error]", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>({ websocketInfo: infoCommands });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    const bug = new Error('worker bug');
    const worker = t.node.spawn(async (me) => {
      await me.receive();
      throw bug;
    });
    t.node.send(c.pid, ['link', worker]);
    expect(await c.next()).toEqual(['text', 'linked']);
    t.node.send(worker, 'go');
    expect(await c.next()).toEqual(['close', 1011, '']);
    expect(rec.reasons).toEqual([['crash', bug]]);
    expect(await downOf(watcher, c.pid)).toEqual(['crash', bug]);
    expect(t.records.filter((r) => r.label === 'crash_report')[0]).toMatchObject({ err: bug });
  });
});

describe('ping and pong', () => {
  it('answers a ping with a pong carrying the same payload, and the handler sees the ping too', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.send(c.frame(Opcode.Ping, 'abc'));
    expect(await c.next()).toEqual(['pong', Buffer.from('abc')]);
    c.send(c.frame(Opcode.Ping, ''));
    expect(await c.next()).toEqual(['pong', Buffer.alloc(0)]);
    expect(c.server.writes).toEqual([hex('8a 03 616263'), hex('8a 00')]);
    expect(rec.frames).toEqual([
      ['ping', Buffer.from('abc')],
      ['ping', Buffer.alloc(0)],
    ]);
  });

  it('delivers pong frames to the handler', async () => {
    const t = testEnv();
    const rec = recording<null>({
      websocketHandle: (frame, s) => ['reply', ['text', `${frame[0]} ${frame[1].toString()}`], s],
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.send(c.frame(Opcode.Pong, 'late'));
    expect(await c.next()).toEqual(['text', 'pong late']);
    expect(rec.frames).toEqual([['pong', Buffer.from('late')]]);
  });
});

describe('fragmented messages', () => {
  it('delivers a text message sent in 3 fragments as one message; a ping between them is answered first', async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    // 'hé wo' + 'rld' with 'é' (c3 a9) split across the first two fragments.
    c.send(
      c.frame(Opcode.Text, hex('68 c3'), { fin: false }),
      c.frame(Opcode.Ping, 'p'),
      c.frame(Opcode.Continuation, hex('a9 20 77 6f'), { fin: false }),
      c.frame(Opcode.Continuation, 'rld'),
    );
    expect(await c.take(2)).toEqual([
      ['pong', Buffer.from('p')],
      ['text', 'hé world'],
    ]);
    // The same, one fragment per write.
    c.send(c.frame(Opcode.Binary, hex('01'), { fin: false }));
    c.send(c.frame(Opcode.Continuation, hex('02'), { fin: false }));
    c.send(c.frame(Opcode.Pong, 'q'));
    c.send(c.frame(Opcode.Continuation, hex('03')));
    expect(await c.next()).toEqual(['binary', hex('010203')]);
    expect(rec.frames).toEqual([
      ['ping', Buffer.from('p')],
      ['text', 'hé world'],
      ['pong', Buffer.from('q')],
      ['binary', hex('010203')],
    ]);
  });
});

describe('close handshake', () => {
  it("echoes a client's close 1000 'bye' with 1000 and terminates with ['remote', 1000, <bye>]", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    c.close(1000, 'bye');
    expect(await c.next()).toEqual(['close', 1000, '']);
    await c.waitEnd();
    expect(c.server.writes).toEqual([hex('88 02 03e8')]);
    expect(rec.reasons).toEqual([['remote', 1000, Buffer.from('bye')]]);
    expect(await downOf(watcher, c.pid)).toBe('normal');
  });

  it("answers a close without code with an empty close and terminates with 'remote'", async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.close();
    expect(await c.next()).toEqual(['close']);
    await c.waitEnd();
    expect(c.server.writes).toEqual([hex('88 00')]);
    expect(rec.reasons).toEqual(['remote']);
  });

  it("sends the handler's ['close', 4001, 'x'] as is and terminates with 'stop'", async () => {
    const t = testEnv();
    const rec = recording<null>({
      websocketHandle: (frame, s) =>
        frame[1] === 'bye' ? ['reply', ['close', 4001, 'x'], s] : echo(frame, s),
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    // Frames after the one that closed are not handled (RFC 6455 §5.5.1: nothing follows a close).
    c.send(c.frame(Opcode.Text, 'bye'), c.frame(Opcode.Text, 'ignored'));
    expect(await c.next()).toEqual(['close', 4001, 'x']);
    await c.waitEnd();
    expect(c.frames).toEqual([['close', 4001, 'x']]);
    expect(rec.reasons).toEqual(['stop']);
    expect(rec.frames).toEqual([['text', 'bye']]);
  });

  it("closes with 1000 and terminates with 'stop' when the handler returns ['stop', s]", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<string>({ websocketHandle: (_frame, s) => ['stop', `${s} done`] });
    const server = await t.listen({ handler: rec.handler, state: 'work' });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    c.text('stop');
    expect(await c.next()).toEqual(['close', 1000, '']);
    expect(rec.reasons).toEqual(['stop']);
    expect(rec.finalStates).toEqual(['work done']);
    expect(await downOf(watcher, c.pid)).toBe('normal');
  });

  it('half-closes TCP after its close frame and destroys the socket closeTimeout ms later if the peer never answers', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketHandle: (_frame, s) => ['stop', s] });
    const server = await t.listen({ handler: rec.handler, state: null, opts: { closeTimeout: 1000 } });
    const c = await t.connect(server);
    c.text('stop');
    expect(await c.next()).toEqual(['close', 1000, '']);
    await c.waitEnd();
    const socket = c.server.socket;
    expect(socket.writableEnded).toBe(true);
    expect(socket.destroyed).toBe(false);
    t.clock.advance(999);
    expect(socket.destroyed).toBe(false);
    t.clock.advance(1);
    expect(socket.destroyed).toBe(true);
  });

  it('lets the socket close as soon as the peer answers the close, cancelling the close timeout', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketHandle: (_frame, s) => ['stop', s] });
    const server = await t.listen({ handler: rec.handler, state: null, opts: { closeTimeout: 1000 } });
    const c = await t.connect(server);
    c.text('stop');
    expect(await c.next()).toEqual(['close', 1000, '']);
    c.close(1000);
    c.socket.end();
    await c.waitClosed();
    await until(() => c.server.socket.destroyed, 'server socket closed');
    expect(t.clock.pending()).toBe(0);
    expect(rec.reasons).toEqual(['stop']);
  });
});

describe('protocol errors', () => {
  const text = (s: string) => rawFrame(0x81, s);
  const cases: [string, number, string, Buffer[], { maxFrameSize?: number }?][] = [
    ['an unmasked client frame (RFC 6455 §5.1)', 1002, 'badframe', [rawFrame(0x81, 'hi', false)]],
    ['a reserved data opcode 0x3 (§5.2)', 1002, 'badframe', [rawFrame(0x83, 'x')]],
    ['a reserved control opcode 0xB (§5.2)', 1002, 'badframe', [rawFrame(0x8b)]],
    ['RSV1 without an extension (§5.2)', 1002, 'badframe', [rawFrame(0xc1, 'x')]],
    ['RSV2 set (§5.2)', 1002, 'badframe', [rawFrame(0xa1, 'x')]],
    ['a control frame of 126 bytes (§5.5)', 1002, 'badframe', [rawFrame(0x89, Buffer.alloc(126))]],
    ['a fragmented control frame (§5.5)', 1002, 'badframe', [rawFrame(0x09, 'p')]],
    ['a continuation with no message started (§5.4)', 1002, 'badframe', [rawFrame(0x80, 'x')]],
    ['a new message inside a fragmented one (§5.4)', 1002, 'badframe', [rawFrame(0x01, 'a'), text('b')]],
    ['invalid UTF-8 in a text frame (§8.1)', 1007, 'badencoding', [rawFrame(0x81, hex('c3 28'))]],
    [
      'invalid UTF-8 across fragments (§8.1)',
      1007,
      'badencoding',
      [rawFrame(0x01, hex('c3')), rawFrame(0x80, hex('28'))],
    ],
    ['invalid UTF-8 in a close reason (§5.5.1)', 1007, 'badencoding', [rawFrame(0x88, hex('03e8 ff'))]],
    [
      'a frame over maxFrameSize',
      1009,
      'badsize',
      [rawFrame(0x82, Buffer.alloc(101))],
      { maxFrameSize: 100 },
    ],
    [
      'fragments whose sum is over maxFrameSize',
      1009,
      'badsize',
      [rawFrame(0x02, Buffer.alloc(60)), rawFrame(0x80, Buffer.alloc(41))],
      { maxFrameSize: 100 },
    ],
    ['a close code that may not be sent: 1005 (§7.4.1)', 1002, 'badframe', [rawFrame(0x88, hex('03ed'))]],
    ['a close code out of range: 999 (§7.4.2)', 1002, 'badframe', [rawFrame(0x88, hex('03e7'))]],
    ['a 1-byte close payload (§5.5.1)', 1002, 'badframe', [rawFrame(0x88, hex('03'))]],
  ];

  it.each(cases)(
    '%s closes with %i and terminates with [error, %s]',
    async (_name, code, reason, bad, opts) => {
      const t = testEnv();
      const watcher = await probe(t.node);
      const rec = recording<null>();
      const server = await t.listen({ handler: rec.handler, state: null, opts: opts ?? {} });
      const c = await t.connect(server);
      watcher.self.monitor(c.pid);
      // A good frame first, in the same write: it is handled (and its echo sent) before the error closes.
      c.send(text('before'), ...bad);
      expect(await c.take(2)).toEqual([
        ['text', 'before'],
        ['close', code, ''],
      ]);
      await c.waitEnd();
      expect(Buffer.concat(c.server.writes)).toEqual(
        Buffer.concat([
          hex('81 06'),
          Buffer.from('before'),
          Buffer.from([0x88, 0x02, code >> 8, code & 0xff]),
        ]),
      );
      expect(rec.reasons).toEqual([['error', reason]]);
      expect(rec.frames).toEqual([['text', 'before']]);
      expect(await downOf(watcher, c.pid)).toBe('normal');
    },
  );
});

describe('idle timeout', () => {
  it("closes with 1000 and terminates with 'timeout' after a whole tick of idleTimeout with nothing received (the opening counts as activity)", async () => {
    const t = testEnv();
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null, opts: { idleTimeout: 1000 } });
    const c = await t.connect(server);
    t.clock.advance(1000); // the first tick: the connection has just opened
    await tick();
    t.clock.advance(999);
    await tick();
    expect(t.node.isAlive(c.pid)).toBe(true);
    t.clock.advance(1); // a whole tick without a byte
    expect(await c.next()).toEqual(['close', 1000, '']);
    expect(rec.reasons).toEqual(['timeout']);
  });

  it('stays open while something is received within every tick; frames sent by the server do not count', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketInfo: (info, s) => ['reply', ['text', String(info)], s] });
    const server = await t.listen({ handler: rec.handler, state: null, opts: { idleTimeout: 1000 } });
    const c = await t.connect(server);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(500);
      c.text(`ping ${i}`);
      expect(await c.next()).toEqual(['text', `ping ${i}`]);
      t.clock.advance(500); // a tick: traffic was seen, so it re-arms
      await tick();
    }
    expect(t.node.isAlive(c.pid)).toBe(true);
    // Outgoing traffic only: the next tick closes.
    t.node.send(c.pid, 'server talk');
    expect(await c.next()).toEqual(['text', 'server talk']);
    t.clock.advance(1000);
    expect(await c.next()).toEqual(['close', 1000, '']);
    expect(rec.reasons).toEqual(['timeout']);
  });

  it("['set_options', { idleTimeout }] changes the timeout of this connection only", async () => {
    const t = testEnv();
    const rec = recording<null>({
      websocketHandle: (frame, s) =>
        frame[1] === 'short'
          ? [
              [
                ['set_options', { idleTimeout: 100 }],
                ['text', 'ok'],
              ],
              s,
            ]
          : echo(frame, s),
    });
    // Both connections share one options object, as connections of one route may.
    const shared = { ...DEFAULT_WS_OPTIONS, idleTimeout: 1000 };
    const server = await t.listen({ handler: rec.handler, state: null, sharedOpts: shared });
    const a = await t.connect(server);
    const b = await t.connect(server);
    a.text('short');
    expect(await a.next()).toEqual(['text', 'ok']);
    expect(shared.idleTimeout).toBe(1000);
    t.clock.advance(100); // the first tick of the 100 ms ticker, which `a` just joined
    await tick();
    expect(t.node.isAlive(a.pid)).toBe(true);
    t.clock.advance(100);
    expect(await a.next()).toEqual(['close', 1000, '']);
    expect(t.node.isAlive(b.pid)).toBe(true);
    t.clock.advance(800); // the 1000 ms ticker's first tick: b has just opened
    await tick();
    expect(t.node.isAlive(b.pid)).toBe(true);
    t.clock.advance(1000);
    expect(await b.next()).toEqual(['close', 1000, '']);
    expect(rec.reasons).toEqual(['timeout', 'timeout']);
  });
});

describe('the parent', () => {
  it("an exit signal 'shutdown' from the parent closes with 1001, terminates with 'shutdown' and exits 'shutdown'", async () => {
    const t = testEnv();
    const parent = await probe(t.node, { trapExit: true });
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null, parent: parent.self });
    const c = await t.connect(server);
    expect(t.node.processInfo(c.pid)?.links).toEqual([parent.pid]);
    parent.self.monitor(c.pid);
    parent.self.exit(c.pid, 'shutdown');
    expect(await c.next()).toEqual(['close', 1001, '']);
    await c.waitEnd();
    expect(rec.reasons).toEqual(['shutdown']);
    expect(await downOf(parent, c.pid)).toBe('shutdown');
    expect(await parent.next((m) => Array.isArray(m) && m[0] === 'EXIT')).toEqual([
      'EXIT',
      c.pid,
      'shutdown',
    ]);
  });

  it("the connection's own end reaches the parent as an exit signal with its exit reason", async () => {
    const t = testEnv();
    const parent = await probe(t.node, { trapExit: true });
    const rec = recording<null>();
    const server = await t.listen({ handler: rec.handler, state: null, parent: parent.self });
    const c = await t.connect(server);
    c.close(1001);
    expect(await parent.next()).toEqual(['EXIT', c.pid, 'normal']);
    expect(rec.reasons).toEqual([['remote', 1001, Buffer.alloc(0)]]);
  });
});

describe('handler crashes', () => {
  const failure = new Error('handler bug');
  const crashes: [
    string,
    Partial<Handler<null>>,
    (c: { text(s: string): void }, send: () => void) => void,
  ][] = [
    [
      'a throw in websocketHandle',
      {
        websocketHandle: (frame, s) => {
          if (frame[1] === 'boom') throw failure;
          return echo(frame, s);
        },
      },
      (c) => c.text('boom'),
    ],
    [
      'a throw in websocketInfo',
      {
        websocketInfo: () => {
          throw failure;
        },
      },
      (_c, send) => send(),
    ],
    [
      'a throw in websocketInit',
      {
        websocketInit: () => {
          throw failure;
        },
      },
      () => {},
    ],
    [
      'a rejected promise from websocketHandle',
      {
        websocketHandle: async (frame, s) => {
          await Promise.resolve();
          if (frame[1] === 'boom') throw failure;
          return echo(frame, s);
        },
      },
      (c) => c.text('boom'),
    ],
  ];

  it.each(crashes)(
    "%s closes with 1011, terminates with ['crash', 'error', err], exits ['crash', err] with one crash report",
    async (_name, callbacks, trigger) => {
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown): void => {
        unhandled.push(e);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        const t = testEnv();
        const parent = await probe(t.node, { trapExit: true });
        const rec = recording<null>(callbacks);
        const server = await t.listen({ handler: rec.handler, state: null, parent: parent.self });
        const healthy = await t.listen({ handler: recording<null>().handler, state: null });
        const other = await t.connect(healthy);
        const c = await t.connect(server);
        trigger(c, () => t.node.send(c.pid, 'boom'));
        expect(await c.next()).toEqual(['close', 1011, '']);
        await c.waitEnd();
        expect(rec.reasons).toEqual([['crash', 'error', failure]]);
        expect(await parent.next()).toEqual(['EXIT', c.pid, ['crash', failure]]);
        const reports = t.records.filter((r) => r.label === 'crash_report');
        expect(reports).toHaveLength(1);
        expect(reports[0]).toMatchObject({
          err: failure,
          initialCall: 'websocket_connection',
          pid: c.pid.toString(),
        });
        other.text('unaffected');
        expect(await other.next()).toEqual(['text', 'unaffected']);
        await tick();
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    },
  );

  it("self().exit(r) in a callback closes with 1011, terminates with ['crash', 'exit', r] and exits with r (Cowboy re-raises)", async () => {
    const t = testEnv();
    const parent = await probe(t.node, { trapExit: true });
    const rec = recording<null>({
      websocketHandle: (frame, s) => (frame[1] === 'leave' ? self().exit(['left', 'room']) : echo(frame, s)),
      websocketInfo: async (_info, s) => {
        await Promise.resolve();
        return ['ok', s];
      },
    });
    const server = await t.listen({ handler: rec.handler, state: null, parent: parent.self });
    const c = await t.connect(server);
    c.text('leave');
    expect(await c.next()).toEqual(['close', 1011, '']);
    expect(rec.reasons).toEqual([['crash', 'exit', ['left', 'room']]]);
    expect(await parent.next()).toEqual(['EXIT', c.pid, ['left', 'room']]);
    expect(t.records.filter((r) => r.label === 'crash_report')).toEqual([]);
  });

  it('logs a throw in terminate and still ends the process with its reason', async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>({
      terminate: () => {
        throw new Error('terminate bug');
      },
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    c.close(1000);
    expect(await downOf(watcher, c.pid)).toBe('normal');
    expect(t.records.filter((r) => r.label === 'ws_terminate_crash')).toHaveLength(1);
  });
});

describe('introspection', () => {
  it("processInfo shows a callback process 'websocket_connection' whose state is the path and the handler state", async () => {
    const t = testEnv();
    const rec = recording<{ user: string }>();
    const server = await t.listen({ handler: rec.handler, state: { user: 'ann' } });
    const c = await t.connect(server, '/chat?room=1');
    await until(() => t.node.processInfo(c.pid)?.status === 'waiting', 'started');
    expect(t.node.processInfo(c.pid)).toMatchObject({
      kind: 'callback',
      initialCall: 'websocket_connection',
      trapExit: true,
      state: { path: '/chat', state: { user: 'ann' } },
    });
  });
});

describe('memory between frames', () => {
  it('keeps a frame parser only while a partial frame is buffered (an idle connection holds none)', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketHandle: echo });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    // White-box: the connection is the socket's sink (socket-events.ts).
    const conn = (c.server.socket as unknown as Record<symbol, { parser: unknown }>)[kSink]!;
    expect(conn.parser).toBeUndefined();
    const frame = c.frame(Opcode.Text, 'split across two chunks');
    c.send(frame.subarray(0, 9));
    await until(() => conn.parser !== undefined, 'the parser holds the first half');
    c.send(frame.subarray(9));
    expect(await c.next()).toEqual(['text', 'split across two chunks']);
    expect(conn.parser).toBeUndefined();
    c.text('whole');
    expect(await c.next()).toEqual(['text', 'whole']);
    expect(conn.parser).toBeUndefined();
  });
});

describe('defence in depth', () => {
  it('if the codec ever threw, the connection would close with 1011 and run terminate, not die silently', async () => {
    const t = testEnv();
    const rec = recording<null>({ websocketHandle: echo });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    const bug = new Error('codec bug');
    const next = FrameParser.prototype.next;
    FrameParser.prototype.next = () => {
      FrameParser.prototype.next = next;
      throw bug;
    };
    try {
      c.send(c.frame(Opcode.Text, 'hi'));
      expect(await c.next()).toEqual(['close', 1011, '']);
    } finally {
      FrameParser.prototype.next = next;
    }
    expect(rec.reasons).toEqual([['crash', 'error', bug]]);
    expect(t.records.filter((r) => r.label === 'crash_report')).toHaveLength(1);
  });
});
