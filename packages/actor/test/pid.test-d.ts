/**
 * Type tests, checked by `tsc -p packages/actor/tsconfig.json` (test/ is in its include):
 * `Pid<Msg>` makes sending a wrong message a compile error, and `receive` narrows.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  createNode,
  type DownMessage,
  type ExitMessage,
  type MessageOf,
  type Pid,
  type Ref,
  type Self,
  send,
  TIMEOUT,
  type Timeout,
} from '../src/index.js';

type Ping = ['ping', Pid<Pong>];
type Pong = 'pong';

const node = createNode({ name: 'types' });
declare const pinger: Pid<Ping>;
declare const ponger: Pid<Pong>;

describe('Pid<Msg>', () => {
  it('accepts the messages of its type, from node.send, send() and self.send', () => {
    node.send(pinger, ['ping', ponger]);
    send(pinger, ['ping', ponger]);
    node.spawn<Pong>(async (self) => {
      self.send(pinger, ['ping', self.pid]);
      self.sendAfter(10, pinger, ['ping', self.pid]);
    });
  });

  it('rejects a wrong message at compile time', () => {
    // @ts-expect-error a string is not a Ping
    node.send(pinger, 'hello');
    // @ts-expect-error the tuple's second element must be a Pid<Pong>
    node.send(pinger, ['ping', 42]);
    // @ts-expect-error a Pid<Ping> is not a Pid<Pong>
    node.send(pinger, ['ping', pinger]);
    // @ts-expect-error the free send() checks too
    send(ponger, 'ping');
    // @ts-expect-error and so does sendAfter
    node.sendAfter(10, ponger, 'nope');
    node.spawn<Pong>(async (self) => {
      // @ts-expect-error and so does self.send
      self.send(pinger, 'pong');
    });
  });

  it('a pid that accepts more messages can stand where one accepting fewer is wanted (contravariance)', () => {
    const wide = {} as Pid<'a' | 'b'>;
    const narrow: Pid<'a'> = wide;
    expectTypeOf(narrow).toEqualTypeOf<Pid<'a'>>();
    const narrowOnly = {} as Pid<'a'>;
    // @ts-expect-error a Pid<'a'> cannot take 'b'
    const widened: Pid<'a' | 'b'> = narrowOnly;
    void widened;
  });

  it('MessageOf extracts the message type; spawn infers Pid<M> from the code', () => {
    expectTypeOf<MessageOf<typeof pinger>>().toEqualTypeOf<Ping>();
    const counter = node.spawn({
      init: () => 0,
      handle: (msg: 'inc' | 'dec', n: number) => (msg === 'inc' ? n + 1 : n - 1),
    });
    expectTypeOf(counter).toEqualTypeOf<Pid<'inc' | 'dec'>>();
    // @ts-expect-error the counter takes only 'inc' | 'dec'
    node.send(counter, 'reset');
    const loop = node.spawn(async (self: Self<number>) => {
      await self.receive();
    });
    expectTypeOf(loop).toEqualTypeOf<Pid<number>>();
  });

  it('a registered name is untyped: any message may be sent to a name', () => {
    node.send('anyone', { anything: true });
  });
});

describe('Self<M>.receive', () => {
  it('returns M, or M | Timeout with a timeout', () => {
    node.spawn<string | number>(async (self) => {
      expectTypeOf(await self.receive()).toEqualTypeOf<string | number>();
      const m = await self.receive(undefined, 100);
      expectTypeOf(m).toEqualTypeOf<string | number | Timeout>();
      if (m === TIMEOUT) return;
      expectTypeOf(m).toEqualTypeOf<string | number>();
    });
  });

  it('narrows with a type guard', () => {
    type Msg = ['reply', number] | ['noise', string];
    node.spawn<Msg>(async (self) => {
      const isReply = (m: Msg): m is ['reply', number] => m[0] === 'reply';
      const reply = await self.receive(isReply);
      expectTypeOf(reply).toEqualTypeOf<['reply', number]>();
      const maybe = await self.receive(isReply, 50);
      expectTypeOf(maybe).toEqualTypeOf<['reply', number] | Timeout>();
      // TypeScript infers the guard from a simple arrow function, so this narrows too...
      const inferred = await self.receive((m) => m[0] === 'noise');
      expectTypeOf(inferred).toEqualTypeOf<['noise', string]>();
      // ...while a plain boolean predicate leaves the whole message type.
      const plain = await self.receive((m: Msg): boolean => m[0] === 'noise');
      expectTypeOf(plain).toEqualTypeOf<Msg>();
    });
  });
});

describe('system messages and refs', () => {
  it('spawnMonitor gives [Pid<M>, Ref]; DOWN and EXIT are typed tuples', () => {
    node.spawn(async (self: Self<DownMessage | ExitMessage>) => {
      const made = self.spawnMonitor<number>(async (child) => {
        await child.receive();
      });
      expectTypeOf(made).toEqualTypeOf<[Pid<number>, Ref]>();
      const m = await self.receive();
      if (m[0] === 'DOWN') {
        expectTypeOf(m[1]).toEqualTypeOf<Ref>();
        expectTypeOf(m[3]).toEqualTypeOf<Pid<any> | string>();
      } else {
        expectTypeOf(m[1]).toEqualTypeOf<Pid<any>>();
      }
    });
  });

  it('self.exit(reason) never returns; self.exit(pid, reason) does', () => {
    node.spawn(async (self) => {
      expectTypeOf(self.exit).toBeFunction();
      const other = {} as Pid<unknown>;
      expectTypeOf(self.exit(other, 'kill')).toEqualTypeOf<void>();
      expectTypeOf(self.exit('normal')).toEqualTypeOf<never>();
    });
  });
});
