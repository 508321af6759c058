/**
 * A reference decoder for the fuzz tests: RFC 6455 §5 written the plainest way, over one whole
 * buffer, with no state carried between calls, no chunking, no views, no DFA — `BigInt` for the
 * 64-bit length and WHATWG's fatal `TextDecoder` for UTF-8. The incremental `FrameParser` must
 * agree with it on every input, however the input is split.
 *
 * It checks each rule as soon as the bytes that decide it are there, in the order they arrive
 * (first two bytes, extended length, size limit, payload), which is when the incremental parser
 * can check them too: both then report the same error for the same bytes.
 */
import { constants } from 'node:buffer';
import type { FrameParserOptions } from '../../src/codec/frame-parser.js';
import type { FrameType } from '../../src/codec/opcodes.js';
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from '../../src/codec/protocol-error.js';

/** One step of a decoding, as plain data (payloads as hex, to compare with `toEqual`). */
export type Step =
  | { kind: 'frame'; type: FrameType; payload: string; rsv1: boolean; closeCode: number }
  | { kind: 'error'; code: ProtocolErrorCode; closeCode: number }
  | { kind: 'more' };

/** The whole input decoded: frames, then an error or `more` (the input ended, in a frame or between frames). */
export function referenceDecode(input: Uint8Array, options: Required<FrameParserOptions>): Step[] {
  const bytes = Buffer.from(input); // a copy: payloads are unmasked in place
  const server = options.role === 'server';
  // A Buffer holds at most MAX_LENGTH bytes, whatever the limit says.
  const limit = BigInt(Math.min(options.maxFrameSize, constants.MAX_LENGTH));
  const steps: Step[] = [];
  const fail = (code: ProtocolErrorCode): Step[] => {
    steps.push({ kind: 'error', code, closeCode: PROTOCOL_ERRORS[code].closeCode });
    return steps;
  };
  const more = (): Step[] => {
    steps.push({ kind: 'more' });
    return steps;
  };
  // The data message in progress: its opcode (0: none), RSV1 and fragments so far.
  let messageOpcode = 0;
  let messageRsv1 = false;
  let fragments: Buffer[] = [];
  let at = 0;

  while (true) {
    if (bytes.length - at < 2) return more();
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    at += 2;
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const short = b1 & 0x7f;
    const control = opcode >= 8;

    // §5.2 RSV2/RSV3 need an extension; no extension defines them.
    if ((b0 & 0x30) !== 0) return fail('WS_ERR_UNEXPECTED_RSV_2_3');
    if (control) {
      if (opcode > 0xa) return fail('WS_ERR_INVALID_OPCODE'); // §5.2 0xB-0xF reserved
      if (!fin) return fail('WS_ERR_FRAGMENTED_CONTROL'); // §5.5
      if (rsv1) return fail('WS_ERR_UNEXPECTED_RSV_1'); // RFC 7692 §6
      if (short > 125) return fail('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'); // §5.5
      if (opcode === 0x8 && short === 1) return fail('WS_ERR_INVALID_CLOSE_PAYLOAD'); // §5.5.1
    } else if (opcode === 0x0) {
      if (messageOpcode === 0) return fail('WS_ERR_UNEXPECTED_CONTINUATION'); // §5.4
      if (rsv1) return fail('WS_ERR_UNEXPECTED_RSV_1'); // RFC 7692 §6: first frame only
    } else if (opcode === 0x1 || opcode === 0x2) {
      if (messageOpcode !== 0) return fail('WS_ERR_EXPECTED_CONTINUATION'); // §5.4 no interleaving
      if (rsv1 && !options.rsv1Allowed) return fail('WS_ERR_UNEXPECTED_RSV_1'); // §5.2
    } else {
      return fail('WS_ERR_INVALID_OPCODE'); // §5.2 0x3-0x7 reserved
    }
    // §5.1: clients mask, servers do not.
    if (masked !== server) return fail(server ? 'WS_ERR_EXPECTED_MASK' : 'WS_ERR_UNEXPECTED_MASK');

    let length: bigint;
    if (short === 126) {
      if (bytes.length - at < 2) return more();
      length = BigInt(bytes.readUInt16BE(at));
      at += 2;
      if (length < 126n) return fail('WS_ERR_NON_MINIMAL_LENGTH'); // §5.2 minimal encoding
    } else if (short === 127) {
      if (bytes.length - at < 8) return more();
      length = bytes.readBigUInt64BE(at);
      at += 8;
      if (length >= 1n << 63n) return fail('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'); // §5.2 MSB 0
      if (length < 65536n) return fail('WS_ERR_NON_MINIMAL_LENGTH');
    } else {
      length = BigInt(short);
    }
    // Cowboy's max_frame_size: each frame, and a data message as a whole.
    const sofar = control ? 0n : BigInt(fragments.reduce((n, f) => n + f.length, 0));
    if (length + sofar > limit) return fail('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');

    let key: Buffer | undefined;
    if (masked) {
      if (bytes.length - at < 4) return more();
      key = bytes.subarray(at, at + 4);
      at += 4;
    }
    const n = Number(length);
    if (bytes.length - at < n) return more();
    const payload = Buffer.from(bytes.subarray(at, at + n));
    at += n;
    if (key !== undefined) for (let i = 0; i < n; i++) payload[i]! ^= key[i % 4]!;

    if (control) {
      if (opcode === 0x8) {
        if (n === 0) {
          steps.push(frame('close', payload, false, 1005));
          continue;
        }
        const code = payload.readUInt16BE(0);
        if (!closeCodeMaySend(code)) return fail('WS_ERR_INVALID_CLOSE_CODE'); // §7.4
        const reason = payload.subarray(2);
        if (options.validateUtf8 && !isUtf8(reason, false)) return fail('WS_ERR_INVALID_UTF8'); // §5.5.1
        steps.push(frame('close', reason, false, code));
      } else {
        steps.push(frame(opcode === 0x9 ? 'ping' : 'pong', payload, false, 0));
      }
      continue;
    }
    if (opcode !== 0x0) {
      messageOpcode = opcode;
      messageRsv1 = rsv1;
      fragments = [];
    }
    fragments.push(payload);
    const text = messageOpcode === 0x1 && options.validateUtf8 && !messageRsv1;
    // §8.1: a text message fails at the first fragment that cannot begin valid UTF-8.
    if (text && !isUtf8(Buffer.concat(fragments), !fin)) return fail('WS_ERR_INVALID_UTF8');
    if (!fin) continue;
    steps.push(frame(messageOpcode === 0x1 ? 'text' : 'binary', Buffer.concat(fragments), messageRsv1, 0));
    messageOpcode = 0;
    messageRsv1 = false;
    fragments = [];
  }
}

function frame(type: FrameType, payload: Buffer, rsv1: boolean, closeCode: number): Step {
  return { kind: 'frame', type, payload: payload.toString('hex'), rsv1, closeCode };
}

/** RFC 6455 §7.4.1-2 and the IANA registry: 1000-1003, 1007-1014, 3000-4999. */
function closeCodeMaySend(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Valid UTF-8, or with `prefix`, bytes that valid UTF-8 may begin with (a sequence may be left open). */
function isUtf8(bytes: Uint8Array, prefix: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: prefix });
    return true;
  } catch {
    return false;
  }
}
