import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger, createNode, type Node, silentLogger } from '../src/index.js';
import { inside, puppet, settle, sleeper, type TestNode, testNode } from './support.js';

let t: TestNode;
afterEach(() => t?.node.shutdown());

describe('captureLogger', () => {
  it('keeps records with level, message, fields and merged child bindings', () => {
    const log = captureLogger();
    log.info('plain');
    log.child({ a: 1 }).child({ b: 2 }).warn({ x: true }, 'with fields');
    expect(log.records).toEqual([
      { level: 'info', msg: 'plain' },
      { level: 'warn', msg: 'with fields', a: 1, b: 2, x: true },
    ]);
  });

  it('silentLogger drops everything and its children are silent too', () => {
    expect(() => silentLogger.child({ a: 1 }).error({ e: 1 }, 'x')).not.toThrow();
    expect(silentLogger.child({})).toBe(silentLogger);
  });
});

describe('process loggers', () => {
  it('each process logs through a child of the node logger bound to { pid, name }', async () => {
    t = testNode('log');
    const named = puppet(t.node, { name: 'svc' });
    const plain = puppet(t.node);
    await inside(t.node, named.pid, (self) => self.logger.info({ n: 1 }, 'from svc'));
    await inside(t.node, plain.pid, (self) => self.logger.warn('from plain'));
    expect(t.records).toEqual([
      { level: 'info', msg: 'from svc', pid: '<log.1.0>', name: 'svc', n: 1 },
      { level: 'warn', msg: 'from plain', pid: '<log.2.0>' },
    ]);
  });

  it('a process that registers after it first logged logs its name from then on', async () => {
    t = testNode('late');
    const p = puppet(t.node);
    await inside(t.node, p.pid, (self) => {
      self.logger.info('before');
      self.register('late-name');
      self.logger.info('after');
    });
    expect(t.records).toEqual([
      { level: 'info', msg: 'before', pid: '<late.1.0>' },
      { level: 'info', msg: 'after', pid: '<late.1.0>', name: 'late-name' },
    ]);
  });

  it('a crash report carries the { pid, name } bindings of the crashed process', async () => {
    t = testNode('cr');
    const p = puppet(t.node, { name: 'worker' });
    await inside(t.node, p.pid, () => {
      throw new Error('x');
    });
    expect(t.records).toEqual([
      expect.objectContaining({ label: 'crash_report', pid: '<cr.1.0>', name: 'worker', level: 'error' }),
    ]);
  });
});

describe('createNode logging', () => {
  it('uses the logger it is given (anything pino-shaped) for crash reports', async () => {
    const records: unknown[] = [];
    const custom = captureLogger(records as never, { app: 'mine' });
    const node: Node = createNode({ name: 'own', logger: custom });
    node.spawn(async () => {
      throw new Error('reported');
    });
    await settle();
    expect(records).toEqual([
      expect.objectContaining({ app: 'mine', label: 'crash_report', pid: '<own.1.0>' }),
    ]);
    node.shutdown();
  });

  it('makes a pino logger when none is given', () => {
    const node = createNode({ name: 'default' });
    expect(typeof node.logger.child).toBe('function');
    expect(typeof node.logger.error).toBe('function');
    sleeper(node);
    node.shutdown();
  });
});
