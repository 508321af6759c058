/**
 * Frame opcodes (RFC 6455 §5.2, §11.8) and the frame tuples a handler receives and returns.
 *
 * The tuples are the `cowboy_websocket` frame terms written as TypeScript tuples: a handler gets
 * an {@link InFrame} for every message and returns {@link OutFrame}s to send.
 *
 * @example
 * ```ts
 * import { Opcode, isControlOpcode, type InFrame, type OutFrame } from '@corral/websocket';
 *
 * const echo = (frame: InFrame): OutFrame => frame;
 * const bye: OutFrame = ['close', 1000, 'bye'];
 * isControlOpcode(Opcode.Ping); // true
 * ```
 *
 * @module
 */

/** The opcodes RFC 6455 §5.2 defines. Every other value (0x3-0x7, 0xB-0xF) is reserved. */
export const Opcode = {
  /** `%x0` continuation of a fragmented message (§5.4). */
  Continuation: 0x0,
  /** `%x1` text message: UTF-8 (§5.6). */
  Text: 0x1,
  /** `%x2` binary message (§5.6). */
  Binary: 0x2,
  /** `%x8` close (§5.5.1). */
  Close: 0x8,
  /** `%x9` ping (§5.5.2). */
  Ping: 0x9,
  /** `%xA` pong (§5.5.3). */
  Pong: 0xa,
} as const;

/** One of the opcodes RFC 6455 defines. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Opcodes of data frames that may start a message. */
export type DataOpcode = typeof Opcode.Text | typeof Opcode.Binary;

/** Opcodes of control frames. */
export type ControlOpcode = typeof Opcode.Close | typeof Opcode.Ping | typeof Opcode.Pong;

/**
 * Whether `opcode` is a control opcode: "Control frames are identified by opcodes where the most
 * significant bit of the opcode is 1" (RFC 6455 §5.5). Reserved control opcodes 0xB-0xF count too.
 */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Whether `opcode` is one RFC 6455 §5.2 defines (not reserved for further frames). */
export function isKnownOpcode(opcode: number): opcode is Opcode {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}

/** The name of each message type as it appears in frame tuples. */
export type FrameType = 'text' | 'binary' | 'close' | 'ping' | 'pong';

/** A frame type's opcode. */
export const OPCODE_OF: { readonly [T in FrameType]: Opcode } = {
  text: Opcode.Text,
  binary: Opcode.Binary,
  close: Opcode.Close,
  ping: Opcode.Ping,
  pong: Opcode.Pong,
};

/** A text message received: already assembled from its fragments and checked to be UTF-8. */
export type InTextFrame = ['text', string];
/** A binary message received, assembled from its fragments. */
export type InBinaryFrame = ['binary', Buffer];
/** A ping received (its payload, possibly empty). The connection answers it with a pong. */
export type InPingFrame = ['ping', Buffer];
/** A pong received. */
export type InPongFrame = ['pong', Buffer];

/**
 * A frame as `websocketHandle(frame, state)` receives it (DESIGN.md). Close frames do not reach
 * the handler: they end the connection with reason `['remote', code, payload]`.
 */
export type InFrame = InTextFrame | InBinaryFrame | InPingFrame | InPongFrame;

/** Payload accepted for an outgoing frame: strings are sent as UTF-8. */
export type OutPayload = string | Uint8Array;

/**
 * A frame as a handler returns it (DESIGN.md): any {@link InFrame} (so echoing works), the bare
 * control frames `'ping' | 'pong' | 'close'` (empty payload), or tuples whose payload may be a
 * string or bytes. `['close']` is a close without status code; `['close', code]` and
 * `['close', code, reason]` carry a status code (RFC 6455 §5.5.1) and a UTF-8 reason of at most
 * 123 bytes.
 */
export type OutFrame =
  | InFrame
  | 'ping'
  | 'pong'
  | 'close'
  | readonly ['text', OutPayload]
  | readonly ['binary', OutPayload]
  | readonly ['ping', OutPayload]
  | readonly ['pong', OutPayload]
  | readonly ['close']
  | readonly ['close', number]
  | readonly ['close', number, OutPayload];
