/**
 * fast-check arbitraries for fuzzing the codec: parser options, ways to split a byte stream into
 * chunks, valid frame sequences (with what the parser must return for them), byte streams shaped
 * like frames but with every header field free, and mutations of valid streams.
 */
import fc from 'fast-check';
import { DEFAULT_MAX_FRAME_SIZE, type FrameParserOptions } from '../../src/codec/frame-parser.js';
import { encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode } from '../../src/codec/opcodes.js';
import type { Step } from './reference-parser.js';

// ---- parser options ------------------------------------------------------------------------

/**
 * Parser options for arbitrary input: tiny limits (so 1009 is reached), the default; never
 * `Infinity` here, since a random 64-bit length would then make the parser reserve up to 4 GiB
 * for the payload (the frame-parser fuzz file covers `Infinity` on its own).
 */
export const parserOptions: fc.Arbitrary<Required<FrameParserOptions>> = fc.record({
  role: fc.constantFrom('server' as const, 'client' as const),
  maxFrameSize: fc.oneof(
    { weight: 3, arbitrary: fc.constant(DEFAULT_MAX_FRAME_SIZE) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }) },
  ),
  validateUtf8: fc.boolean(),
  rsv1Allowed: fc.boolean(),
});

// ---- splitting a stream ------------------------------------------------------------------

/** How to cut a stream into chunks: whole, byte by byte, or at arbitrary offsets (taken modulo its length). */
export type Split = 'whole' | 'bytes' | readonly number[];

export const split: fc.Arbitrary<Split> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('whole' as const) },
  { weight: 1, arbitrary: fc.constant('bytes' as const) },
  { weight: 6, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }) },
);

/** Past this, `'bytes'` drips only the first and last `DRIP / 2` bytes (the rest is one chunk): 64 KiB of one-byte chunks per case would dominate the run time. */
const DRIP = 2048;

/** The chunks of `bytes` cut by `how`: fresh copies (the parser unmasks in place), empty ones kept. */
export function chunk(bytes: Uint8Array, how: Split): Buffer[] {
  if (how === 'whole') return [Buffer.from(bytes)];
  if (how === 'bytes') {
    const drip = (from: number, to: number) => Array.from(bytes.subarray(from, to), (b) => Buffer.from([b]));
    if (bytes.length <= DRIP) return drip(0, bytes.length);
    const half = DRIP / 2;
    return [
      ...drip(0, half),
      Buffer.from(bytes.subarray(half, bytes.length - half)),
      ...drip(bytes.length - half, bytes.length),
    ];
  }
  const cuts = how.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(from, c)));
    from = c;
  }
  return out;
}

// ---- valid frame sequences ---------------------------------------------------------------

/** A control frame a peer may send. */
export type Control =
  | { readonly type: 'ping' | 'pong'; readonly payload: Uint8Array }
  | { readonly type: 'close'; readonly code: number | undefined; readonly reason: string };

/** A data message sent as fragments, with control frames between them (RFC 6455 §5.4 allows that). */
export interface Message {
  readonly type: 'text' | 'binary';
  readonly payload: Buffer;
  /** Where the payload is cut into fragments (offsets, sorted; equal ones make empty fragments). */
  readonly cuts: readonly number[];
  /** The control frames sent after each fragment but the last. */
  readonly between: readonly (readonly Control[])[];
}

export type Item =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'control'; readonly control: Control };

/** Payload sizes around every length encoding boundary: 7-bit, 16-bit (126+) and 64-bit (65536+). */
const size = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 3, arbitrary: fc.integer({ min: 120, max: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom(125, 126, 127, 65_535, 65_536, 65_537) },
);

const binaryPayload: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
  // Large ones from a seed: generating 64 KiB byte by byte would dominate the run time.
  {
    weight: 1,
    arbitrary: fc.tuple(size, fc.integer({ min: 0, max: 255 })).map(([n, seed]) => pattern(n, seed)),
  },
);

/** Text with code points of every UTF-8 length (1-4 bytes), sometimes long. */
const textPayload: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((s) => Buffer.from(s)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(size, fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }))
      .map(([n, s]) => Buffer.from(s.repeat(Math.ceil(n / Math.max(1, Buffer.byteLength(s)))))),
  },
);

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i * 31) & 0xff;
  return b;
}

/** Close codes an endpoint may send (RFC 6455 §7.4), the boundaries first. */
const closeCode = fc.oneof(
  fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999),
  fc.integer({ min: 3000, max: 4999 }),
);

export const control: fc.Arbitrary<Control> = fc.oneof(
  fc.record({
    type: fc.constantFrom('ping' as const, 'pong' as const),
    payload: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 120, maxLength: 125 })),
  }),
  fc
    .record({
      type: fc.constant('close' as const),
      code: fc.option(closeCode, { nil: undefined }),
      reason: fc.string({ unit: 'binary', maxLength: 30 }),
    })
    .map((c) => (c.code === undefined ? { ...c, reason: '' } : { ...c, reason: fitReason(c.reason) })),
);

/** Trims a reason to the 123 bytes a close frame has room for, at a character boundary. */
function fitReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = [...r].slice(0, -1).join('');
  return r;
}

export const message: fc.Arbitrary<Message> = fc
  .tuple(
    fc.constantFrom('text' as const, 'binary' as const),
    fc.array(fc.nat(), { maxLength: 3 }),
    fc.array(fc.array(control, { maxLength: 2 }), { maxLength: 3 }),
  )
  .chain(([type, cutSeeds, between]) =>
    (type === 'text' ? textPayload : binaryPayload).map((payload) => ({
      type,
      payload,
      cuts: cutSeeds.map((c) => c % (payload.length + 1)).sort((a, b) => a - b),
      between: Array.from({ length: cutSeeds.length }, (_, i) => between[i] ?? []),
    })),
  );

export const items: fc.Arbitrary<Item[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: message.map((m) => ({ kind: 'message' as const, message: m })) },
    { weight: 1, arbitrary: control.map((c) => ({ kind: 'control' as const, control: c })) },
  ),
  { maxLength: 6 },
);

/** A masking key per frame, for the client-to-server direction (§5.3). */
export const maskSeed = fc.uint8Array({ minLength: 4, maxLength: 4 });

/**
 * The bytes a peer sends for `items` (masked when the parser is a server, so the bytes are a
 * client's) and the steps a parser must return for them: control frames as they come, each
 * message once its last fragment is in, then `more`.
 */
export function encodeItems(
  list: readonly Item[],
  role: 'server' | 'client',
  seed: Uint8Array,
): { bytes: Buffer; expected: Step[] } {
  const parts: Buffer[] = [];
  const expected: Step[] = [];
  let n = 0;
  const options = (fin: boolean) => {
    if (role === 'client') return { fin };
    const key = Buffer.from(seed);
    key.writeUInt32BE((key.readUInt32BE(0) + n++ * 0x9e3779b9) >>> 0);
    return { fin, mask: true, maskKey: key };
  };
  const sendControl = (c: Control): void => {
    if (c.type === 'close') {
      const payload =
        c.code === undefined ? Buffer.alloc(0) : Buffer.concat([u16(c.code), Buffer.from(c.reason)]);
      parts.push(encodeFrame(Opcode.Close, payload, options(true)));
      expected.push(
        step('close', c.code === undefined ? Buffer.alloc(0) : Buffer.from(c.reason), c.code ?? 1005),
      );
    } else {
      parts.push(encodeFrame(c.type === 'ping' ? Opcode.Ping : Opcode.Pong, c.payload, options(true)));
      expected.push(step(c.type, Buffer.from(c.payload), 0));
    }
  };
  for (const item of list) {
    if (item.kind === 'control') {
      sendControl(item.control);
      continue;
    }
    const m = item.message;
    const bounds = [0, ...m.cuts, m.payload.length];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const last = i + 2 === bounds.length;
      const opcode = i === 0 ? (m.type === 'text' ? Opcode.Text : Opcode.Binary) : Opcode.Continuation;
      parts.push(encodeFrame(opcode, m.payload.subarray(bounds[i], bounds[i + 1]), options(last)));
      if (!last) for (const c of m.between[i] ?? []) sendControl(c);
    }
    expected.push(step(m.type, m.payload, 0));
  }
  expected.push({ kind: 'more' });
  return { bytes: Buffer.concat(parts), expected };
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function step(type: Extract<Step, { kind: 'frame' }>['type'], payload: Buffer, closeCode: number): Step {
  return { kind: 'frame', type, payload: payload.toString('hex'), rsv1: false, closeCode };
}

// ---- frame-shaped noise ----------------------------------------------------------------------

/**
 * One frame with every header field chosen freely — FIN, RSV bits, any opcode, mask bit, any
 * length form (minimal or not, the 64-bit MSB set, lengths past any limit) — and a payload that
 * may be shorter than declared. Biased towards frames a `role` parser accepts, so that most are
 * wrong in one way at most and every rule gets its turn, not only the first one random bytes break.
 */
export function frameLike(role: 'server' | 'client'): fc.Arbitrary<Buffer> {
  return fc
    .record({
      fin: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      rsv: fc.oneof(
        { weight: 8, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) },
      ),
      opcode: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) },
      ),
      masked: fc.oneof(
        { weight: 8, arbitrary: fc.constant(role === 'server') },
        { weight: 1, arbitrary: fc.constant(role !== 'server') },
      ),
      form: fc.oneof(
        { weight: 6, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.constantFrom(7, 16, 64) },
      ),
      declared: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 30 }) },
        { weight: 2, arbitrary: fc.integer({ min: 120, max: 300 }) },
        { weight: 1, arbitrary: fc.constantFrom(1, 125, 126, 65_535, 65_536, 2 ** 32, 2 ** 53, 2 ** 63) },
      ),
      key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      body: fc.uint8Array({ maxLength: 40 }),
      utf8: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      closeCode: fc.integer({ min: 0, max: 5000 }),
    })
    .map((f) => {
      // A payload that looks right: UTF-8 text when asked (so UTF-8 rules are reached past it),
      // a close code in front for close frames.
      let payload = f.utf8 ? Buffer.from(Buffer.from(f.body).toString('latin1')) : Buffer.from(f.body);
      if (f.opcode === 0x8 && f.body.length > 0) payload = Buffer.concat([u16(f.closeCode), payload]);
      // form 0: the declared length is the payload's, in its minimal form; else as chosen.
      const declared = f.form === 0 ? payload.length : f.declared;
      const form = f.form !== 0 ? f.form : declared < 126 ? 7 : declared < 65_536 ? 16 : 64;
      const head = [(f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode];
      const maskBit = f.masked ? 0x80 : 0;
      const extended = Buffer.alloc(form === 16 ? 2 : form === 64 ? 8 : 0);
      if (form === 7) head.push(maskBit | Math.min(declared, 127));
      else if (form === 16) {
        head.push(maskBit | 126);
        extended.writeUInt16BE(declared & 0xffff);
      } else {
        head.push(maskBit | 127);
        extended.writeBigUInt64BE(BigInt(declared) & 0xffff_ffff_ffff_ffffn);
      }
      payload = payload.subarray(0, Math.min(payload.length, declared));
      if (f.masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= f.key[i % 4]!;
      return Buffer.concat([
        Buffer.from(head),
        extended,
        f.masked ? Buffer.from(f.key) : Buffer.alloc(0),
        payload,
      ]);
    });
}

/**
 * Parser options and a stream for them: valid frames, frame-shaped noise and arbitrary bytes in
 * any order, so errors come after frames as well as first.
 */
export const noisyInput: fc.Arbitrary<{ options: Required<FrameParserOptions>; bytes: Buffer }> =
  parserOptions.chain((options) =>
    fc
      .array(
        fc.oneof(
          {
            weight: 2,
            arbitrary: fc
              .tuple(
                fc.array(
                  message.map((m) => ({ kind: 'message' as const, message: m })),
                  {
                    maxLength: 2,
                  },
                ),
                maskSeed,
              )
              .map(([list, seed]) => encodeItems(list, options.role, seed).bytes),
          },
          { weight: 3, arbitrary: frameLike(options.role) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)) },
        ),
        { maxLength: 5 },
      )
      .map((parts) => ({ options, bytes: Buffer.concat(parts) })),
  );

// ---- mutations -----------------------------------------------------------------------------

/** One change to a byte stream; positions are taken modulo its length. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

export function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'flip':
        b[at]! ^= 1 << m.bit;
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
    }
  }
  return b;
}
