/**
 * Test helpers: bytes written as hex (`hex('81 85 37 fa')`), and feeding a parser bytes split
 * every way.
 */

import { expect } from 'vitest';
import { FrameParser, type FrameParserOptions } from '../../src/codec/frame-parser.js';
import type { FrameType } from '../../src/codec/opcodes.js';
import type { ProtocolErrorCode } from '../../src/codec/protocol-error.js';

/** Bytes from hex digits; spaces and newlines are ignored. Throws on anything else. */
export function hex(digits: string): Buffer {
  const clean = digits.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`Bad hex: ${digits}`);
  return Buffer.from(clean, 'hex');
}

/**
 * What a parser produced, as plain data to compare with `toEqual`. Payloads are hex strings:
 * comparing strings is fast where a deep equality of large buffers is not.
 */
export type Outcome =
  | { readonly type: FrameType; readonly payload: string; readonly rsv1: boolean; readonly closeCode: number }
  | { readonly error: ProtocolErrorCode; readonly closeCode: number; readonly reason: string };

/** A frame outcome, for expectations: `frame('text', 'Hello')`. Strings are UTF-8 payloads. */
export function frame(
  type: FrameType,
  payload: string | Buffer = Buffer.alloc(0),
  extra: { rsv1?: boolean; closeCode?: number } = {},
): Outcome {
  return {
    type,
    payload: (typeof payload === 'string' ? Buffer.from(payload) : payload).toString('hex'),
    rsv1: extra.rsv1 ?? false,
    closeCode: extra.closeCode ?? (type === 'close' ? 1005 : 0),
  };
}

/**
 * Pushes each chunk (a copy: the parser unmasks in place) into `parser`, draining `next()` after
 * each, and returns every frame and the error, if any, in order. Stops at the first error.
 */
export function drain(parser: FrameParser, chunks: readonly Buffer[]): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const chunk of chunks) {
    parser.push(Buffer.from(chunk));
    for (;;) {
      const result = parser.next();
      if (result.kind === 'more') break;
      if (result.kind === 'error') {
        const { code, closeCode, reason } = result.error;
        outcomes.push({ error: code, closeCode, reason });
        return outcomes;
      }
      outcomes.push({
        type: result.type,
        payload: result.payload.toString('hex'),
        rsv1: result.rsv1,
        closeCode: result.closeCode,
      });
    }
  }
  return outcomes;
}

/** Parses `bytes` given as `chunks` with a fresh parser. */
export function parse(options: FrameParserOptions, chunks: readonly Buffer[]): Outcome[] {
  return drain(new FrameParser(options), chunks);
}

/** `bytes` cut at `points` (sorted offsets inside it). */
export function cut(bytes: Buffer, points: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/**
 * The ways to deliver `bytes` that every vector is tested with: whole, split in two at every
 * offset (or at `offsets` for long inputs), and one byte at a time.
 */
export function* splits(bytes: Buffer, offsets?: readonly number[]): Generator<[string, Buffer[]]> {
  yield ['whole', [bytes]];
  const points = offsets ?? Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1);
  for (const point of points) yield [`split at ${point}`, cut(bytes, [point])];
  yield ['one byte at a time', Array.from(bytes, (byte) => Buffer.from([byte]))];
}

/** The outcomes of parsing `bytes` in each way of {@link splits}, keyed by the way. */
export function parseEveryWay(
  options: FrameParserOptions,
  bytes: Buffer,
  offsets?: readonly number[],
): Map<string, Outcome[]> {
  const results = new Map<string, Outcome[]>();
  for (const [name, chunks] of splits(bytes, offsets)) results.set(name, parse(options, chunks));
  return results;
}

/** Asserts that every way of delivering `bytes` yields exactly `expected`. */
export function expectEveryWay(
  options: FrameParserOptions,
  bytes: Buffer,
  expected: readonly Outcome[],
  offsets?: readonly number[],
): void {
  for (const [way, outcomes] of parseEveryWay(options, bytes, offsets))
    expect(outcomes, way).toEqual(expected);
}
