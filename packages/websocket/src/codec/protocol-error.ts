/**
 * Protocol errors of the codec: each has a stable code string (as `ws` has), the close status
 * code the connection sends for it (RFC 6455 §7.4.1) and Cowboy's error atom (the `X` of the
 * terminate reason `['error', X]`). All of them are listed in {@link PROTOCOL_ERRORS}, which the
 * docs render as a table.
 *
 * @example
 * ```ts
 * import { protocolError } from '@corral/websocket';
 *
 * const error = protocolError('WS_ERR_INVALID_OPCODE', 'opcode 0x3 is reserved');
 * error.closeCode; // 1002
 * error.reason; // 'badframe'
 * ```
 *
 * @module
 */

/** Cowboy's names for the three kinds of bad input (`cowboy_websocket` terminate reasons). */
export type ProtocolErrorReason = 'badframe' | 'badencoding' | 'badsize';

/** The close codes a protocol error closes with (RFC 6455 §7.4.1). */
export type ProtocolErrorCloseCode = 1002 | 1007 | 1009;

/** What the table says about one error code. */
export interface ProtocolErrorInfo {
  /** The status code of the Close frame sent for it. */
  readonly closeCode: ProtocolErrorCloseCode;
  /** Cowboy's reason atom. */
  readonly reason: ProtocolErrorReason;
  /** The rule broken, in words. */
  readonly message: string;
  /** The section of the RFC that states the rule. */
  readonly rule: string;
}

/**
 * Every protocol error the codec reports, by stable code. Codes never change meaning; new ones may
 * be added.
 */
export const PROTOCOL_ERRORS = {
  WS_ERR_UNEXPECTED_RSV_1: {
    closeCode: 1002,
    reason: 'badframe',
    message:
      'RSV1 must be clear unless an extension gives it a meaning, and then only on the first frame of a data message',
    rule: 'RFC 6455 §5.2; RFC 7692 §6',
  },
  WS_ERR_UNEXPECTED_RSV_2_3: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'RSV2 and RSV3 must be clear',
    rule: 'RFC 6455 §5.2',
  },
  WS_ERR_INVALID_OPCODE: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'opcodes 0x3-0x7 and 0xB-0xF are reserved',
    rule: 'RFC 6455 §5.2',
  },
  WS_ERR_EXPECTED_MASK: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'frames from a client must be masked',
    rule: 'RFC 6455 §5.1',
  },
  WS_ERR_UNEXPECTED_MASK: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'frames from a server must not be masked',
    rule: 'RFC 6455 §5.1',
  },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'control frames must have a payload of 125 bytes or less',
    rule: 'RFC 6455 §5.5',
  },
  WS_ERR_FRAGMENTED_CONTROL: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'control frames must not be fragmented (FIN must be set)',
    rule: 'RFC 6455 §5.5',
  },
  WS_ERR_UNEXPECTED_CONTINUATION: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'a continuation frame arrived with no fragmented message in progress',
    rule: 'RFC 6455 §5.4',
  },
  WS_ERR_EXPECTED_CONTINUATION: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'a new data frame arrived while a fragmented message was in progress',
    rule: 'RFC 6455 §5.4',
  },
  WS_ERR_NON_MINIMAL_LENGTH: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'the payload length must be encoded in the minimal number of bytes',
    rule: 'RFC 6455 §5.2',
  },
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'the most significant bit of a 64-bit payload length must be 0',
    rule: 'RFC 6455 §5.2',
  },
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: {
    closeCode: 1009,
    reason: 'badsize',
    message: 'the frame or message is larger than maxFrameSize',
    rule: 'RFC 6455 §7.4.1 (1009)',
  },
  WS_ERR_INVALID_UTF8: {
    closeCode: 1007,
    reason: 'badencoding',
    message: 'text messages and close reasons must be valid UTF-8',
    rule: 'RFC 6455 §5.6, §8.1',
  },
  WS_ERR_INVALID_COMPRESSED_DATA: {
    closeCode: 1007,
    reason: 'badencoding',
    message: 'a compressed message is not valid DEFLATE data',
    rule: 'RFC 7692 §7.2.2',
  },
  WS_ERR_INVALID_CLOSE_PAYLOAD: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'a close payload must be empty or start with a 2-byte status code',
    rule: 'RFC 6455 §5.5.1',
  },
  WS_ERR_INVALID_CLOSE_CODE: {
    closeCode: 1002,
    reason: 'badframe',
    message: 'the close status code is not one a peer may send',
    rule: 'RFC 6455 §7.4',
  },
} as const satisfies Record<string, ProtocolErrorInfo>;

/** The stable code of a protocol error, e.g. `'WS_ERR_INVALID_OPCODE'`. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

/**
 * A violation of the WebSocket protocol by the peer. Made only by {@link protocolError}.
 * Never thrown by the codec: the parser returns it as `{ kind: 'error', error }`.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** Stable code, e.g. `'WS_ERR_INVALID_UTF8'`. */
  readonly code: ProtocolErrorCode;
  /** Status code of the Close frame to send (1002, 1007 or 1009). */
  readonly closeCode: ProtocolErrorCloseCode;
  /** Cowboy's reason atom, for the terminate reason `['error', reason]`. */
  readonly reason: ProtocolErrorReason;

  /** @internal Use {@link protocolError}. */
  constructor(code: ProtocolErrorCode, detail?: string) {
    const info: ProtocolErrorInfo = PROTOCOL_ERRORS[code];
    super(detail === undefined ? info.message : `${info.message}: ${detail}`);
    this.code = code;
    this.closeCode = info.closeCode;
    this.reason = info.reason;
  }
}

/**
 * Makes the protocol error for `code`, with an optional detail appended to its message
 * (`'control frames must have a payload of 125 bytes or less: got 126'`).
 */
export function protocolError(code: ProtocolErrorCode, detail?: string): ProtocolError {
  return new ProtocolError(code, detail);
}
