/**
 * Incremental WebSocket frame parser (RFC 6455 §5): bytes in, whole messages and control frames
 * out, or the protocol error that must close the connection.
 *
 * Feed it socket chunks with {@link FrameParser.push} and call {@link FrameParser.next} until it
 * answers `'more'`. A frame may be split at any byte across any number of chunks. Fragmented data
 * messages are assembled into one message; control frames that arrive between the fragments are
 * returned as they come (§5.4). Every rule the parser enforces is checked as early as the bytes
 * allow: header rules on the first 2 bytes, `maxFrameSize` on the declared length before any
 * payload is buffered, UTF-8 per fragment. After an error the parser stays failed.
 *
 * Why `next()` and not the `{ kind: 'frame', frame }` wrapper: a parsed frame *is* the result
 * (`kind: 'frame'`), so each frame costs one small object of one class, `'more'` is a shared
 * constant, and the error result is made once. Frames are fresh objects, never reused, so a
 * caller may keep one across calls. A frame's payload is a view made when it is read: a text
 * message is decoded straight from the chunk ({@link frameText}) without one. The common frame —
 * unfragmented, masked, text or binary, whole in the chunk — is parsed in one step; small ASCII
 * text is known valid UTF-8 from the unmasking pass. `bench/codec.bench.ts` measures it.
 *
 * A close frame does not stop the parser; the connection stops feeding it once it has one
 * (RFC 6455 §5.5.1: nothing follows a close frame).
 *
 * Ownership: `push(chunk)` hands the chunk to the parser, which unmasks payloads in place.
 * Payloads are views into the pushed chunks when a frame lies within one chunk (no copy), so a
 * payload kept for long pins its chunk; copy it (`Buffer.from(payload)`) to keep it cheaply.
 * {@link FrameParser.compact} releases large chunks before a process hibernates.
 *
 * permessage-deflate (RFC 7692) hook: with `rsv1Allowed`, a data message whose first frame has
 * RSV1 set is returned with `rsv1: true` and its payload exactly as received (unmasked, fragments
 * joined, still compressed). Its UTF-8 is *not* checked here, since compressed bytes are not
 * text: the deflate layer inflates it, checks the inflated size against its own limit (→ 1009)
 * and validates text with {@link isValidUtf8} (→ 1007). `maxFrameSize` here bounds the
 * compressed size.
 *
 * @example
 * ```ts
 * import { FrameParser } from '@corral/websocket';
 *
 * const parser = new FrameParser({ role: 'server', maxFrameSize: 1_000_000 });
 * parser.push(Buffer.from('818537fa213d7f9f4d5158', 'hex')); // RFC 6455 §5.7 masked "Hello"
 * for (let r = parser.next(); r.kind !== 'more'; r = parser.next()) {
 *   if (r.kind === 'error') { close(r.error.closeCode); break; }
 *   handle(r.type, r.payload); // 'text', <Buffer 48 65 6c 6c 6f>
 * }
 * ```
 *
 * @module
 */

import { Buffer, constants } from 'node:buffer';
import { parseClosePayload } from './close-codes.js';
import { keyAt, unmaskCheckAscii } from './mask.js';
import { type FrameType, type InFrame, Opcode } from './opcodes.js';
import { ProtocolError, type ProtocolErrorCode, protocolError } from './protocol-error.js';
import { decodeUtf8 } from './text.js';
import { isValidUtf8, Utf8Validator } from './utf8-validator.js';

/** Default `maxFrameSize`: the `maxFrameSize` default of the connection options (DESIGN.md). */
export const DEFAULT_MAX_FRAME_SIZE = 1_000_000;

/** Options of a {@link FrameParser}. */
export interface FrameParserOptions {
  /**
   * Which end of the connection parses. `'server'`: every frame must be masked; `'client'`: no
   * frame may be masked (RFC 6455 §5.1 — both break the connection with 1002). A role instead of
   * a `requireMask` flag, because the client side must reject masked frames, not merely allow
   * unmasked ones.
   */
  readonly role: 'server' | 'client';
  /**
   * Largest payload, in bytes, of one frame and of one message (the sum of its fragments), as
   * Cowboy's `max_frame_size`. Checked against the declared length before the payload is read;
   * larger → 1009. Default {@link DEFAULT_MAX_FRAME_SIZE}; `Infinity` for no limit but the largest
   * Buffer (`buffer.constants.MAX_LENGTH`).
   */
  readonly maxFrameSize?: number;
  /** Check that text messages and close reasons are UTF-8 (→ 1007). Default `true`. */
  readonly validateUtf8?: boolean;
  /**
   * Whether an extension negotiated a meaning for RSV1 (permessage-deflate). Then RSV1 may be set
   * on the first frame of a data message (RFC 7692 §6); otherwise it must be clear. Default `false`.
   */
  readonly rsv1Allowed?: boolean;
}

/**
 * A message or control frame, as {@link FrameParser.next} returns it. All frames have the same
 * shape (for the JIT); fields that do not apply to a type hold neutral values.
 */
export interface ParsedFrame {
  readonly kind: 'frame';
  /** Data messages: `'text' | 'binary'`; control frames: `'close' | 'ping' | 'pong'`. */
  readonly type: FrameType;
  /**
   * Unmasked payload: a whole message (fragments joined), a ping or pong payload, or the reason
   * bytes of a close frame (without its status code). `text` payloads are checked UTF-8 unless
   * `validateUtf8` is off or `rsv1` is set. Do not write to it; it may be shared. (From the
   * parser, a view made each time it is read: read it once.)
   */
  readonly payload: Buffer;
  /** RSV1 of the message's first frame: permessage-deflate's "compressed" bit. Always false for control frames. */
  readonly rsv1: boolean;
  /** Close frames: the status code, or 1005 when the close frame had none. 0 for other types. */
  readonly closeCode: number;
}

/** The parser needs more bytes: push the next chunk. */
export interface ParseMore {
  readonly kind: 'more';
}

/** The peer broke the protocol; the connection closes with `error.closeCode`. Terminal. */
export interface ParseFailure {
  readonly kind: 'error';
  readonly error: ProtocolError;
}

/** What {@link FrameParser.next} returns: a discriminated union on `kind`. */
export type ParseResult = ParsedFrame | ParseMore | ParseFailure;

const MORE: ParseMore = Object.freeze({ kind: 'more' });
const SCRATCH = Buffer.alloc(8);

/** A frame as the parser makes it: its payload is `source[start, end)`, viewed only on demand. */
class Frame implements ParsedFrame {
  readonly kind = 'frame';
  constructor(
    readonly type: FrameType,
    /** @internal */ readonly source: Buffer,
    /** @internal */ readonly start: number,
    /** @internal */ readonly end: number,
    readonly rsv1: boolean,
    readonly closeCode: number,
    /** @internal The payload is all ASCII (so valid UTF-8, a character a byte). */ readonly ascii: boolean,
  ) {}

  get payload(): Buffer {
    const source = this.source;
    return this.start === 0 && this.end === source.length ? source : source.subarray(this.start, this.end);
  }
}

/**
 * The payload of a text message as a string. For a frame from {@link FrameParser} this decodes
 * the bytes where they lie (no Buffer view), and ASCII by the cheaper decoder.
 */
export function frameText(frame: ParsedFrame): string {
  if (frame instanceof Frame) return decodeUtf8(frame.source, frame.start, frame.end, frame.ascii);
  return frame.payload.toString('utf8');
}
// First size of a payload buffer when a payload spans chunks; it doubles as bytes arrive.
const PARTIAL_START = 64 * 1024;
const MAX_LENGTH = constants.MAX_LENGTH;
const EMPTY = Buffer.alloc(0);

// Parse states, in the order a frame's bytes arrive.
const GET_INFO = 0; // first 2 bytes: FIN, RSV, opcode, MASK, 7-bit length
const GET_LENGTH_16 = 1; // 16-bit extended length
const GET_LENGTH_64 = 2; // 64-bit extended length
const GET_MASK = 3; // 4-byte masking key
const GET_DATA = 4; // payload
const FAILED = 5; // terminal

function makeFrame(type: FrameType, payload: Buffer, rsv1: boolean, closeCode: number, ascii = false): Frame {
  return new Frame(type, payload, 0, payload.length, rsv1, closeCode, ascii);
}

/**
 * Incremental frame parser for one connection. Not reentrant; allocation per frame: the frame
 * object (and a payload view, when read).
 */
export class FrameParser {
  private readonly server: boolean;
  private readonly validateUtf8: boolean;
  private readonly rsv1Allowed: boolean;
  private maxFrameSize: number;

  // Unread input: `head` from `offset` on, then the chunks in `rest` (made when a second chunk
  // waits behind the first: rare, a frame spanning chunks). `head` is EMPTY when nothing is.
  private head: Buffer = EMPTY;
  private offset = 0;
  private rest: Buffer[] | undefined = undefined;
  private buffered = 0;
  // Where take() left the bytes it took: `returned buffer[at, at + n)`.
  private at = 0;

  // The frame being parsed.
  private state = GET_INFO;
  private fin = false;
  private rsv1 = false;
  private opcode = 0;
  private masked = false;
  private payloadLength = 0;
  // The masking key as one number (mask.ts `keyAt`): no buffer per parser.
  private maskKey = 0;
  // A payload known to span chunks is copied here as it arrives, so a peer that drips bytes
  // cannot make the parser hold one Buffer object per tiny chunk.
  private partial: Buffer | undefined;
  private partialFilled = 0;

  // The fragmented message in progress (messageOpcode 0: none).
  private messageOpcode = 0;
  private messageRsv1 = false;
  private messageLength = 0;
  private fragments: Buffer[] | undefined = undefined;
  // Made when the first fragmented text message arrives.
  private utf8: Utf8Validator | undefined = undefined;

  private failure: ParseFailure | undefined;

  constructor(options: FrameParserOptions) {
    this.server = options.role === 'server';
    this.validateUtf8 = options.validateUtf8 ?? true;
    this.rsv1Allowed = options.rsv1Allowed ?? false;
    this.maxFrameSize = checkLimit(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
  }

  /** Changes `maxFrameSize` for the frames whose header is not yet parsed (Cowboy's `set_options`). */
  setMaxFrameSize(maxFrameSize: number): void {
    this.maxFrameSize = checkLimit(maxFrameSize);
  }

  /**
   * Input bytes held for the frame being parsed: unread bytes plus the part of a payload already
   * received. Header bytes are consumed as soon as they are parsed, and the fragments of a message
   * in progress are not counted.
   */
  get bufferedBytes(): number {
    return this.buffered + this.partialFilled;
  }

  /**
   * Bytes of buffer the parser holds for the frame being received (unread input plus the
   * payload buffer's capacity): it follows the bytes received, never the length a peer declares.
   */
  get reservedBytes(): number {
    return this.buffered + (this.partial?.length ?? 0);
  }

  /**
   * True between frames with nothing buffered and no fragmented message open: dropping the
   * parser now and making a new one later loses nothing (what hibernation does).
   */
  get idle(): boolean {
    return (
      this.state === GET_INFO && this.buffered === 0 && this.messageOpcode === 0 && this.partial === undefined
    );
  }

  /** Whether a fragmented message has started and not yet ended. */
  get inMessage(): boolean {
    return this.messageOpcode !== 0;
  }

  /** The error the parser failed with, if it has. */
  get error(): ProtocolError | undefined {
    return this.failure?.error;
  }

  /**
   * Appends a chunk of input. The parser takes it over (payloads are unmasked in place). Ignored
   * after a failure, so a broken peer cannot grow the buffer.
   */
  push(chunk: Buffer): void {
    if (this.state === FAILED || chunk.length === 0) return;
    let rest = chunk;
    if (this.partial !== undefined) {
      const take = Math.min(rest.length, this.payloadLength - this.partialFilled);
      const partial = this.growPartial(this.partialFilled + take);
      partial.set(take === rest.length ? rest : rest.subarray(0, take), this.partialFilled);
      this.partialFilled += take;
      if (take === rest.length) return;
      rest = rest.subarray(take);
    }
    if (this.buffered === 0) {
      this.head = rest;
      this.offset = 0;
    } else {
      (this.rest ??= []).push(rest);
    }
    this.buffered += rest.length;
  }

  /**
   * Parses on: returns the next message or control frame, `'more'` when the buffered bytes do not
   * complete one, or the protocol error (then the same error on every later call).
   */
  next(): ParseResult {
    for (;;) {
      switch (this.state) {
        case GET_INFO: {
          if (this.buffered < 2) return MORE;
          if (this.messageOpcode === 0 && this.server) {
            const whole = this.wholeFrame();
            if (whole !== undefined) return whole;
          }
          const failure = this.getInfo();
          if (failure !== undefined) return failure;
          break;
        }
        case GET_LENGTH_16: {
          if (this.buffered < 2) return MORE;
          const source = this.take(2);
          const length = (source[this.at]! << 8) | source[this.at + 1]!;
          // §5.2: "the minimal number of bytes MUST be used to encode the length".
          if (length < 126) return this.fail('WS_ERR_NON_MINIMAL_LENGTH', `${length} in 16 bits`);
          const failure = this.haveLength(length);
          if (failure !== undefined) return failure;
          break;
        }
        case GET_LENGTH_64: {
          if (this.buffered < 8) return MORE;
          const source = this.take(8);
          const high = source.readUInt32BE(this.at);
          const low = source.readUInt32BE(this.at + 4);
          // §5.2: "the most significant bit MUST be 0" in a 64-bit length.
          if (high > 0x7fffffff) return this.fail('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
          const length = high * 0x1_0000_0000 + low;
          // §5.2: minimal encoding; a length under 65536 fits the 16-bit form.
          if (length < 0x10000) return this.fail('WS_ERR_NON_MINIMAL_LENGTH', `${length} in 64 bits`);
          const failure = this.haveLength(length);
          if (failure !== undefined) return failure;
          break;
        }
        case GET_MASK: {
          if (this.buffered < 4) return MORE;
          this.maskKey = keyAt(this.take(4), this.at);
          this.state = GET_DATA;
          break;
        }
        case GET_DATA: {
          if (this.partial !== undefined) {
            if (this.partialFilled < this.payloadLength) return MORE;
          } else if (this.buffered < this.payloadLength) {
            // Part of the payload is here and the rest is not: it spans chunks, so a copy is
            // unavoidable. Make it now and copy later chunks straight in (see push). With nothing
            // here yet, wait: the payload may arrive within one chunk and need no copy.
            if (this.buffered > 0) {
              // Sized by what has arrived, not by the declared length: a peer that declares a
              // large frame and sends a few bytes must not make us reserve the whole of it.
              this.partial = Buffer.allocUnsafe(
                Math.min(this.payloadLength, Math.max(2 * this.buffered, PARTIAL_START)),
              );
              this.partialFilled = this.buffered;
              this.gather(this.partial, this.buffered);
            }
            return MORE;
          }
          const result = this.getData();
          if (result !== undefined) return result;
          break;
        }
        default:
          return this.failure!;
      }
    }
  }

  /**
   * Prepares for hibernation: copies the unread bytes and the fragments of a message in progress
   * into right-sized buffers, so the socket chunks they were views into can be collected. Keeps
   * everything needed to go on parsing (dropping a partial frame would corrupt the stream); a
   * payload being received is already in a buffer of its own.
   */
  compact(): void {
    if (this.buffered > 0) {
      const unread = Buffer.allocUnsafeSlow(this.buffered);
      this.gather(unread, this.buffered);
      this.head = unread;
      this.buffered = unread.length;
    } else {
      this.head = EMPTY;
    }
    this.offset = 0;
    this.rest = undefined;
    const fragments = this.fragments;
    if (fragments !== undefined && fragments.length > 0) {
      // Its own memory, not Node's shared pool (which `Buffer.concat` and `Buffer.from` use for
      // small sizes, keeping an 8 KiB slab alive for a few bytes).
      const joined = Buffer.allocUnsafeSlow(this.messageLength);
      let at = 0;
      for (const f of fragments) {
        joined.set(f, at);
        at += f.length;
      }
      this.fragments = [joined];
    }
  }

  /**
   * Drops all buffered input, any message in progress and any failure: the parser is as new
   * (options and `maxFrameSize` kept). For reuse; releases every buffer it held.
   */
  reset(): void {
    this.head = EMPTY;
    this.rest = undefined;
    this.offset = 0;
    this.buffered = 0;
    this.partial = undefined;
    this.partialFilled = 0;
    this.state = GET_INFO;
    this.resetMessage();
    this.failure = undefined;
  }

  /** Parses the first 2 bytes of a frame and applies every rule they alone decide. */
  private getInfo(): ParseFailure | undefined {
    const source = this.take(2);
    const b0 = source[this.at]!;
    const b1 = source[this.at + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const length = b1 & 0x7f;

    // §5.2: "RSV1, RSV2, RSV3: MUST be 0 unless an extension is negotiated that defines meanings
    // for non-zero values". permessage-deflate defines RSV1 only (RFC 7692 §6).
    if ((b0 & 0x30) !== 0) return this.fail('WS_ERR_UNEXPECTED_RSV_2_3');

    if (opcode >= 0x8) {
      // §5.2: opcodes 0xB-0xF "are reserved for further control frames".
      if (opcode > Opcode.Pong) return this.fail('WS_ERR_INVALID_OPCODE', `0x${opcode.toString(16)}`);
      // §5.5: "All control frames ... MUST NOT be fragmented."
      if (!fin) return this.fail('WS_ERR_FRAGMENTED_CONTROL');
      // RFC 7692 §6: "An endpoint MUST NOT set the 'Per-Message Compressed' bit of control frames".
      if (rsv1) return this.fail('WS_ERR_UNEXPECTED_RSV_1', 'on a control frame');
      // §5.5: "All control frames MUST have a payload length of 125 bytes or less".
      if (length > 125) return this.fail('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH');
      // §5.5.1: a close body, if any, starts with a 2-byte status code, so 1 byte is malformed.
      if (opcode === Opcode.Close && length === 1) {
        return this.fail('WS_ERR_INVALID_CLOSE_PAYLOAD', 'a 1-byte payload');
      }
    } else if (opcode === Opcode.Continuation) {
      // §5.4: continuation frames only follow a first fragment with FIN clear.
      if (this.messageOpcode === 0) return this.fail('WS_ERR_UNEXPECTED_CONTINUATION');
      // RFC 7692 §6: nor may RSV1 be set on "non-first fragments of a data message".
      if (rsv1) return this.fail('WS_ERR_UNEXPECTED_RSV_1', 'on a continuation frame');
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      // §5.4: "the fragments of one message MUST NOT be interleaved between the fragments of
      // another message"; only control frames may come between them.
      if (this.messageOpcode !== 0) return this.fail('WS_ERR_EXPECTED_CONTINUATION');
      // §5.2: RSV1 needs a negotiated extension.
      if (rsv1 && !this.rsv1Allowed)
        return this.fail('WS_ERR_UNEXPECTED_RSV_1', 'no extension was negotiated');
    } else {
      // §5.2: opcodes 0x3-0x7 "are reserved for further non-control frames".
      return this.fail('WS_ERR_INVALID_OPCODE', `0x${opcode.toString(16)}`);
    }

    // §5.1: "The server MUST close the connection upon receiving a frame that is not masked"; "A
    // client MUST close a connection if it detects a masked frame."
    if (masked !== this.server)
      return this.fail(this.server ? 'WS_ERR_EXPECTED_MASK' : 'WS_ERR_UNEXPECTED_MASK');

    this.fin = fin;
    this.rsv1 = rsv1;
    this.opcode = opcode;
    this.masked = masked;
    if (length === 126) {
      this.state = GET_LENGTH_16;
      return undefined;
    }
    if (length === 127) {
      this.state = GET_LENGTH_64;
      return undefined;
    }
    return this.haveLength(length);
  }

  /** The payload length is known: enforce `maxFrameSize` before reading a byte of payload. */
  private haveLength(length: number): ParseFailure | undefined {
    // Cowboy's max_frame_size: every frame, and a fragmented message as a whole (→ 1009).
    const limit = this.opcode < 0x8 ? this.maxFrameSize - this.messageLength : this.maxFrameSize;
    if (length > limit || length > Number.MAX_SAFE_INTEGER) {
      return this.fail(
        'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
        this.messageLength > 0 && this.opcode < 0x8
          ? `${this.messageLength} + ${length} bytes > ${this.maxFrameSize}`
          : `${length} bytes > ${this.maxFrameSize}`,
      );
    }
    this.payloadLength = length;
    this.state = this.masked ? GET_MASK : GET_DATA;
    return undefined;
  }

  /**
   * Makes room for `n` payload bytes in the partial buffer, doubling it (never past the declared
   * length), so memory follows the bytes received. When the payload is complete the buffer is
   * exactly the payload's length.
   */
  private growPartial(n: number): Buffer {
    const partial = this.partial!;
    if (n <= partial.length) return partial;
    const grown = Buffer.allocUnsafe(Math.min(this.payloadLength, Math.max(n, 2 * partial.length)));
    partial.copy(grown, 0, 0, this.partialFilled);
    this.partial = grown;
    return grown;
  }

  /**
   * The common frame in one step: unfragmented (FIN, no RSV bits), masked, text or binary, a
   * 7- or 16-bit length within `maxFrameSize`, outside a fragmented message, whole in the first
   * chunk. Each such header obeys every rule `getInfo` checks, so this only recognises the kind
   * of frame; anything else, or a frame not whole here, goes the general way (which also reports
   * the errors). Server side only (clients' frames are masked).
   */
  private wholeFrame(): ParseResult | undefined {
    const chunk = this.head;
    const o = this.offset;
    const available = chunk.length - o;
    if (available < 6) return undefined;
    const b0 = chunk[o]!;
    const b1 = chunk[o + 1]!;
    if ((b0 !== 0x81 && b0 !== 0x82) || b1 < 0x80) return undefined;
    let length = b1 & 0x7f;
    let start = o + 6;
    if (length >= 126) {
      if (length === 127 || available < 8) return undefined;
      length = (chunk[o + 2]! << 8) | chunk[o + 3]!;
      if (length < 126) return undefined; // not the shortest form: the general way fails it
      start = o + 8;
    }
    const end = start + length;
    if (end > chunk.length || length > this.maxFrameSize) return undefined;
    const ascii = unmaskCheckAscii(chunk, start, end, keyAt(chunk, start - 4));
    this.buffered -= end - o;
    if (end === chunk.length) this.nextChunk();
    else this.offset = end;
    if (b0 === 0x82) return new Frame('binary', chunk, start, end, false, 0, false);
    // §5.6 / §8.1: text must be valid UTF-8 (→ 1007); ASCII is, without a look.
    if (!ascii && this.validateUtf8 && !isValidUtf8(chunk.subarray(start, end)))
      return this.fail('WS_ERR_INVALID_UTF8');
    return new Frame('text', chunk, start, end, false, 0, ascii);
  }

  /** The whole payload is buffered: unmask it and return a frame, a failure, or continue. */
  private getData(): ParseResult | undefined {
    let payload: Buffer;
    if (this.partial !== undefined) {
      payload = this.partial;
      this.partial = undefined;
      this.partialFilled = 0;
    } else {
      payload = this.payloadLength === 0 ? EMPTY : this.takePayload(this.payloadLength);
    }
    const ascii =
      this.masked && payload.length > 0 && unmaskCheckAscii(payload, 0, payload.length, this.maskKey);
    this.state = GET_INFO;
    const opcode = this.opcode;

    if (opcode >= 0x8) {
      if (opcode === Opcode.Close) {
        const close = parseClosePayload(payload, this.validateUtf8);
        if (close instanceof ProtocolError) return this.failWith(close);
        return makeFrame('close', close.reason, false, close.code);
      }
      return makeFrame(opcode === Opcode.Ping ? 'ping' : 'pong', payload, false, 0);
    }

    if (opcode !== Opcode.Continuation) {
      if (this.fin) {
        // An unfragmented message: the common case, no copy, one native UTF-8 check.
        // §5.6 / §8.1: a text message must be valid UTF-8 (→ 1007); compressed ones are checked
        // after inflating, by the deflate layer.
        const text = opcode === Opcode.Text;
        if (text && this.validateUtf8 && !this.rsv1 && !ascii && !isValidUtf8(payload)) {
          return this.fail('WS_ERR_INVALID_UTF8');
        }
        return makeFrame(text ? 'text' : 'binary', payload, this.rsv1, 0, text && ascii && !this.rsv1);
      }
      this.messageOpcode = opcode;
      this.messageRsv1 = this.rsv1;
      this.utf8?.reset();
    }

    const fragments = (this.fragments ??= []);
    // A fragment: check its UTF-8 now, so a bad message fails at its first bad fragment (§8.1).
    if (this.messageOpcode === Opcode.Text && this.validateUtf8 && !this.messageRsv1) {
      this.utf8 ??= new Utf8Validator();
      if (!this.utf8.write(payload)) {
        return this.fail('WS_ERR_INVALID_UTF8', `in fragment ${fragments.length + 1}`);
      }
      if (this.fin && !this.utf8.end())
        return this.fail('WS_ERR_INVALID_UTF8', 'the message ends inside a character');
    }
    if (payload.length > 0) {
      fragments.push(payload);
      this.messageLength += payload.length;
    }
    if (!this.fin) return undefined;

    const message =
      fragments.length === 0
        ? EMPTY
        : fragments.length === 1
          ? fragments[0]!
          : Buffer.concat(fragments, this.messageLength);
    const frame = makeFrame(
      this.messageOpcode === Opcode.Text ? 'text' : 'binary',
      message,
      this.messageRsv1,
      0,
    );
    this.resetMessage();
    return frame;
  }

  private resetMessage(): void {
    this.messageOpcode = 0;
    this.messageRsv1 = false;
    this.messageLength = 0;
    this.fragments = undefined;
    this.utf8?.reset();
  }

  /** The first chunk is read to its end: the next one (if any) takes its place. */
  private nextChunk(): void {
    const rest = this.rest;
    this.head = rest !== undefined && rest.length > 0 ? rest.shift()! : EMPTY;
    this.offset = 0;
  }

  /** Consumes `n` (≤ 8) header bytes; returns where they are: `source[this.at, this.at + n)`. */
  private take(n: number): Buffer {
    const chunk = this.head;
    const start = this.offset;
    if (chunk.length - start >= n) {
      this.at = start;
      this.buffered -= n;
      if (start + n === chunk.length) this.nextChunk();
      else this.offset = start + n;
      return chunk;
    }
    // Header bytes that span chunks are read at once by the caller: one buffer serves every parser.
    this.gather(SCRATCH, n);
    this.at = 0;
    return SCRATCH;
  }

  /** Consumes `n` payload bytes: a view when they lie in one chunk, else one copy. */
  private takePayload(n: number): Buffer {
    const chunk = this.head;
    const start = this.offset;
    const available = chunk.length - start;
    if (available > n) {
      this.offset = start + n;
      this.buffered -= n;
      return chunk.subarray(start, start + n);
    }
    if (available === n) {
      this.nextChunk();
      this.buffered -= n;
      return start === 0 ? chunk : chunk.subarray(start);
    }
    const payload = Buffer.allocUnsafe(n);
    this.gather(payload, n);
    return payload;
  }

  /** Copies the next `n` buffered bytes into `target` and consumes them. */
  private gather(target: Buffer, n: number): void {
    let written = 0;
    while (written < n) {
      const chunk = this.head;
      const count = Math.min(chunk.length - this.offset, n - written);
      chunk.copy(target, written, this.offset, this.offset + count);
      written += count;
      this.offset += count;
      if (this.offset === chunk.length) this.nextChunk();
    }
    this.buffered -= n;
  }

  private fail(code: ProtocolErrorCode, detail?: string): ParseFailure {
    return this.failWith(protocolError(code, detail));
  }

  /** Enters the terminal state: keeps the error, drops every buffer. */
  private failWith(error: ProtocolError): ParseFailure {
    const failure: ParseFailure = { kind: 'error', error };
    this.failure = failure;
    this.state = FAILED;
    this.head = EMPTY;
    this.rest = undefined;
    this.offset = 0;
    this.buffered = 0;
    this.partial = undefined;
    this.partialFilled = 0;
    this.fragments = undefined;
    return failure;
  }
}

function checkLimit(maxFrameSize: number): number {
  if (!(maxFrameSize >= 0)) throw new RangeError(`maxFrameSize must be a number >= 0, got ${maxFrameSize}`);
  // No Buffer holds more than MAX_LENGTH bytes: a larger frame or message is too big (1009) even
  // with no limit (`Infinity`), instead of a RangeError thrown by the allocation of its payload.
  return Math.min(maxFrameSize, MAX_LENGTH);
}

/**
 * The tuple a handler receives for a data message or ping/pong (DESIGN.md `InFrame`): text is
 * decoded as UTF-8. Throws a `TypeError` for close frames (they end the connection instead) and
 * for RSV1 (compressed) messages, which must be inflated first.
 */
export function toInFrame(frame: ParsedFrame): InFrame {
  if (frame.rsv1) throw new TypeError('A compressed (RSV1) message must be inflated before it is handled');
  switch (frame.type) {
    case 'text':
      return ['text', frameText(frame)];
    case 'binary':
      return ['binary', frame.payload];
    case 'ping':
      return ['ping', frame.payload];
    case 'pong':
      return ['pong', frame.payload];
    default:
      throw new TypeError('A close frame has no InFrame: it ends the connection');
  }
}
