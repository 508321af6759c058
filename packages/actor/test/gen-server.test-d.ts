/**
 * Type tests for GenServer (checked by `tsc -p packages/actor/tsconfig.json`): plain tuple
 * literals are results, a pid knows its request and reply types, and wrong shapes are errors.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  createNode,
  type From,
  GenServer,
  type GenServerBehaviour,
  type GenServerPid,
  type Pid,
} from '../src/index.js';

type T = {
  args: number;
  state: number;
  call: 'get' | ['add', number];
  reply: number;
  cast: 'reset';
  info: 'tick';
  continue: 'load';
};

const node = createNode({ name: 'types' });

describe('GenServer types', () => {
  it('accepts plain tuple literals as callback results', () => {
    const b: GenServerBehaviour<T> = {
      init: (n) => (n > 0 ? ['ok', n] : ['ok', 0, ['continue', 'load']]),
      handleCall: (req, from, n) => {
        expectTypeOf(from).toEqualTypeOf<From<number>>();
        if (req === 'get') return ['reply', n, n, 1000];
        if (req[1] < 0) return ['stop', 'negative', n];
        if (req[1] === 0) return ['noreply', n, 'hibernate'];
        return ['reply', n + req[1], n + req[1]];
      },
      handleCast: (msg, _n) => {
        expectTypeOf(msg).toEqualTypeOf<'reset'>();
        return ['noreply', 0];
      },
      handleInfo: (msg, n) => (msg === 'tick' || msg === 'timeout' ? ['noreply', n + 1] : ['stop', 'odd', n]),
      handleContinue: (what, n) => {
        expectTypeOf(what).toEqualTypeOf<'load'>();
        return ['noreply', n];
      },
      terminate: () => {},
    };
    expectTypeOf(b).toMatchTypeOf<GenServerBehaviour<T>>();
  });

  it('rejects malformed results and wrong state types', () => {
    const b: GenServerBehaviour<T> = {
      // @ts-expect-error the state is a number
      init: () => ['ok', 'zero'],
      // @ts-expect-error 'replied' is not a result
      handleCall: (_req, _from, n) => ['replied', n, n],
      // @ts-expect-error handleCast cannot reply
      handleCast: (_msg, n) => ['reply', n, n],
      // @ts-expect-error a continue must carry the declared type
      handleInfo: (_msg, n) => ['noreply', n, ['continue', 'other']],
    };
    void b;
  });

  it("makes 'ignore' an init result only for servers that declare it", () => {
    // @ts-expect-error 'ignore' is not declared
    const strict: GenServerBehaviour<{ state: number }> = { init: () => 'ignore' };
    const lenient: GenServerBehaviour<{ state: number; ignore: true }> = { init: () => 'ignore' };
    expectTypeOf(GenServer.start(node, lenient, undefined)).resolves.toEqualTypeOf<
      GenServerPid<{ state: number; ignore: true }> | 'ignore'
    >();
    void strict;
  });

  it('types start, call, cast and send by the server types', async () => {
    const b = {} as GenServerBehaviour<T>;
    const pid = await GenServer.start(node, b, 1, { name: 'counter' });
    expectTypeOf(pid).toEqualTypeOf<GenServerPid<T>>();
    expectTypeOf(GenServer.call(pid, 'get')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(GenServer.call(pid, ['add', 2], 100)).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error not a request this server takes
    void GenServer.call(pid, 'put');
    GenServer.cast(pid, 'reset');
    // @ts-expect-error not a cast this server takes
    GenServer.cast(pid, 'start');
    node.send(pid, 'tick');
    // @ts-expect-error not an info message this server takes
    node.send(pid, 'tock');
    // @ts-expect-error args is a number
    void GenServer.start(node, b, 'one');
    // A pid is still a pid: links, monitors and exit take it.
    expectTypeOf(pid).toMatchTypeOf<Pid<any>>();
  });

  it('types reply by the reply type of from', () => {
    const from = {} as From<number>;
    GenServer.reply(from, 1);
    // @ts-expect-error the reply is a number
    GenServer.reply(from, 'one');
  });

  it('calls by [name, node] take explicit request and reply types', () => {
    expectTypeOf(GenServer.call<'get', number>(['counter', node], 'get')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(GenServer.getState<number>(['counter', node])).toEqualTypeOf<Promise<number>>();
  });
});
