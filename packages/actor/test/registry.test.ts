import { afterEach, describe, expect, it } from 'vitest';
import { ActorError, createNode, silentLogger } from '../src/index.js';
import { inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('registry', () => {
  it('register, whereis and registered: a name points at its process', () => {
    t = testNode();
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    t.node.register('a', a);
    t.node.register('b', b);
    expect(t.node.whereis('a')).toBe(a);
    expect(t.node.whereis('b')).toBe(b);
    expect(t.node.whereis('c')).toBeUndefined();
    expect(t.node.registered().sort()).toEqual(['a', 'b']);
    expect(t.node.processInfo(a)?.registeredName).toBe('a');
  });

  it('a process can register itself', async () => {
    t = testNode();
    const p = puppet(t.node);
    await inside(t.node, p.pid, (self) => self.register('me'));
    expect(t.node.whereis('me')).toBe(p.pid);
  });

  it('unregister frees the name, which can then be taken again, by the same or another process', () => {
    t = testNode();
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    t.node.register('svc', a);
    t.node.unregister('svc');
    expect(t.node.whereis('svc')).toBeUndefined();
    expect(t.node.registered()).toEqual([]);
    expect(t.node.processInfo(a)?.registeredName).toBeUndefined();
    t.node.register('svc', b);
    expect(t.node.whereis('svc')).toBe(b);
    t.node.unregister('svc');
    t.node.register('other', a);
    expect(t.node.whereis('other')).toBe(a);
  });

  it('the name is automatically unregistered if the process terminates, whatever the reason', async () => {
    t = testNode();
    const a = sleeper(t.node, { name: 'svc' });
    t.node.exit(a, 'kill');
    expect(t.node.whereis('svc')).toBeUndefined();
    expect(t.node.registered()).toEqual([]);
    const crashing = t.node.spawn(
      async () => {
        throw new Error('x');
      },
      { name: 'svc' },
    );
    expect(t.node.whereis('svc')).toBe(crashing);
    await settle();
    expect(t.node.whereis('svc')).toBeUndefined();
    const b = sleeper(t.node, { name: 'svc' });
    expect(t.node.whereis('svc')).toBe(b);
  });

  it('registering a name that is taken is an ERR_NAME_TAKEN error naming the holder', () => {
    t = testNode('reg');
    const a = sleeper(t.node, { name: 'svc' });
    const b = sleeper(t.node);
    expect(() => t.node.register('svc', b)).toThrow(ActorError);
    expect(() => t.node.register('svc', b)).toThrow(
      expect.objectContaining({
        code: 'ERR_NAME_TAKEN',
        message: 'the name "svc" is already registered to <reg.1.0>',
      }),
    );
    expect(t.node.whereis('svc')).toBe(a);
  });

  it('registering a dead pid is an ERR_NOPROC error', () => {
    t = testNode();
    const a = sleeper(t.node);
    t.node.exit(a, 'kill');
    expect(() => t.node.register('late', a)).toThrow(expect.objectContaining({ code: 'ERR_NOPROC' }));
    expect(t.node.registered()).toEqual([]);
  });

  it('giving a second name to a process is an ERR_BADARG error; its first name stays', () => {
    t = testNode();
    const a = sleeper(t.node, { name: 'first' });
    expect(() => t.node.register('second', a)).toThrow(
      expect.objectContaining({
        code: 'ERR_BADARG',
        message: expect.stringMatching(/already registered as "first"/),
      }),
    );
    expect(t.node.registered()).toEqual(['first']);
  });

  it('an empty name and unregistering an unknown name are ERR_BADARG errors', () => {
    t = testNode();
    const a = sleeper(t.node);
    expect(() => t.node.register('', a)).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
    expect(() => t.node.unregister('ghost')).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
  });

  it('only local processes can be registered (Erlang: register/2 of a remote pid is badarg)', () => {
    t = testNode('a');
    const other = createNode({ name: 'b', logger: silentLogger });
    const remote = sleeper(other);
    expect(() => t.node.register('remote', remote)).toThrow(expect.objectContaining({ code: 'ERR_BADARG' }));
    expect(t.node.registered()).toEqual([]);
    other.shutdown();
  });

  it('a registered process crashing does not leave a name that can no longer be sent to', async () => {
    t = testNode();
    t.node.spawn<string>(
      async (self) => {
        await self.receive();
        throw new Error('bye');
      },
      { name: 'svc' },
    );
    t.node.send('svc', 'x');
    await settle();
    expect(() => t.node.send('svc', 'y')).toThrow(
      expect.objectContaining({ code: 'ERR_NAME_NOT_REGISTERED' }),
    );
  });
});
