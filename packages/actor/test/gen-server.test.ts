/**
 * GenServer, checked against the OTP gen_server manual (stdlib, `gen_server`) and Elixir's
 * `GenServer` docs: start and init results, call / cast / reply / stop / getState, timeout
 * actions, handleContinue, and when terminate runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadReturnError,
  CallError,
  type ExitMessage,
  type From,
  GenServer,
  type GenServerBehaviour,
  type Pid,
  StartError,
} from '../src/index.js';
import { crashReports, deferred, inside, puppet, settle, type TestNode, testNode, until } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

type CounterT = {
  args: number;
  state: number;
  call: 'get' | ['add', number] | 'crash' | 'stop';
  reply: number;
  cast: 'reset' | 'crash';
  info: 'tick';
};

/** A counter whose callbacks also record what they saw. */
function counter(log: unknown[] = []): GenServerBehaviour<CounterT> {
  return {
    name: 'counter',
    init: (n) => ['ok', n],
    handleCall(req, _from, n) {
      if (req === 'get') return ['reply', n, n];
      if (req === 'crash') throw new Error('boom in call');
      if (req === 'stop') return ['stop', 'normal', n, n];
      return ['reply', n + req[1], n + req[1]];
    },
    handleCast(msg) {
      if (msg === 'crash') throw new Error('boom in cast');
      return ['noreply', 0];
    },
    handleInfo(msg, n) {
      log.push(['info', msg]);
      return ['noreply', n + 1];
    },
    terminate(reason, n) {
      log.push(['terminate', reason, n]);
    },
  };
}

const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('GenServer.start and init (gen_server:start/3,4, Module:init/1)', () => {
  it('resolves with the pid after init ran inside the new process', async () => {
    t = testNode();
    let seen: Pid | undefined;
    const pid = await GenServer.start(
      t.node,
      {
        init: (_a: undefined, self) => {
          seen = self.pid;
          return ['ok', 'ready'];
        },
      },
      undefined,
    );
    expect(seen).toBe(pid);
    expect(t.node.processInfo(pid)?.state).toBe('ready');
    expect(t.node.processInfo(pid)?.initialCall).toBe('gen_server');
  });

  it('registers the name before init runs, and calls by [name, node] reach it', async () => {
    t = testNode();
    let whereisInInit: Pid | undefined;
    const b: GenServerBehaviour<CounterT> = {
      ...counter(),
      init: (n, self) => {
        whereisInInit = self.node.whereis('counter');
        return ['ok', n];
      },
    };
    const pid = await GenServer.start(t.node, b, 7, { name: 'counter' });
    expect(whereisInInit).toBe(pid);
    await expect(GenServer.call<CounterT['call'], number>(['counter', t.node], 'get')).resolves.toBe(7);
  });

  it("rejects with a StartError carrying the reason of ['stop', reason], and the name is free again", async () => {
    t = testNode();
    const e = await rejection(
      GenServer.start(t.node, { init: () => ['stop', 'bad_config'] }, undefined, { name: 'svc' }),
    );
    expect(e).toBeInstanceOf(StartError);
    expect((e as StartError).reason).toBe('bad_config');
    expect(t.node.whereis('svc')).toBeUndefined();
    expect(t.node.processCount()).toBe(0);
    expect(t.records.filter((r) => r.label === 'gen_server_terminate')).toHaveLength(1);
  });

  it("rejects with ['crash', error] when init throws, and the crash is reported once", async () => {
    t = testNode();
    const e = (await rejection(
      GenServer.start(
        t.node,
        {
          init: () => {
            throw new Error('no config');
          },
        },
        undefined,
      ),
    )) as StartError;
    expect(e.reason).toEqual(['crash', expect.objectContaining({ message: 'no config' })]);
    expect(crashReports(t.records)).toHaveLength(1);
  });

  it("resolves 'ignore' when init returns 'ignore', and the process ends normally", async () => {
    t = testNode();
    const b: GenServerBehaviour<{ ignore: true }> = { init: () => 'ignore' };
    await expect(GenServer.start(t.node, b, undefined)).resolves.toBe('ignore');
    expect(t.node.processCount()).toBe(0);
    expect(t.records).toEqual([]);
  });

  it('a malformed init result fails the start with a BadReturnError naming init and the value', async () => {
    t = testNode();
    const e = (await rejection(
      GenServer.start(t.node, { init: () => ['okay', 1] as never }, undefined),
    )) as StartError;
    const err = (e.reason as [string, BadReturnError])[1];
    expect(err).toBeInstanceOf(BadReturnError);
    expect(err.callback).toBe('init');
    expect(err.message).toBe('init returned a malformed result: ["okay",1]');
  });

  it("rejects with ['already_started', pid] when the name is taken (OTP {error, {already_started, Pid}})", async () => {
    t = testNode();
    const first = await GenServer.start(t.node, counter(), 0, { name: 'counter' });
    const e = (await rejection(GenServer.start(t.node, counter(), 0, { name: 'counter' }))) as StartError;
    expect(e.reason).toEqual(['already_started', first]);
  });

  it('waits for an async init; past the start timeout the process is killed and start rejects with timeout', async () => {
    t = testNode();
    const gate = deferred<void>();
    const slow = GenServer.start(
      t.node,
      {
        init: async () => {
          await gate.promise;
          return ['ok', 1];
        },
      },
      undefined,
      {
        timeout: 1000,
      },
    );
    await settle();
    expect(t.node.processCount()).toBe(1);
    t.clock.advance(1000);
    expect(((await rejection(slow)) as StartError).reason).toBe('timeout');
    expect(t.node.processCount()).toBe(0);
    gate.resolve();
    await settle();
  });

  it('rejects with the exit reason when the new process is killed before init returns', async () => {
    t = testNode();
    const gate = deferred<void>();
    let pid: Pid | undefined;
    const starting = GenServer.start(
      t.node,
      {
        init: async (_a: undefined, self) => {
          pid = self.pid;
          await gate.promise;
          return ['ok', null];
        },
      },
      undefined,
    );
    await until(() => pid !== undefined);
    t.node.exit(pid!, 'kill');
    expect(((await rejection(starting)) as StartError).reason).toBe('killed');
    gate.resolve();
    await settle();
    expect(t.node.processCount()).toBe(0);
  });

  it('startLink links the new server to the calling process', async () => {
    t = testNode();
    const parent = puppet(t.node);
    let child: Pid | undefined;
    await inside(t.node, parent.pid, async (self) => {
      child = await GenServer.startLink(self.node, counter(), 0);
    });
    expect(t.node.processInfo(parent.pid)?.links).toEqual([child]);
  });

  it('startLink outside any process throws ERR_NOT_IN_PROCESS', () => {
    t = testNode();
    expect(() => GenServer.startLink(t.node, counter(), 0)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_IN_PROCESS' }),
    );
  });

  it("as in OTP, a failed init's exit signal reaches the linked caller (a trapping caller gets an EXIT)", async () => {
    t = testNode();
    const parent = puppet(t.node, { trapExit: true });
    let error: unknown;
    await inside(t.node, parent.pid, (self) =>
      GenServer.startLink(self.node, { init: () => ['stop', 'no_db'] }, undefined).catch((e) => {
        error = e;
      }),
    );
    expect((error as StartError).reason).toBe('no_db');
    expect(parent.inbox).toEqual([['EXIT', expect.anything(), 'no_db']]);
  });

  it("['ok', s, ['continue', x]] runs handleContinue before any message (Module:handle_continue/2)", async () => {
    t = testNode();
    type T = { state: string[]; call: 'get'; reply: string[]; continue: string };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', ['init'], ['continue', 'load']],
      handleContinue: (what, s) => ['noreply', [...s, what]],
      handleCall: (_req, _from, s) => ['reply', s, s],
    };
    const pid = await GenServer.start(t.node, b, undefined);
    await expect(GenServer.call(pid, 'get')).resolves.toEqual(['init', 'load']);
  });
});

describe('GenServer.call (gen_server:call/3)', () => {
  it('returns the reply, from plain async code and from inside a process', async () => {
    t = testNode();
    const pid = await GenServer.start(t.node, counter(), 1);
    await expect(GenServer.call(pid, ['add', 2])).resolves.toBe(3);
    const fromProcess = deferred<number>();
    t.node.spawn(async () => fromProcess.resolve(await GenServer.call(pid, ['add', 10])));
    await expect(fromProcess.promise).resolves.toBe(13);
  });

  it('an async callback may call another server; the caller server is busy meanwhile', async () => {
    t = testNode();
    const backend = await GenServer.start(t.node, counter(), 40);
    type T = { state: null; call: 'ask'; reply: number };
    const front: GenServerBehaviour<T> = {
      init: () => ['ok', null],
      handleCall: async (_req, _from, s) => ['reply', await GenServer.call(backend, ['add', 2]), s],
    };
    const pid = await GenServer.start(t.node, front, undefined);
    await expect(GenServer.call(pid, 'ask')).resolves.toBe(42);
    await expect(GenServer.call(pid, 'ask')).resolves.toBe(44);
  });

  it("a deferred reply: ['noreply', s] keeps `from`, GenServer.reply(from, v) answers later", async () => {
    t = testNode();
    type T = { state: From<string>[]; call: 'wait'; reply: string; cast: 'release' };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', []],
      handleCall: (_req, from, waiting) => ['noreply', [...waiting, from]],
      handleCast: (_m, waiting) => {
        for (const from of waiting) GenServer.reply(from, 'released');
        return ['noreply', []];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    const a = GenServer.call(pid, 'wait');
    const c = GenServer.call(pid, 'wait');
    await settle();
    GenServer.cast(pid, 'release');
    await expect(Promise.all([a, c])).resolves.toEqual(['released', 'released']);
  });

  it("rejects with reason 'noproc' for a dead pid and for a name nobody holds", async () => {
    t = testNode();
    const pid = await GenServer.start(t.node, counter(), 0);
    await GenServer.stop(pid);
    const dead = (await rejection(GenServer.call(pid, 'get'))) as CallError;
    expect(dead).toBeInstanceOf(CallError);
    expect(dead.reason).toBe('noproc');
    expect(dead.fn).toBe('call');
    const unnamed = (await rejection(GenServer.call(['nobody', t.node], 'get'))) as CallError;
    expect(unnamed.reason).toBe('noproc');
  });

  it('times out on the node clock, and the late reply leaves nothing in the caller mailbox', async () => {
    t = testNode();
    type T = { state: From<string> | undefined; call: 'hold'; reply: string; cast: 'release' };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', undefined],
      handleCall: (_req, from) => ['noreply', from],
      handleCast: (_m, from) => {
        if (from !== undefined) GenServer.reply(from, 'late');
        return ['noreply', undefined];
      },
    };
    const server = await GenServer.start(t.node, b, undefined);
    const outcome = deferred<unknown>();
    let received: unknown = 'nothing';
    const caller = t.node.spawn(async (self) => {
      outcome.resolve(await GenServer.call(server, 'hold', 100).catch((e: unknown) => e));
      received = await self.receive();
    });
    await settle();
    t.clock.advance(99);
    await settle();
    expect(t.node.isAlive(caller)).toBe(true);
    t.clock.advance(1);
    const e = (await outcome.promise) as CallError;
    expect(e.reason).toBe('timeout');
    GenServer.cast(server, 'release');
    await settle();
    expect(t.node.messages(caller)).toEqual([]);
    expect(received).toBe('nothing');
    expect(t.clock.pending()).toBe(0);
  });

  it("rejects with the server's exit reason when the server dies during the call", async () => {
    t = testNode();
    const pid = await GenServer.start(t.node, counter(), 0);
    const e = (await rejection(GenServer.call(pid, 'crash'))) as CallError;
    expect(e.reason).toEqual(['crash', expect.objectContaining({ message: 'boom in call' })]);
    expect(t.node.isAlive(pid)).toBe(false);
  });

  it('rejects a call waiting in the mailbox when the server is killed (gen_server:call exits with the reason)', async () => {
    t = testNode();
    const gate = deferred<void>();
    type T = { state: null; call: 'slow' | 'fast'; reply: string };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', null],
      handleCall: async (req, _from, s) => {
        if (req === 'slow') await gate.promise;
        return ['reply', req, s];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    const slow = GenServer.call(pid, 'slow');
    const queued = GenServer.call(pid, 'fast');
    await settle();
    t.node.exit(pid, 'kill');
    expect(((await rejection(slow)) as CallError).reason).toBe('killed');
    expect(((await rejection(queued)) as CallError).reason).toBe('killed');
  });

  it("['stop', reason, reply, s] runs terminate, replies, then exits with reason", async () => {
    t = testNode();
    const log: unknown[] = [];
    const pid = await GenServer.start(t.node, counter(log), 4);
    const exited = deferred<unknown>();
    t.node.onExit(pid, exited.resolve);
    await expect(GenServer.call(pid, 'stop')).resolves.toBe(4);
    expect(log).toEqual([['terminate', 'normal', 4]]);
    await expect(exited.promise).resolves.toBe('normal');
  });

  it("a server calling itself is refused with 'calling_self' instead of deadlocking", async () => {
    t = testNode();
    let e: unknown;
    type T = { state: null; cast: 'go' };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', null],
      handleCast: (_m, s, self) => {
        GenServer.call(self.pid, 'x' as never).catch((err: unknown) => {
          e = err;
        });
        return ['noreply', s];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    GenServer.cast(pid, 'go');
    await until(() => e !== undefined);
    expect((e as CallError).reason).toBe('calling_self');
  });

  it('a callback returning a promise makes the mailbox wait: calls are answered in order', async () => {
    t = testNode();
    const gate = deferred<void>();
    type T = { state: string[]; call: string; reply: string[] };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', []],
      handleCall: async (req, _from, s) => {
        if (req === 'first') await gate.promise;
        const next = [...s, req];
        return ['reply', next, next];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    const first = GenServer.call(pid, 'first');
    const second = GenServer.call(pid, 'second');
    await settle();
    expect(t.node.processInfo(pid)?.messageQueueLen).toBe(1);
    gate.resolve();
    await expect(first).resolves.toEqual(['first']);
    await expect(second).resolves.toEqual(['first', 'second']);
  });

  it('a malformed handleCall result crashes the server with a reason naming the callback and the value', async () => {
    t = testNode();
    type T = { state: number; call: 'bad'; reply: number };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', 0],
      handleCall: () => ['replied', 1] as never,
    };
    const pid = await GenServer.start(t.node, b, undefined);
    const e = (await rejection(GenServer.call(pid, 'bad'))) as CallError;
    const err = (e.reason as [string, BadReturnError])[1];
    expect(err).toBeInstanceOf(BadReturnError);
    expect(err.message).toBe('handleCall returned a malformed result: ["replied",1]');
    expect(crashReports(t.records)).toHaveLength(1);
  });

  it('a call to a server without handleCall crashes it with ERR_NO_CALLBACK', async () => {
    t = testNode();
    const pid = await GenServer.start(t.node, { init: () => ['ok', null] }, undefined);
    const e = (await rejection(GenServer.call(pid, 'x' as never))) as CallError;
    expect((e.reason as [string, { code: string }])[1].code).toBe('ERR_NO_CALLBACK');
  });
});

describe('GenServer.cast, info messages and timeouts', () => {
  it('cast reaches handleCast; a cast to a dead pid or an unknown name is dropped silently', async () => {
    t = testNode();
    const pid = await GenServer.start(t.node, counter(), 5, { name: 'c' });
    GenServer.cast(pid, 'reset');
    await expect(GenServer.call(pid, 'get')).resolves.toBe(0);
    GenServer.cast(['nobody', t.node], 'reset');
    await GenServer.stop(pid);
    GenServer.cast(pid, 'reset');
  });

  it('plain messages reach handleInfo', async () => {
    t = testNode();
    const log: unknown[] = [];
    const pid = await GenServer.start(t.node, counter(log), 0);
    t.node.send(pid, 'tick');
    await expect(GenServer.call(pid, 'get')).resolves.toBe(1);
    expect(log).toEqual([['info', 'tick']]);
  });

  it('without handleInfo an unexpected message is logged as no_handle_info and the server carries on', async () => {
    t = testNode();
    const b: GenServerBehaviour<{ state: number; call: 'get'; reply: number; info: string }> = {
      name: 'quiet',
      init: () => ['ok', 1],
      handleCall: (_r, _f, s) => ['reply', s, s],
    };
    const pid = await GenServer.start(t.node, b, undefined);
    t.node.send(pid, 'surprise');
    await expect(GenServer.call(pid, 'get')).resolves.toBe(1);
    const records = t.records.filter((r) => r.label === 'no_handle_info');
    expect(records).toEqual([
      expect.objectContaining({
        level: 'warn',
        behaviour: 'quiet',
        message: '"surprise"',
        pid: pid.toString(),
      }),
    ]);
  });

  it("a timeout in a result delivers 'timeout' to handleInfo when no message arrives in time", async () => {
    t = testNode();
    const log: unknown[] = [];
    type T = { state: number; call: 'get'; reply: number };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', 0, 1000],
      handleCall: (_r, _f, s) => ['reply', s, s, 1000],
      handleInfo: (m, s) => {
        log.push(m);
        return ['noreply', s + 1];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    t.clock.advance(999);
    await settle();
    expect(log).toEqual([]);
    // A message in time cancels it (the call re-arms a fresh 1000 ms).
    await GenServer.call(pid, 'get');
    t.clock.advance(999);
    await settle();
    expect(log).toEqual([]);
    t.clock.advance(1);
    await settle();
    expect(log).toEqual(['timeout']);
    // handleInfo's result set no timeout: none follows.
    t.clock.advance(10_000);
    await settle();
    expect(log).toEqual(['timeout']);
  });

  it('a timeout of 0 fires at once when no message waits, and not when one does', async () => {
    t = testNode();
    const log: unknown[] = [];
    type T = { state: null; cast: string };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', null],
      handleCast: (m, s) => {
        log.push(m);
        return m === 'zero' ? ['noreply', s, 0] : ['noreply', s];
      },
      handleInfo: (m, s) => {
        log.push(m);
        return ['noreply', s];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    GenServer.cast(pid, 'zero');
    await settle();
    expect(log).toEqual(['zero', 'timeout']);
    log.length = 0;
    GenServer.cast(pid, 'zero');
    GenServer.cast(pid, 'next');
    await settle();
    expect(log).toEqual(['zero', 'next']);
  });

  it("'hibernate' in a result hibernates the process and keeps its state", async () => {
    t = testNode();
    let hibernations = 0;
    type T = { state: number; call: 'get'; reply: number; cast: 'sleep' };
    const b: GenServerBehaviour<T> = {
      init: (_a, self) => {
        const hibernate = self.hibernate.bind(self);
        (self as { hibernate: () => void }).hibernate = () => {
          hibernations++;
          hibernate();
        };
        return ['ok', 42];
      },
      handleCast: (_m, s) => ['noreply', s, 'hibernate'],
      handleCall: (_r, _f, s) => ['reply', s, s],
    };
    const pid = await GenServer.start(t.node, b, undefined);
    GenServer.cast(pid, 'sleep');
    await expect(GenServer.call(pid, 'get')).resolves.toBe(42);
    expect(hibernations).toBe(1);
  });
});

describe('terminate and stop (Module:terminate/2, gen_server:stop/3)', () => {
  it('stop runs terminate with the reason and resolves once the server has exited', async () => {
    t = testNode();
    const log: unknown[] = [];
    const pid = await GenServer.start(t.node, counter(log), 3);
    await GenServer.stop(pid, ['shutdown', 'maintenance']);
    expect(log).toEqual([['terminate', ['shutdown', 'maintenance'], 3]]);
    expect(t.node.isAlive(pid)).toBe(false);
    expect(((await rejection(GenServer.stop(pid))) as CallError).reason).toBe('noproc');
  });

  it('stop waits for an async terminate', async () => {
    t = testNode();
    const gate = deferred<void>();
    const pid = await GenServer.start(
      t.node,
      { init: () => ['ok', null], terminate: () => gate.promise },
      undefined,
    );
    let stopped = false;
    const stopping = GenServer.stop(pid).then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    expect(t.node.isAlive(pid)).toBe(true);
    gate.resolve();
    await stopping;
    expect(t.node.isAlive(pid)).toBe(false);
  });

  it('stop rejects with timeout when the server does not exit in time (it keeps running)', async () => {
    t = testNode();
    const gate = deferred<void>();
    const pid = await GenServer.start(
      t.node,
      { init: () => ['ok', null], terminate: () => gate.promise },
      undefined,
    );
    const stopping = GenServer.stop(pid, 'normal', 500);
    await settle();
    t.clock.advance(500);
    expect(((await rejection(stopping)) as CallError).reason).toBe('timeout');
    gate.resolve();
    await settle();
  });

  it('after a crash in a callback terminate runs with the crash and the process exits with it, reported once', async () => {
    t = testNode();
    const log: unknown[] = [];
    const pid = await GenServer.start(t.node, counter(log), 9);
    const exited = deferred<unknown>();
    t.node.onExit(pid, exited.resolve);
    GenServer.cast(pid, 'crash');
    const reason = await exited.promise;
    expect(reason).toEqual(['crash', expect.objectContaining({ message: 'boom in cast' })]);
    expect(log).toEqual([['terminate', reason, 9]]);
    expect(crashReports(t.records)).toHaveLength(1);
    expect(t.records.filter((r) => r.label === 'gen_server_terminate')).toHaveLength(0);
  });

  it('self.exit(reason) in a callback runs terminate(reason) and ends the process with that reason', async () => {
    t = testNode();
    const log: unknown[] = [];
    type T = { state: null; cast: 'quit' };
    const b: GenServerBehaviour<T> = {
      init: () => ['ok', null],
      handleCast: (_m, _s, self) => self.exit(['shutdown', 'asked']),
      terminate: (reason) => void log.push(reason),
    };
    const pid = await GenServer.start(t.node, b, undefined);
    const exited = deferred<unknown>();
    t.node.onExit(pid, exited.resolve);
    GenServer.cast(pid, 'quit');
    await expect(exited.promise).resolves.toEqual(['shutdown', 'asked']);
    expect(log).toEqual([['shutdown', 'asked']]);
  });

  it("a trapping server runs terminate on its parent's exit signal, then exits with it (supervisor shutdown)", async () => {
    t = testNode();
    const log: unknown[] = [];
    const parent = puppet(t.node);
    const b: GenServerBehaviour<CounterT> = {
      ...counter(log),
      init: (n, self) => {
        self.trapExit(true);
        return ['ok', n];
      },
    };
    let child: Pid | undefined;
    await inside(t.node, parent.pid, async (self) => {
      child = await GenServer.startLink(self.node, b, 2);
    });
    const exited = deferred<unknown>();
    t.node.onExit(child!, exited.resolve);
    await inside(t.node, parent.pid, (self) => self.exit(child!, 'shutdown'));
    await expect(exited.promise).resolves.toBe('shutdown');
    expect(log).toEqual([['terminate', 'shutdown', 2]]);
  });

  it('an EXIT from a process other than the parent goes to handleInfo', async () => {
    t = testNode();
    const log: unknown[] = [];
    type T = { state: null; cast: 'link'; info: ExitMessage };
    let other: Pid | undefined;
    const b: GenServerBehaviour<T> = {
      init: (_a, self) => {
        self.trapExit(true);
        return ['ok', null];
      },
      handleCast: (_m, s, self) => {
        other = self.spawnLink(() => {});
        return ['noreply', s];
      },
      handleInfo: (m, s) => {
        log.push(m);
        return ['noreply', s];
      },
    };
    const pid = await GenServer.start(t.node, b, undefined);
    GenServer.cast(pid, 'link');
    await until(() => log.length > 0);
    expect(log).toEqual([['EXIT', other, 'normal']]);
    expect(t.node.isAlive(pid)).toBe(true);
  });

  it('a server that does not trap exits dies on its parent exit signal without terminate', async () => {
    t = testNode();
    const log: unknown[] = [];
    const parent = puppet(t.node);
    let child: Pid | undefined;
    await inside(t.node, parent.pid, async (self) => {
      child = await GenServer.startLink(self.node, counter(log), 0);
    });
    await inside(t.node, parent.pid, (self) => self.exit(child!, 'shutdown'));
    expect(t.node.isAlive(child!)).toBe(false);
    expect(log).toEqual([]);
  });

  it("['stop', reason, s] with an abnormal reason is logged once as gen_server_terminate", async () => {
    t = testNode();
    type T = { state: { secret: string }; cast: 'quit' };
    const b: GenServerBehaviour<T> = {
      name: 'vault',
      init: () => ['ok', { secret: 'hunter2' }],
      handleCast: (_m, s) => ['stop', 'lost_quorum', s],
      formatStatus: ({ state }) => ({ state: { secret: state.secret.replace(/./g, '*') } }),
    };
    const pid = await GenServer.start(t.node, b, undefined);
    const exited = deferred<unknown>();
    t.node.onExit(pid, exited.resolve);
    GenServer.cast(pid, 'quit');
    await expect(exited.promise).resolves.toBe('lost_quorum');
    expect(t.records).toEqual([
      expect.objectContaining({
        level: 'error',
        label: 'gen_server_terminate',
        behaviour: 'vault',
        reason: 'lost_quorum',
        lastMessage: '["cast","quit"]',
        state: { secret: '*******' },
      }),
    ]);
  });
});

describe('GenServer.getState and introspection', () => {
  it('getState returns the raw state (sys:get_state); processInfo shows it through formatStatus', async () => {
    t = testNode();
    type T = { state: { n: number; token: string } };
    const b: GenServerBehaviour<T> = {
      name: 'secretive',
      init: () => ['ok', { n: 1, token: 'abc' }],
      formatStatus: ({ state }) => ({ state: { n: state.n } }),
    };
    const pid = await GenServer.start(t.node, b, undefined);
    await expect(GenServer.getState(pid)).resolves.toEqual({ n: 1, token: 'abc' });
    expect(t.node.processInfo(pid)?.state).toEqual({ n: 1 });
    expect(t.node.processInfo(pid)?.initialCall).toBe('secretive');
  });
});
