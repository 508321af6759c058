import { afterEach, describe, expect, it } from 'vitest';
import { Pid, Ref } from '../src/index.js';
import { settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('Pid', () => {
  it('prints like an Erlang pid, <node.N.0>, numbering processes from 1 per node', () => {
    t = testNode('alpha');
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    expect(a.toString()).toBe('<alpha.1.0>');
    expect(String(b)).toBe('<alpha.2.0>');
    expect(`${a}`).toBe('<alpha.1.0>');
  });

  it('never reuses a number while the node lives, even after the process exits', async () => {
    t = testNode('n');
    const a = sleeper(t.node);
    t.node.exit(a, 'kill');
    await settle();
    expect(sleeper(t.node).toString()).toBe('<n.2.0>');
  });

  it('serialises to its printed form with JSON.stringify', () => {
    t = testNode('json');
    const pid = sleeper(t.node);
    expect(JSON.stringify({ to: pid, list: [pid] })).toBe('{"to":"<json.1.0>","list":["<json.1.0>"]}');
  });

  it('is equal to itself and to a copy parsed from text; not to another process', () => {
    t = testNode('eq');
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    const copy = new Pid('eq', a.id);
    expect(a.equals(a)).toBe(true);
    expect(a.equals(copy)).toBe(true);
    expect(copy.equals(a)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(new Pid('other', a.id))).toBe(false);
  });

  it('orders like Erlang terms: by node name, then number, then serial', () => {
    const pids = [new Pid('b', 1), new Pid('a', 10), new Pid('a', 2), new Pid('a', 2, 1)];
    const sorted = [...pids].sort(Pid.compare).map(String);
    expect(sorted).toEqual(['<a.2.0>', '<a.2.1>', '<a.10.0>', '<b.1.0>']);
    expect(Pid.compare(pids[0]!, pids[0]!)).toBe(0);
  });

  it('works as a Map key and in a Set: one live process, one Pid object', () => {
    t = testNode('map');
    const a = sleeper(t.node);
    const b = sleeper(t.node);
    const m = new Map<Pid, string>([
      [a, 'A'],
      [b, 'B'],
    ]);
    expect(m.get(a)).toBe('A');
    expect(m.get(t.node.processes()[1]!)).toBe('B');
    expect(new Set([a, b, a, t.node.pid(a.toString())]).size).toBe(2);
  });

  it('node.pid(text) returns the interned pid of a live local process', () => {
    t = testNode('intern');
    sleeper(t.node);
    const b = sleeper(t.node);
    expect(t.node.pid('<intern.2.0>')).toBe(b);
    expect(t.node.pid(JSON.parse(JSON.stringify(b)) as string)).toBe(b);
  });

  it('node.pid(text) of a process that is gone gives an equal pid that is not alive (sending to it is a no-op)', async () => {
    t = testNode('gone');
    const a = sleeper(t.node);
    t.node.exit(a, 'kill');
    await settle();
    const parsed = t.node.pid<string>('<gone.1.0>');
    expect(parsed.equals(a)).toBe(true);
    expect(t.node.isAlive(parsed)).toBe(false);
    expect(() => t.node.send(parsed, 'hello')).not.toThrow();
    expect(t.node.processCount()).toBe(0);
  });

  it('node.pid(text) of the node itself (number 0) is the `outside` pseudo-pid', () => {
    t = testNode('out');
    expect(t.node.outside.toString()).toBe('<out.0.0>');
    expect(t.node.pid('<out.0.0>')).toBe(t.node.outside);
  });

  it('node.pid(text) rejects text that is not a pid with a clear TypeError', () => {
    t = testNode('bad');
    expect(() => t.node.pid('bad.1.0')).toThrow(TypeError);
    expect(() => t.node.pid('<bad.x.0>')).toThrow(/not a pid: "<bad.x.0>" \(expected "<node.N.S>"\)/);
  });

  it('Pid.parse splits node names that contain dots', () => {
    expect(Pid.parse('<app@host.example.7.0>')).toEqual({ node: 'app@host.example', id: 7, serial: 0 });
  });
});

describe('Ref', () => {
  it('prints as #Ref<node.N> and serialises to that text', () => {
    const ref = new Ref('n', 3);
    expect(ref.toString()).toBe('#Ref<n.3>');
    expect(JSON.stringify([ref])).toBe('["#Ref<n.3>"]');
  });

  it('is unique per node: each monitor gets a new one', () => {
    t = testNode('refs');
    const refs = new Set([t.node.sendAfter(1, 'x', 0), t.node.sendAfter(1, 'x', 0)]);
    expect(refs.size).toBe(2);
  });
});
