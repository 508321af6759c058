/**
 * UTF-8 text to and from bytes, shaped for the small messages a WebSocket mostly carries: ASCII
 * strings are measured and written by a JavaScript loop (for a few dozen characters, cheaper
 * than a call into Node's C++ encoder), everything else by Node's encoder.
 *
 * @example
 * ```ts
 * import { utf8Length, writeUtf8 } from './text.js'; // internal to the codec, not exported
 *
 * const out = Buffer.alloc(16);
 * const n = writeUtf8(out, 0, 'héllo'); // 6 bytes: 68 c3 a9 6c 6c 6f
 * utf8Length('héllo'); // 6
 * ```
 *
 * @module
 */

import { Buffer } from 'node:buffer';

/** Strings up to this many UTF-16 units are scanned for ASCII in JavaScript first. */
export const ASCII_SCAN_MAX = 256;

/** Node's Buffer has these; its typings do not list them (no argument checks, no encoding lookup). */
type FastText = Buffer & {
  utf8Write(s: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
};

/** Bytes of `text` in UTF-8 (lone surrogates count as U+FFFD, 3 bytes, as Node encodes them). */
export function utf8Length(text: string): number {
  const n = text.length;
  if (n <= ASCII_SCAN_MAX) {
    let i = 0;
    while (i < n && text.charCodeAt(i) < 0x80) i++;
    if (i === n) return n;
  }
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Writes `text` as UTF-8 at `target[at]` and returns the number of bytes written. The caller
 * makes room: at least `utf8Length(text)` bytes (or 3 per UTF-16 unit).
 */
export function writeUtf8(target: Buffer, at: number, text: string): number {
  const n = text.length;
  if (n <= ASCII_SCAN_MAX) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      target[at + i] = c;
    }
    if (i === n) return n;
  }
  return (target as FastText).utf8Write(text, at, target.length - at);
}

/**
 * Decodes `source[start, end)` as UTF-8, without making a view of it. `ascii`: the bytes are
 * known to be ASCII, so each byte is one character (the cheaper decoder).
 */
export function decodeUtf8(source: Buffer, start: number, end: number, ascii: boolean): string {
  return ascii ? (source as FastText).latin1Slice(start, end) : (source as FastText).utf8Slice(start, end);
}
