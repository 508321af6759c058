/**
 * The pure RFC 6455 codec: frame parsing and serialisation, masking, close codes, UTF-8
 * validation and protocol errors. No sockets, timers or processes (as cowlib's `cow_ws`).
 *
 * @module
 */

export {
  buildClosePayload,
  CloseCode,
  type ClosePayload,
  isValidCloseCode,
  MAX_CLOSE_REASON_BYTES,
  parseClosePayload,
} from './close-codes.js';
export {
  DEFAULT_MAX_FRAME_SIZE,
  FrameParser,
  type FrameParserOptions,
  type ParsedFrame,
  type ParseFailure,
  type ParseMore,
  type ParseResult,
  toInFrame,
} from './frame-parser.js';
export {
  COPY_THRESHOLD,
  EMPTY_CLOSE_FRAME,
  EMPTY_PING_FRAME,
  EMPTY_PONG_FRAME,
  type EncodeOptions,
  type EncodeOutFramesOptions,
  encodeCloseFrame,
  encodeFrame,
  encodeFrameHeader,
  encodeFrameParts,
  encodeOutFrame,
  encodeOutFrames,
  frameHeaderLength,
  MAX_CONTROL_PAYLOAD,
} from './frame-serializer.js';
export { mask, unmask, WORD_LOOP_THRESHOLD } from './mask.js';
export {
  type ControlOpcode,
  type DataOpcode,
  type FrameType,
  type InBinaryFrame,
  type InFrame,
  type InPingFrame,
  type InPongFrame,
  type InTextFrame,
  isControlOpcode,
  isKnownOpcode,
  OPCODE_OF,
  Opcode,
  type OutFrame,
  type OutPayload,
} from './opcodes.js';
export {
  PROTOCOL_ERRORS,
  ProtocolError,
  type ProtocolErrorCloseCode,
  type ProtocolErrorCode,
  type ProtocolErrorInfo,
  type ProtocolErrorReason,
  protocolError,
} from './protocol-error.js';
export { isValidUtf8, Utf8Validator } from './utf8-validator.js';
