/**
 * Handler results (`src/connection/frame-dispatch.ts` and how the connection applies them):
 * Cowboy's `call_result()` — `['ok', s]`, `['reply', frames, s]`, `['stop', s]`, each with an
 * optional `'hibernate'` — and the Cowboy 2.7 commands form with `active`, `set_options`,
 * `shutdown_reason` and `deflate`; malformed results crash the connection (1011) with a
 * `BadResultError` naming the callback and the value. Reference: cowboy_websocket(3).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Opcode } from '../../src/codec/opcodes.js';
import { BadResultError, newActions, readResult } from '../../src/connection/frame-dispatch.js';
import type { CallResult, Handler } from '../../src/handler/handler.js';
import { closeAll, deferred, downOf, echo, probe, recording, testEnv, tick, until } from './fixture.js';

afterEach(closeAll);

const hex = (digits: string): Buffer => Buffer.from(digits.replace(/\s+/g, ''), 'hex');

/** A handler that answers text frame `key` with `results[key]` and echoes everything else. */
function byText<S>(results: Record<string, (s: S) => CallResult<S>>): Partial<Handler<S>> {
  return {
    websocketHandle: (frame, s) => {
      const make = frame[0] === 'text' ? results[frame[1]] : undefined;
      return make === undefined ? echo(frame, s) : make(s);
    },
  };
}

describe('readResult', () => {
  it("reads a reply's frames element as one frame when its first element is a string, else as a list", () => {
    const one = newActions<number>();
    readResult('websocketHandle', ['reply', ['ping', 'pong'], 1], one);
    expect(one.frames).toEqual([['ping', 'pong']]);
    const list = newActions<number>();
    readResult('websocketHandle', ['reply', [['text', 'a'], 'ping'], 2], list);
    expect(list.frames).toEqual([['text', 'a'], 'ping']);
    expect(list.state).toBe(2);
    const commands = newActions<number>();
    readResult('websocketHandle', [['ping', 'pong'], 3], commands);
    expect(commands.frames).toEqual(['ping', 'pong']);
  });

  it('keeps frames up to the first close frame and marks where it is', () => {
    const a = newActions<null>();
    readResult('websocketInfo', [[['text', 'a'], 'close', ['text', 'b'], ['close', 1000]], null], a);
    expect(a.frames).toEqual([['text', 'a'], 'close']);
    expect(a.closeAt).toBe(1);
  });

  it('collects commands: active, deflate, set_options (merged), shutdown_reason, hibernate', () => {
    const a = newActions<string>();
    readResult(
      'websocketInfo',
      [
        [
          ['active', false],
          ['deflate', true],
          ['set_options', { idleTimeout: 5 }],
          ['set_options', { maxFrameSize: 10 }],
          ['shutdown_reason', 'bye'],
        ],
        's',
        'hibernate',
      ],
      a,
    );
    expect(a).toMatchObject({
      state: 's',
      active: false,
      deflate: true,
      setOptions: { idleTimeout: 5, maxFrameSize: 10 },
      shutdownReason: { value: 'bye' },
      hibernate: true,
    });
  });
});

describe('replies', () => {
  it('sends one frame, a list of frames, and the commands form, in order', async () => {
    const t = testEnv();
    const rec = recording<null>(
      byText<null>({
        one: (s) => ['reply', ['text', '1'], s],
        list: (s) => ['reply', [['text', 'a'], ['binary', hex('01')], 'ping', ['pong', 'p']], s],
        commands: (s) => [[['text', 'x'], ['deflate', false], 'pong', ['binary', 'y']], s],
        pingPong: (s) => ['reply', ['ping', 'pong'], s],
        none: (s) => ['reply', [], s],
        ok: (s) => ['ok', s],
      }),
    );
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    for (const key of ['one', 'list', 'commands', 'pingPong', 'none', 'ok', 'end']) c.text(key);
    expect(await c.take(10)).toEqual([
      ['text', '1'],
      ['text', 'a'],
      ['binary', hex('01')],
      ['ping', Buffer.alloc(0)],
      ['pong', Buffer.from('p')],
      ['text', 'x'],
      ['pong', Buffer.alloc(0)],
      ['binary', Buffer.from('y')],
      ['ping', Buffer.from('pong')],
      ['text', 'end'],
    ]);
  });

  it("a close frame in a reply is the last frame sent and terminates with 'stop'", async () => {
    const t = testEnv();
    const rec = recording<null>(
      byText<null>({ bye: (s) => [[['text', 'last'], 'close', ['text', 'never']], s] }),
    );
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    c.text('bye');
    expect(await c.take(2)).toEqual([['text', 'last'], ['close']]);
    await c.waitEnd();
    expect(c.frames).toHaveLength(2);
    expect(Buffer.concat(c.server.writes)).toEqual(hex('81 04 6c617374 88 00'));
    expect(rec.reasons).toEqual(['stop']);
  });
});

describe('hibernate', () => {
  it("sends the frames of ['reply', frames, s, 'hibernate'] and keeps going after ['ok', s, 'hibernate']", async () => {
    const t = testEnv();
    const rec = recording<number>({
      websocketHandle: (frame, n) =>
        frame[0] === 'ping'
          ? ['ok', n + 1, 'hibernate']
          : frame[0] === 'text' && frame[1] === 'cmd'
            ? [[['text', `cmd ${n}`]], n + 1, 'hibernate']
            : ['reply', ['text', `${String(frame[1])} ${n}`], n + 1, 'hibernate'],
    });
    const server = await t.listen({ handler: rec.handler, state: 0 });
    const c = await t.connect(server);
    c.text('a');
    expect(await c.next()).toEqual(['text', 'a 0']);
    c.text('cmd');
    expect(await c.next()).toEqual(['text', 'cmd 1']);
    // Hibernating in the middle of a fragmented message keeps its fragments.
    c.send(c.frame(Opcode.Text, 'frag', { fin: false }), c.frame(Opcode.Ping, ''));
    expect(await c.next()).toEqual(['pong', Buffer.alloc(0)]);
    c.send(c.frame(Opcode.Continuation, 'ment'));
    expect(await c.next()).toEqual(['text', 'fragment 3']);
  });
});

describe('set_options', () => {
  it("['set_options', { maxFrameSize }] applies to the next frames, even those of the same chunk", async () => {
    const t = testEnv();
    const rec = recording<null>(
      byText<null>({
        small: (s) => [
          [
            ['set_options', { maxFrameSize: 10 }],
            ['text', 'limited'],
          ],
          s,
        ],
      }),
    );
    const server = await t.listen({ handler: rec.handler, state: null, opts: { maxFrameSize: 1000 } });
    const c = await t.connect(server);
    c.text('x'.repeat(500));
    expect(await c.next()).toEqual(['text', 'x'.repeat(500)]);
    c.send(
      c.frame(Opcode.Text, 'small'),
      c.frame(Opcode.Text, '0123456789'),
      c.frame(Opcode.Text, '0123456789a'),
    );
    expect(await c.take(3)).toEqual([
      ['text', 'limited'],
      ['text', '0123456789'],
      ['close', 1009, ''],
    ]);
    expect(rec.reasons).toEqual([['error', 'badsize']]);
  });
});

describe('active', () => {
  it("after ['active', false] frames wait, even those already read, until ['active', true] comes from an info", async () => {
    const t = testEnv();
    const rec = recording<null>({
      ...byText<null>({
        pause: (s) => [
          [
            ['active', false],
            ['text', 'paused'],
          ],
          s,
        ],
      }),
      websocketInfo: (info, s) =>
        info === 'resume'
          ? [
              [
                ['text', 'resumed'],
                ['active', true],
              ],
              s,
            ]
          : ['reply', ['text', `info ${info}`], s],
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    // 'a' and 'b' arrive in the same chunk as 'pause': read, but not handled.
    c.send(c.frame(Opcode.Text, 'pause'), c.frame(Opcode.Text, 'a'), c.frame(Opcode.Text, 'b'));
    expect(await c.next()).toEqual(['text', 'paused']);
    expect(c.server.socket.isPaused()).toBe(true);
    c.text('c'); // sent while paused: not even read
    t.node.send(c.pid, 'hello');
    expect(await c.next()).toEqual(['text', 'info hello']);
    expect(rec.frames).toEqual([['text', 'pause']]);
    t.node.send(c.pid, 'resume');
    expect(await c.take(4)).toEqual([
      ['text', 'resumed'],
      ['text', 'a'],
      ['text', 'b'],
      ['text', 'c'],
    ]);
    expect(c.server.socket.isPaused()).toBe(false);
    expect(rec.frames.map((f) => f[1])).toEqual(['pause', 'a', 'b', 'c']);
  });
});

describe('shutdown_reason', () => {
  it("['shutdown_reason', r] makes the process exit with r; terminate still gets 'stop'", async () => {
    const t = testEnv();
    const watcher = await probe(t.node);
    const rec = recording<null>(
      byText<null>({
        reason: (s) => [[['shutdown_reason', ['shutdown', 'room closed']]], s],
        bye: (s) => ['stop', s],
      }),
    );
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    watcher.self.monitor(c.pid);
    c.text('reason');
    c.text('bye');
    expect(await c.next()).toEqual(['close', 1000, '']);
    expect(rec.reasons).toEqual(['stop']);
    expect(await downOf(watcher, c.pid)).toEqual(['shutdown', 'room closed']);
  });
});

describe('malformed results', () => {
  const cases: [string, unknown, string][] = [
    ["['reply', 42, s]", ['reply', 42, null], 'frames must be a frame or a list of frames'],
    ["['okay', s]", ['okay', null], "expected 'ok', 'reply', 'stop' or a list of commands"],
    ["['ok']", ['ok'], "['ok', state] or ['ok', state, 'hibernate']"],
    ["[[['active', 'yes']], s]", [[['active', 'yes']], null], "['active', boolean]"],
    ["['reply', ['txt', 'x'], s]", ['reply', ['txt', 'x'], null], 'not a frame'],
    ["['ok', s, 'sleep']", ['ok', null, 'sleep'], "the last element may only be 'hibernate'"],
    ['undefined', undefined, 'not a tuple'],
    ["['reply', ['ping', <126 bytes>], s]", ['reply', ['ping', 'p'.repeat(126)], null], 'at most 125 bytes'],
    ["['reply', ['close', 1005], s]", ['reply', ['close', 1005], null], 'not a close code'],
    [
      "[[['set_options', { idleTimeout: -1 }]], s]",
      [[['set_options', { idleTimeout: -1 }]], null],
      'positive',
    ],
  ];

  it.each(cases)(
    '%s from websocketHandle closes with 1011 and crashes with a BadResultError naming both',
    async (_name, result, why) => {
      const t = testEnv();
      const watcher = await probe(t.node);
      const rec = recording<null>({ websocketHandle: () => result as CallResult<null> });
      const server = await t.listen({ handler: rec.handler, state: null });
      const c = await t.connect(server);
      watcher.self.monitor(c.pid);
      c.text('go');
      expect(await c.next()).toEqual(['close', 1011, '']);
      expect(c.frames).toHaveLength(1);
      const [reason] = rec.reasons as [['crash', 'error', Error]];
      expect(reason[0]).toBe('crash');
      const error = reason[2];
      expect(error).toBeInstanceOf(BadResultError);
      expect(error.message).toContain('websocketHandle returned a malformed result');
      expect(error.message).toContain(why);
      const shown = JSON.stringify(result);
      expect(error.message).toContain(shown === undefined ? 'undefined' : shown.slice(0, 20));
      expect(await downOf(watcher, c.pid)).toEqual(['crash', error]);
      expect(t.records.filter((r) => r.label === 'crash_report')).toHaveLength(1);
    },
  );

  it('names websocketInfo and websocketInit when they return a malformed result', async () => {
    const t = testEnv();
    const info = recording<null>({ websocketInfo: () => ['okay', null] as never });
    const init = recording<null>({ websocketInit: () => ['reply', 42, null] as never });
    const c1 = await t.connect(await t.listen({ handler: info.handler, state: null }));
    t.node.send(c1.pid, 'x');
    const c2 = await t.connect(await t.listen({ handler: init.handler, state: null }));
    expect(await c1.next()).toEqual(['close', 1011, '']);
    expect(await c2.next()).toEqual(['close', 1011, '']);
    expect(String((info.reasons[0] as unknown[])[2])).toMatch(
      /^BadResultError: websocketInfo returned .*"okay"/,
    );
    expect(String((init.reasons[0] as unknown[])[2])).toMatch(/^BadResultError: websocketInit returned .*42/);
  });
});

describe('async results', () => {
  it('an async websocketInit holds the frames that arrive before it settles; they are handled after its reply', async () => {
    const t = testEnv();
    const gate = deferred();
    const rec = recording<string>({
      websocketInit: async (s) => {
        await gate.promise;
        return ['reply', ['text', 'ready'], `${s}!`];
      },
      websocketHandle: (frame, s) => ['reply', ['text', `${String(frame[1])} ${s}`], s],
    });
    const server = await t.listen({ handler: rec.handler, state: 'init' });
    const c = await t.connect(server);
    c.text('early');
    await until(() => t.node.messages(c.pid).length === 1, 'queued');
    expect(c.frames).toEqual([]);
    gate.resolve();
    expect(await c.take(2)).toEqual([
      ['text', 'ready'],
      ['text', 'early init!'],
    ]);
  });

  it('a callback returning a promise holds later frames and infos, which are then handled in order', async () => {
    const t = testEnv();
    const gate = deferred();
    const rec = recording<string[]>({
      websocketHandle: (frame, seen) => {
        const text = String(frame[1]);
        if (text === 'slow')
          return gate.promise.then(() => ['reply', ['text', 'slow done'], [...seen, text]]);
        return ['reply', ['text', text], [...seen, text]];
      },
      websocketInfo: async (info, seen) => {
        await Promise.resolve();
        return ['reply', ['text', `info ${String(info)}`], [...seen, `info ${String(info)}`]];
      },
    });
    const server = await t.listen({ handler: rec.handler, state: [] });
    const c = await t.connect(server);
    // 'a' shares the chunk with 'slow' (held in the parser); 'b' and an info come later (mailbox).
    c.send(c.frame(Opcode.Text, 'slow'), c.frame(Opcode.Text, 'a'));
    await until(() => t.node.processInfo(c.pid)?.waitingOn === 'promise', 'busy');
    t.node.send(c.pid, 'i');
    c.text('b');
    await until(() => t.node.messages(c.pid).length === 2, 'queued');
    expect(c.frames).toEqual([]);
    gate.resolve();
    expect(await c.take(4)).toEqual([
      ['text', 'slow done'],
      ['text', 'a'],
      ['text', 'info i'],
      ['text', 'b'],
    ]);
    c.close(1000);
    await rec.terminated;
    expect(rec.finalStates).toEqual([['slow', 'a', 'info i', 'b']]);
    await tick();
  });
});

describe('hibernate between frames drops the parser; the next bytes get a new one', () => {
  it('with the options in force: set_options maxFrameSize then hibernate, and an over-limit frame closes 1009', async () => {
    const t = testEnv();
    const rec = recording<number>({
      websocketHandle: (frame, n) =>
        n === 0
          ? [
              [
                ['set_options', { maxFrameSize: 10 }],
                ['text', 'ok'],
              ],
              n + 1,
              'hibernate',
            ]
          : echo(frame, n + 1),
    });
    const server = await t.listen({ handler: rec.handler, state: 0 });
    const c = await t.connect(server);
    c.send(c.frame(Opcode.Text, 'first'));
    expect(await c.next()).toEqual(['text', 'ok']);
    c.send(c.frame(Opcode.Text, '0123456789')); // exactly the limit: echoed by a fresh parser
    expect(await c.next()).toEqual(['text', '0123456789']);
    c.send(c.frame(Opcode.Text, '0123456789a'));
    expect(await c.next()).toEqual(['close', 1009, '']);
    expect(rec.reasons).toEqual([['error', 'badsize']]);
  });
});
