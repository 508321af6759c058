import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type InFrame,
  isControlOpcode,
  isKnownOpcode,
  OPCODE_OF,
  Opcode,
  type OutFrame,
} from '../../src/codec/opcodes.js';

describe('opcodes', () => {
  it('have the values of RFC 6455 §5.2', () => {
    expect(Opcode).toEqual({ Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 });
    expect(OPCODE_OF).toEqual({ text: 1, binary: 2, close: 8, ping: 9, pong: 10 });
  });

  it('are control opcodes exactly when their most significant bit is set (RFC 6455 §5.5)', () => {
    for (let opcode = 0; opcode < 16; opcode++)
      expect(isControlOpcode(opcode), String(opcode)).toBe(opcode >= 8);
  });

  it('are known for 0x0-0x2 and 0x8-0xA only; the rest are reserved (RFC 6455 §5.2)', () => {
    const known = Array.from({ length: 16 }, (_, opcode) => opcode).filter(isKnownOpcode);
    expect(known).toEqual([0, 1, 2, 8, 9, 10]);
  });
});

describe('frame tuples', () => {
  it('accept the tuple literals a handler writes', () => {
    const incoming: InFrame[] = [
      ['text', 'hi'],
      ['binary', Buffer.from('hi')],
    ];
    const outgoing: OutFrame[] = [
      ...incoming,
      'ping',
      'pong',
      'close',
      ['text', Buffer.from('bytes are fine')],
      ['binary', new Uint8Array([1, 2])],
      ['binary', 'strings are sent as UTF-8'],
      ['ping', 'p'],
      ['close'],
      ['close', 1000],
      ['close', 4000, 'reason'],
    ];
    expect(outgoing).toHaveLength(12);
    expectTypeOf<['close', 1000, 'x']>().toExtend<OutFrame>();
    expectTypeOf<['close', string]>().not.toExtend<OutFrame>();
    expectTypeOf<['text', number]>().not.toExtend<OutFrame>();
    expectTypeOf<['text', Buffer]>().not.toExtend<InFrame>();
  });
});
