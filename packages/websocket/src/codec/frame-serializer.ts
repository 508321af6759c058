/**
 * Frame serialisation (RFC 6455 §5.2): header with the minimal length encoding (7, 16 or 64
 * bits), optional masking with a fresh random key (clients, §5.3), RSV1 for permessage-deflate.
 *
 * Writes are shaped for `socket.cork()` + `write` or `socket.writev`: a payload of
 * {@link COPY_THRESHOLD} bytes or more given as bytes is returned by reference after its header
 * (`[header, payload]`), never copied; smaller frames, strings (which must be encoded anyway) and
 * masked payloads (which must be transformed anyway) are written into one buffer, and
 * {@link encodeOutFrames} packs the small frames of a reply together into as few buffers as
 * possible.
 *
 * Every function throws (`RangeError` / `TypeError`) on a frame that must not be sent — a control
 * payload over 125 bytes, a close code an endpoint may not send, a reserved opcode — because that
 * is a bug in the caller, not in the peer.
 *
 * @example
 * ```ts
 * import { encodeFrame, encodeOutFrames, Opcode } from '@corral/websocket';
 *
 * encodeFrame(Opcode.Text, 'Hello'); // 81 05 48 65 6c 6c 6f (RFC 6455 §5.7)
 * socket.cork();
 * for (const chunk of encodeOutFrames([['text', 'hi'], 'ping', ['close', 1000]])) socket.write(chunk);
 * socket.uncork();
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import { buildClosePayload } from './close-codes.js';
import { unmask } from './mask.js';
import { isKnownOpcode, Opcode, type OutFrame } from './opcodes.js';
import { utf8Length, writeUtf8 } from './text.js';

/** Payloads (given as bytes) this large or larger are written by reference, not copied. */
export const COPY_THRESHOLD = 1024;

/** Largest payload of a control frame (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Options for one frame. */
export interface EncodeOptions {
  /** FIN: this is the last frame of its message. Default `true`; `false` to send fragments. */
  readonly fin?: boolean;
  /** RSV1: the message is compressed (permessage-deflate, first frame only). Default `false`. */
  readonly rsv1?: boolean;
  /** Mask the payload, as a client must (RFC 6455 §5.3). Default `false` (a server must not). */
  readonly mask?: boolean;
  /** The 4-byte masking key, for tests; by default a fresh one from a CSPRNG (§5.3, §10.3). */
  readonly maskKey?: Uint8Array;
}

/** Options for {@link encodeOutFrames}. */
export interface EncodeOutFramesOptions {
  /** Mask every frame with its own random key (client side). Default `false`. */
  readonly mask?: boolean;
}

/** The server's empty ping `89 00`. Shared: never write to it. */
export const EMPTY_PING_FRAME: Buffer = Buffer.from([0x89, 0x00]);
/** The server's empty pong `8a 00`. Shared: never write to it. */
export const EMPTY_PONG_FRAME: Buffer = Buffer.from([0x8a, 0x00]);
/** The server's close frame without status code `88 00`. Shared: never write to it. */
export const EMPTY_CLOSE_FRAME: Buffer = Buffer.from([0x88, 0x00]);

// Masking keys come from a pool of CSPRNG bytes refilled 8 KiB at a time (one syscall per 2048
// keys). §10.3: the key must be unpredictable to the application, so no Math.random.
const KEY_POOL_SIZE = 8192;
let keyPool: Buffer | undefined;
let keyPoolOffset = KEY_POOL_SIZE;
const keyScratch = Buffer.alloc(4);

function nextMaskKey(): Buffer {
  if (keyPoolOffset === KEY_POOL_SIZE) {
    keyPool ??= Buffer.allocUnsafeSlow(KEY_POOL_SIZE);
    randomFillSync(keyPool);
    keyPoolOffset = 0;
  }
  const pool = keyPool!;
  keyScratch[0] = pool[keyPoolOffset]!;
  keyScratch[1] = pool[keyPoolOffset + 1]!;
  keyScratch[2] = pool[keyPoolOffset + 2]!;
  keyScratch[3] = pool[keyPoolOffset + 3]!;
  keyPoolOffset += 4;
  return keyScratch;
}

/** Size of the header of a frame with `payloadLength` bytes of payload. */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  return (payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a frame header at `target[at]` — first byte `b0` (FIN, RSV, opcode), then the payload
 * length in its shortest form with the MASK bit `maskBit` (0 or 0x80) — and returns the offset
 * after it. The masking key, if any, is the caller's to write next.
 */
export function writeFrameHeader(
  target: Uint8Array,
  at: number,
  b0: number,
  payloadLength: number,
  maskBit = 0,
): number {
  target[at] = b0;
  // §5.2: "the minimal number of bytes MUST be used to encode the length".
  if (payloadLength < 126) {
    target[at + 1] = maskBit | payloadLength;
    return at + 2;
  }
  if (payloadLength < 0x10000) {
    target[at + 1] = maskBit | 126;
    target[at + 2] = payloadLength >>> 8;
    target[at + 3] = payloadLength & 0xff;
    return at + 4;
  }
  target[at + 1] = maskBit | 127;
  // §5.2: 64 bits, most significant bit 0; lengths stay below 2^53 here.
  const high = Math.floor(payloadLength / 0x1_0000_0000);
  const low = payloadLength >>> 0;
  target[at + 2] = high >>> 24;
  target[at + 3] = (high >>> 16) & 0xff;
  target[at + 4] = (high >>> 8) & 0xff;
  target[at + 5] = high & 0xff;
  target[at + 6] = low >>> 24;
  target[at + 7] = (low >>> 16) & 0xff;
  target[at + 8] = (low >>> 8) & 0xff;
  target[at + 9] = low & 0xff;
  return at + 10;
}

/** Writes a header at `target[offset]`; returns the offset after it. `maskKey` set: masked. */
function writeHeader(
  target: Uint8Array,
  offset: number,
  opcode: number,
  payloadLength: number,
  fin: boolean,
  rsv1: boolean,
  maskKey: Uint8Array | undefined,
): number {
  const b0 = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  let at = writeFrameHeader(target, offset, b0, payloadLength, maskKey === undefined ? 0 : 0x80);
  if (maskKey !== undefined) {
    target[at++] = maskKey[0]!;
    target[at++] = maskKey[1]!;
    target[at++] = maskKey[2]!;
    target[at++] = maskKey[3]!;
  }
  return at;
}

function checkFrame(opcode: number, payloadLength: number, fin: boolean, rsv1: boolean): void {
  if (!isKnownOpcode(opcode))
    throw new TypeError(`Opcode 0x${opcode.toString(16)} is reserved (RFC 6455 §5.2)`);
  if (opcode >= 0x8) {
    if (payloadLength > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(
        `A control frame payload is at most ${MAX_CONTROL_PAYLOAD} bytes (RFC 6455 §5.5), got ${payloadLength}`,
      );
    }
    if (!fin) throw new RangeError('Control frames must not be fragmented (RFC 6455 §5.5)');
    if (rsv1) throw new RangeError('Control frames must not have RSV1 set (RFC 7692 §6)');
  }
}

function checkMaskKey(maskKey: Uint8Array): Uint8Array {
  if (maskKey.length !== 4) throw new RangeError(`A masking key is 4 bytes, got ${maskKey.length}`);
  return maskKey;
}

/**
 * Encodes a frame header for a payload of `payloadLength` bytes sent separately. With `maskKey`
 * the header says the payload is masked with that key and the caller masks it ({@link mask}).
 */
export function encodeFrameHeader(
  opcode: Opcode,
  payloadLength: number,
  options: { readonly fin?: boolean; readonly rsv1?: boolean; readonly maskKey?: Uint8Array } = {},
): Buffer {
  const fin = options.fin ?? true;
  const rsv1 = options.rsv1 ?? false;
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
    throw new RangeError(`A payload length is an integer from 0 to 2^53 - 1, got ${payloadLength}`);
  }
  checkFrame(opcode, payloadLength, fin, rsv1);
  const key = options.maskKey === undefined ? undefined : checkMaskKey(options.maskKey);
  const header = Buffer.allocUnsafe(frameHeaderLength(payloadLength, key !== undefined));
  writeHeader(header, 0, opcode, payloadLength, fin, rsv1, key);
  return header;
}

/** Writes a whole frame at `target[offset]`; returns the offset after it. */
function writeFrame(
  target: Buffer,
  offset: number,
  opcode: number,
  payload: string | Uint8Array,
  payloadLength: number,
  fin: boolean,
  rsv1: boolean,
  maskKey: Uint8Array | undefined,
): number {
  const start = writeHeader(target, offset, opcode, payloadLength, fin, rsv1, maskKey);
  if (payloadLength === 0) return start;
  if (typeof payload === 'string') writeUtf8(target, start, payload);
  else target.set(payload, start);
  const end = start + payloadLength;
  if (maskKey !== undefined) unmask(target, maskKey, start, end);
  return end;
}

function byteLength(payload: string | Uint8Array): number {
  return typeof payload === 'string' ? utf8Length(payload) : payload.length;
}

function keyFor(options: EncodeOptions): Uint8Array | undefined {
  if (options.maskKey !== undefined) {
    if (options.mask === false) throw new TypeError('maskKey given with mask: false');
    return checkMaskKey(options.maskKey);
  }
  return options.mask === true ? nextMaskKey() : undefined;
}

/** Encodes a frame into one buffer (header and payload; payload masked if asked). */
export function encodeFrame(
  opcode: Opcode,
  payload: string | Uint8Array,
  options: EncodeOptions = {},
): Buffer {
  const fin = options.fin ?? true;
  const rsv1 = options.rsv1 ?? false;
  const length = byteLength(payload);
  checkFrame(opcode, length, fin, rsv1);
  const key = keyFor(options);
  const frame = Buffer.allocUnsafe(frameHeaderLength(length, key !== undefined) + length);
  writeFrame(frame, 0, opcode, payload, length, fin, rsv1, key);
  return frame;
}

/**
 * Encodes a frame for a vectored write: `[header, payload]` when the payload is bytes of at least
 * {@link COPY_THRESHOLD} and not masked (the payload is not copied: do not change it until
 * written), else `[frame]`.
 */
export function encodeFrameParts(
  opcode: Opcode,
  payload: string | Uint8Array,
  options: EncodeOptions = {},
): Buffer[] {
  if (
    typeof payload === 'string' ||
    payload.length < COPY_THRESHOLD ||
    options.mask === true ||
    options.maskKey !== undefined
  ) {
    return [encodeFrame(opcode, payload, options)];
  }
  const fin = options.fin ?? true;
  const rsv1 = options.rsv1 ?? false;
  checkFrame(opcode, payload.length, fin, rsv1);
  const header = Buffer.allocUnsafe(frameHeaderLength(payload.length, false));
  writeHeader(header, 0, opcode, payload.length, fin, rsv1, undefined);
  return [header, asBuffer(payload)];
}

/**
 * Encodes a close frame (RFC 6455 §5.5.1). No code: an empty close. Throws a `RangeError` for a
 * code an endpoint may not send or a reason over 123 bytes (see {@link buildClosePayload}).
 */
export function encodeCloseFrame(
  code?: number,
  reason?: string | Uint8Array,
  options: EncodeOptions = {},
): Buffer {
  if (code === undefined && (reason === undefined || reason.length === 0) && !isMasked(options)) {
    return EMPTY_CLOSE_FRAME;
  }
  return encodeFrame(Opcode.Close, buildClosePayload(code, reason), options);
}

function isMasked(options: EncodeOptions): boolean {
  return options.mask === true || options.maskKey !== undefined;
}

/** `bytes` as a Buffer over the same memory (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

// An OutFrame taken apart: filled by `decompose`, read right after (no allocation per frame).
let partOpcode = 0;
let partPayload: string | Uint8Array = '';

const EMPTY = Buffer.alloc(0);

/** Splits an {@link OutFrame} into `partOpcode` / `partPayload`; throws if it is not one. */
function decompose(frame: OutFrame): void {
  if (typeof frame === 'string') {
    partPayload = EMPTY;
    if (frame === 'ping') partOpcode = Opcode.Ping;
    else if (frame === 'pong') partOpcode = Opcode.Pong;
    else if (frame === 'close') partOpcode = Opcode.Close;
    else throw new TypeError(`Not an OutFrame: ${JSON.stringify(frame)}`);
    return;
  }
  // Not Array.isArray: its type guard (`any[]`) drops the readonly tuples from the union.
  if (typeof frame !== 'object' || frame === null || !Array.isArray(frame as unknown)) {
    throw new TypeError(`Not an OutFrame: ${String(frame)}`);
  }
  if (frame[0] === 'close') {
    partOpcode = Opcode.Close;
    partPayload = frame.length === 1 ? EMPTY : buildClosePayload(frame[1], frame[2]);
    return;
  }
  const type: unknown = frame[0];
  const payload: unknown = frame[1];
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw new TypeError(`The payload of an OutFrame is a string or bytes, got ${typeof payload}`);
  }
  partPayload = payload;
  if (type === 'text') partOpcode = Opcode.Text;
  else if (type === 'binary') partOpcode = Opcode.Binary;
  else if (type === 'ping') partOpcode = Opcode.Ping;
  else if (type === 'pong') partOpcode = Opcode.Pong;
  else throw new TypeError(`Not an OutFrame type: ${String(type)}`);
}

/**
 * Encodes one {@link OutFrame} (a handler's reply) as buffers for a vectored write. The bare
 * `'ping' | 'pong' | 'close'` of a server are shared constant buffers.
 */
export function encodeOutFrame(frame: OutFrame, options: EncodeOutFramesOptions = {}): Buffer[] {
  if (options.mask !== true) {
    if (frame === 'ping') return [EMPTY_PING_FRAME];
    if (frame === 'pong') return [EMPTY_PONG_FRAME];
    if (frame === 'close') return [EMPTY_CLOSE_FRAME];
  }
  decompose(frame);
  return encodeFrameParts(partOpcode as Opcode, partPayload, options.mask === true ? { mask: true } : {});
}

/**
 * Encodes a batch of {@link OutFrame}s (a handler's reply list) for one vectored write, in
 * order: consecutive small frames share one buffer; a large byte payload stays its own buffer,
 * its header closing the buffer before it. E.g. `[['text','a'], ['binary', big], 'ping']` →
 * `[<81 01 61 82 7e 10 00>, big, <89 00>]`. Throws before encoding anything if a frame is invalid.
 */
export function encodeOutFrames(frames: readonly OutFrame[], options: EncodeOutFramesOptions = {}): Buffer[] {
  const masked = options.mask === true;
  const count = frames.length;
  const opcodes = new Array<number>(count);
  const payloads = new Array<string | Uint8Array>(count);
  const lengths = new Array<number>(count);
  // Pass 1: take every frame apart, check it, and size the packed buffers.
  const packSizes: number[] = [];
  let packSize = 0;
  for (let i = 0; i < count; i++) {
    decompose(frames[i]!);
    const length = byteLength(partPayload);
    checkFrame(partOpcode, length, true, false);
    opcodes[i] = partOpcode;
    payloads[i] = partPayload;
    lengths[i] = length;
    const header = frameHeaderLength(length, masked);
    if (!masked && typeof partPayload !== 'string' && length >= COPY_THRESHOLD) {
      packSizes.push(packSize + header);
      packSize = 0;
    } else {
      packSize += header + length;
    }
  }
  packSizes.push(packSize);
  // Pass 2: write.
  const out: Buffer[] = [];
  let pack = 0;
  let buffer = Buffer.allocUnsafe(packSizes[0]!);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const payload = payloads[i]!;
    const length = lengths[i]!;
    const key = masked ? nextMaskKey() : undefined;
    if (!masked && typeof payload !== 'string' && length >= COPY_THRESHOLD) {
      writeHeader(buffer, at, opcodes[i]!, length, true, false, undefined);
      out.push(buffer, asBuffer(payload));
      pack++;
      buffer = Buffer.allocUnsafe(packSizes[pack]!);
      at = 0;
    } else {
      at = writeFrame(buffer, at, opcodes[i]!, payload, length, true, false, key);
    }
  }
  if (buffer.length > 0) out.push(buffer);
  return out;
}
