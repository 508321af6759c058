/**
 * Property-based fuzzing of the frame parser (fast-check): whatever bytes a peer sends, however
 * TCP splits them, the parser never throws, agrees with a plain reference decoder
 * (`reference-parser.ts`), round-trips what the serialiser writes, and answers a damaged frame
 * with exactly one of: the frame, "more bytes", or the close code the RFC rule broken calls for.
 *
 * Budget: `FUZZ_RUNS` cases per property (default 400, 1-2 s in all, for `npm test`);
 * `npm run fuzz` sets a large one. A failure prints its seed and path: rerun it with
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path>`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser, type FrameParserOptions, type ParseResult } from '../../src/codec/frame-parser.js';
import { PROTOCOL_ERRORS } from '../../src/codec/protocol-error.js';
import {
  type Control,
  chunk,
  encodeItems,
  items,
  maskSeed,
  mutate,
  mutation,
  noisyInput,
  parserOptions,
  split,
} from './arbitraries.js';
import { referenceDecode, type Step } from './reference-parser.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;
/** Per property: the default 20 s, or 5 ms a case for large budgets (about 1 ms is usual). */
const TIMEOUT = Math.max(20_000, RUNS * 5);

function check<T>(property: fc.IProperty<T> | fc.IAsyncProperty<T>): void {
  fc.assert(property, {
    numRuns: RUNS,
    ...(SEED === undefined ? {} : { seed: SEED }),
    ...(PATH === undefined ? {} : { path: PATH }),
  });
}

/**
 * Feeds `chunks` to `parser` as a socket would, asking for frames after each, and records every
 * result as plain data. Checks on the way what holds for every input: `next` never throws (the
 * property fails with the exception), an error is one of PROTOCOL_ERRORS with its close code, it
 * is terminal (the same result again, later bytes ignored), and `more` repeats until bytes come.
 */
function drive(parser: FrameParser, chunks: readonly Buffer[]): Step[] {
  const steps: Step[] = [];
  for (const c of chunks) {
    parser.push(c);
    for (;;) {
      const r: ParseResult = parser.next();
      if (r.kind === 'more') {
        expect(parser.next().kind).toBe('more');
        break;
      }
      if (r.kind === 'error') {
        const info = PROTOCOL_ERRORS[r.error.code];
        expect([r.error.closeCode, r.error.reason]).toEqual([info.closeCode, info.reason]);
        expect([1002, 1007, 1009]).toContain(r.error.closeCode);
        parser.push(Buffer.from([0x81, 0x00]));
        expect(parser.next()).toBe(r);
        expect(parser.bufferedBytes).toBe(0);
        steps.push({ kind: 'error', code: r.error.code, closeCode: r.error.closeCode });
        return steps;
      }
      steps.push({
        kind: 'frame',
        type: r.type,
        payload: r.payload.toString('hex'),
        rsv1: r.rsv1,
        closeCode: r.closeCode,
      });
    }
  }
  steps.push({ kind: 'more' });
  return steps;
}

const controlLength = (c: Control): number =>
  c.type !== 'close' ? c.payload.length : c.code === undefined ? 0 : 2 + Buffer.byteLength(c.reason);

const parse = (bytes: Uint8Array, options: FrameParserOptions, how: Parameters<typeof chunk>[1]): Step[] =>
  drive(new FrameParser(options), chunk(bytes, how));

describe('FrameParser under fuzzing', () => {
  it(
    'never throws on arbitrary bytes split arbitrarily, and answers as the reference decoder does',
    () => {
      check(
        fc.property(
          fc.oneof(
            fc.tuple(parserOptions, fc.uint8Array({ maxLength: 64 })).map(([options, b]) => ({
              options,
              bytes: Buffer.from(b),
            })),
            noisyInput,
          ),
          split,
          ({ options, bytes }, how) => {
            expect(parse(bytes, options, how)).toEqual(referenceDecode(bytes, options));
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'gives the same frames and the same error however the stream is split (split-invariance)',
    () => {
      check(
        fc.property(noisyInput, split, split, ({ options, bytes }, a, b) => {
          expect(parse(bytes, options, a)).toEqual(parse(bytes, options, b));
        }),
      );
    },
    TIMEOUT,
  );

  it(
    'round-trips valid frame sequences (fragments, control frames between fragments, every length form) under any split, both roles',
    () => {
      check(
        fc.property(
          items,
          fc.constantFrom('server' as const, 'client' as const),
          maskSeed,
          fc.boolean(),
          split,
          (list, role, seed, validateUtf8, how) => {
            const { bytes, expected } = encodeItems(list, role, seed);
            const parser = new FrameParser({ role, maxFrameSize: Number.POSITIVE_INFINITY, validateUtf8 });
            expect(drive(parser, chunk(bytes, how))).toEqual(expected);
            // Nothing held once the last frame is out: no bytes, no message in progress.
            expect([parser.bufferedBytes, parser.inMessage]).toEqual([0, false]);
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'answers a damaged valid stream with exactly its frames, then "more" or the close code of the rule broken (1002/1007/1009)',
    () => {
      check(
        fc.property(
          items.filter((l) => l.length > 0),
          maskSeed,
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          parserOptions,
          split,
          (list, seed, mutations, options, how) => {
            const damaged = mutate(encodeItems(list, options.role, seed).bytes, mutations);
            const steps = parse(damaged, options, how);
            expect(steps).toEqual(referenceDecode(damaged, options));
            // Exactly one ending, last: frames only before it.
            const ends = steps.filter((s) => s.kind !== 'frame');
            expect(ends).toHaveLength(1);
            expect(steps.at(-1)).toBe(ends[0]);
          },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'closes with 1009 for any frame over maxFrameSize and any data message over it across its fragments, and returns none of them',
    () => {
      check(
        fc.property(items, maskSeed, fc.integer({ min: 0, max: 200 }), split, (list, seed, max, how) => {
          const { bytes } = encodeItems(list, 'server', seed);
          const options = {
            role: 'server',
            maxFrameSize: max,
            validateUtf8: true,
            rsv1Allowed: false,
          } as const;
          const steps = parse(bytes, options, how);
          expect(steps).toEqual(referenceDecode(bytes, options));
          const controls = list.flatMap((i) =>
            i.kind === 'control' ? [i.control] : i.message.between.flat(),
          );
          const tooBig =
            list.some((i) => i.kind === 'message' && i.message.payload.length > max) ||
            controls.some((c) => controlLength(c) > max);
          if (tooBig) expect(steps.at(-1)).toMatchObject({ kind: 'error', closeCode: 1009 });
          for (const s of steps)
            if (s.kind === 'frame' && (s.type === 'text' || s.type === 'binary'))
              expect(s.payload.length / 2).toBeLessThanOrEqual(max);
        }),
      );
    },
    TIMEOUT,
  );

  it(
    'closes with 1007 for a text message holding invalid UTF-8 at any position in any fragment, and never returns it',
    () => {
      check(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 20 }),
          fc.constantFrom(
            [0xff],
            [0xc0, 0xaf], // overlong
            [0xed, 0xa0, 0x80], // surrogate
            [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
            [0x80], // stray continuation
            [0xe2, 0x82], // a sequence cut short by ASCII
          ),
          fc.nat(),
          fc.array(fc.nat(), { maxLength: 3 }),
          maskSeed,
          split,
          (text, bad, where, cutSeeds, seed, how) => {
            const good = Buffer.from(text);
            const at = [...good.keys(), good.length].filter(
              (i) => i === good.length || (good[i]! & 0xc0) !== 0x80,
            );
            const cut = at[where % at.length]!;
            const payload = Buffer.concat([
              good.subarray(0, cut),
              Buffer.from(bad),
              Buffer.from('a'),
              good.subarray(cut),
            ]);
            const cuts = cutSeeds.map((c) => c % (payload.length + 1)).sort((a, b) => a - b);
            const { bytes } = encodeItems(
              [{ kind: 'message', message: { type: 'text', payload, cuts, between: cuts.map(() => []) } }],
              'server',
              seed,
            );
            const options = { role: 'server', maxFrameSize: 1_000_000, validateUtf8: true } as const;
            expect(parse(bytes, options, how)).toEqual([
              { kind: 'error', code: 'WS_ERR_INVALID_UTF8', closeCode: 1007 },
            ]);
          },
        ),
      );
    },
    TIMEOUT,
  );
});

describe('FrameParser: cases found by fuzzing', () => {
  it('closes with 1009 (no RangeError) for a 64-bit length past the largest Buffer when maxFrameSize is Infinity', () => {
    // binary, masked, declared 2^40 bytes, a masking key and one payload byte
    const bytes = Buffer.from([0x82, 0xff, 0, 0, 0x01, 0, 0, 0, 0, 0, 1, 2, 3, 4, 9]);
    const options = { role: 'server', maxFrameSize: Number.POSITIVE_INFINITY } as const;
    expect(parse(bytes, options, 'bytes')).toEqual([
      { kind: 'error', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 },
    ]);
  });
});
