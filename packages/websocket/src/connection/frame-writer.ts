import { Buffer } from 'node:buffer';
import { COPY_THRESHOLD } from '../codec/frame-serializer.js';
import type { OutFrame } from '../codec/opcodes.js';

/**
 * The hot path of a reply: one unmasked text or binary frame, encoded straight into one
 * buffer (header and payload), or header plus the caller's bytes for large binaries. Returns
 * false for anything else, which goes through the general `encodeOutFrames`.
 */
/** Node's Buffer has `utf8Write(string, offset, length)`; its typings do not list it. */
type Utf8Writable = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/** Where encoded bytes go (the connection's output queue). */
export interface RawSink {
  queueRaw(buf: Buffer): void;
}

export function writeDataFrame(frame: OutFrame, out: RawSink): boolean {
  if (typeof frame !== 'object') return false;
  const type = frame[0];
  const payload = frame[1];
  let opcode: number;
  if (type === 'text') opcode = 0x81;
  else if (type === 'binary') opcode = 0x82;
  else return false;
  if (typeof payload === 'string') {
    const n = payload.length < 64 && isAscii(payload) ? payload.length : Buffer.byteLength(payload);
    const h = headerLength(n);
    const buf = Buffer.allocUnsafe(h + n);
    writeHeader(buf, opcode, n);
    (buf as Utf8Writable).utf8Write(payload, h, n); // Buffer's own encoder, without write()'s argument checks
    out.queueRaw(buf);
    return true;
  }
  if (!(payload instanceof Uint8Array)) return false;
  const n = payload.length;
  const h = headerLength(n);
  if (n >= COPY_THRESHOLD) {
    const header = Buffer.allocUnsafe(h);
    writeHeader(header, opcode, n);
    out.queueRaw(header);
    out.queueRaw(Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, n));
    return true;
  }
  const buf = Buffer.allocUnsafe(h + n);
  writeHeader(buf, opcode, n);
  buf.set(payload, h);
  out.queueRaw(buf);
  return true;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** RFC 6455 §5.2: the shortest length encoding. */
function headerLength(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

function writeHeader(buf: Buffer, b0: number, n: number): void {
  buf[0] = b0;
  if (n < 126) buf[1] = n;
  else if (n < 65536) {
    buf[1] = 126;
    buf.writeUInt16BE(n, 2);
  } else {
    buf[1] = 127;
    buf.writeUInt32BE(Math.floor(n / 0x100000000), 2);
    buf.writeUInt32BE(n >>> 0, 6);
  }
}
