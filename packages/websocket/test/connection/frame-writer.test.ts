/**
 * The single data-frame fast path (`src/connection/frame-writer.ts`): a reply of one text or
 * binary frame is encoded exactly as the codec's serialiser encodes it (minimal length form,
 * RFC 6455 §5.2), large binaries by reference; anything else is left to the general path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { COPY_THRESHOLD, encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode, type OutFrame } from '../../src/codec/opcodes.js';
import { writeDataFrame } from '../../src/connection/frame-writer.js';
import { closeAll, recording, testEnv } from './fixture.js';

afterEach(closeAll);

function write(frame: OutFrame): { handled: boolean; bufs: Buffer[] } {
  const bufs: Buffer[] = [];
  const handled = writeDataFrame(frame, { queueRaw: (b) => bufs.push(b) });
  return { handled, bufs };
}

// Around each length form's edges: 7-bit up to 125, 16-bit up to 65535, 64-bit beyond.
const SIZES = [0, 1, 63, 64, 125, 126, 1023, 1024, 65535, 65536, 70000];

describe('writeDataFrame', () => {
  it.each(SIZES)('encodes a text reply of %i ASCII bytes as the serialiser does', (n) => {
    const text = 'a'.repeat(n);
    const { handled, bufs } = write(['text', text]);
    expect(handled).toBe(true);
    expect(Buffer.concat(bufs)).toEqual(encodeFrame(Opcode.Text, text));
  });

  it.each([1, 21, 22, 42, 43, 40000])(
    'encodes a text reply of %i three-byte characters by its UTF-8 length',
    (n) => {
      const text = '€'.repeat(n);
      const { bufs } = write(['text', text]);
      expect(Buffer.concat(bufs)).toEqual(encodeFrame(Opcode.Text, text));
    },
  );

  it.each(SIZES)('encodes a binary reply of %i bytes as the serialiser does', (n) => {
    const payload = Buffer.alloc(n, 0x5a);
    const { handled, bufs } = write(['binary', payload]);
    expect(handled).toBe(true);
    expect(Buffer.concat(bufs)).toEqual(encodeFrame(Opcode.Binary, payload));
    // From COPY_THRESHOLD on, the payload is queued by reference after its header.
    expect(bufs.length === 2 && bufs[1] === payload).toBe(n >= COPY_THRESHOLD);
  });

  it('queues a Uint8Array view by reference without its neighbours', () => {
    const backing = new Uint8Array(4096).map((_, i) => i & 0xff);
    const view = backing.subarray(100, 100 + COPY_THRESHOLD);
    const { bufs } = write(['binary', view]);
    expect(bufs[1]?.buffer).toBe(backing.buffer);
    expect(Buffer.concat(bufs)).toEqual(encodeFrame(Opcode.Binary, view));
  });

  it('leaves control frames and bad payloads to the general path', () => {
    for (const frame of [
      'ping',
      'pong',
      'close',
      ['ping', 'x'],
      ['pong', 'x'],
      ['close', 1000],
    ] as OutFrame[])
      expect(write(frame)).toEqual({ handled: false, bufs: [] });
    expect(write(['text', 42] as never)).toEqual({ handled: false, bufs: [] });
  });
});

describe('single-frame replies on the wire', () => {
  it('arrive intact at every length form, text and binary', async () => {
    const t = testEnv();
    const rec = recording<null>({
      websocketHandle: (frame, s) => {
        const n = Number(frame[1]);
        return ['reply', n % 2 === 0 ? ['text', 'é'.repeat(n)] : ['binary', Buffer.alloc(n, 1)], s];
      },
    });
    const server = await t.listen({ handler: rec.handler, state: null });
    const c = await t.connect(server);
    const sizes = [0, 1, 62, 63, 64, 125, 126, 32768, 65535, 65536, 100001];
    for (const n of sizes) c.text(String(n));
    const frames = await c.take(sizes.length);
    expect(frames).toEqual(
      sizes.map((n) => (n % 2 === 0 ? ['text', 'é'.repeat(n)] : ['binary', Buffer.alloc(n, 1)])),
    );
  });
});
