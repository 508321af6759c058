/**
 * A connection's output queue (`src/connection/output-queue.ts`): a reply's text or binary frame
 * is encoded exactly as the codec's serialiser encodes it (minimal length form, RFC 6455 §5.2)
 * into a slab shared by all connections, large binaries by reference; each queue's bytes stay
 * in order and apart when several queues write in turn; anything but a data frame is left to the
 * general path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { COPY_THRESHOLD, encodeFrame } from '../../src/codec/frame-serializer.js';
import { Opcode, type OutFrame } from '../../src/codec/opcodes.js';
import { OutputQueue, SLAB_SIZE } from '../../src/connection/output-queue.js';
import { closeAll, recording, testEnv } from './fixture.js';

afterEach(closeAll);

function write(frame: OutFrame): { handled: boolean; bufs: Buffer[] } {
  const q = new OutputQueue();
  const handled = q.queueDataFrame(frame);
  return { handled, bufs: q.takeOutput() ?? [] };
}

// Around each length form's edges: 7-bit up to 125, 16-bit up to 65535, 64-bit beyond.
const SIZES = [0, 1, 63, 64, 125, 126, 1023, 1024, 65535, 65536, 70000];

describe('OutputQueue.queueDataFrame', () => {
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
    if (n < COPY_THRESHOLD) expect(bufs).toHaveLength(1);
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

describe('OutputQueue: queues sharing the slab', () => {
  it("keeps each queue's frames in order and apart when queues write in turn", () => {
    const a = new OutputQueue();
    const b = new OutputQueue();
    a.queueDataFrame(['text', 'a1']);
    b.queueDataFrame(['text', 'b1']);
    a.queueDataFrame(['text', 'a2']);
    a.queueDataFrame(['binary', Buffer.from([1, 2])]);
    b.queueDataFrame(['text', 'b2']);
    expect(a.outBytes).toBe(4 + 4 + 4);
    const outA = a.takeOutput()!;
    const outB = b.takeOutput()!;
    expect(Buffer.concat(outA).toString('hex')).toBe('81026131' + '81026132' + '82020102');
    expect(Buffer.concat(outB).toString('hex')).toBe('81026231' + '81026232');
    // Consecutive frames of one queue share one buffer: a1 | a2 + binary.
    expect(outA).toHaveLength(2);
    expect(a.takeOutput()).toBeUndefined();
    expect(a.outBytes).toBe(0);
  });

  it('never writes over bytes already taken (they may still sit in a socket)', () => {
    const a = new OutputQueue();
    a.queueDataFrame(['text', 'first']);
    const [taken] = a.takeOutput()!;
    const copy = Buffer.from(taken!);
    // Enough traffic to fill and replace the slab several times over.
    const b = new OutputQueue();
    for (let i = 0; i < 5000; i++) {
      b.queueDataFrame(['binary', Buffer.alloc(100, i & 0xff)]);
      if (i % 7 === 0) b.takeOutput();
    }
    expect(taken).toEqual(copy);
  });

  it.each([0, 1, 2, 3, 4, 5, 9, 10, 11])(
    'encodes a frame right when the slab has %i bytes left (headers of by-reference payloads too)',
    (left) => {
      const q = new OutputQueue();
      // A text frame of exactly SLAB_SIZE - left bytes (4-byte header) starts a fresh slab and
      // leaves `left` bytes in it.
      const filler = 'x'.repeat(SLAB_SIZE - left - 4);
      const big = Buffer.alloc(COPY_THRESHOLD, 0xee);
      q.queueDataFrame(['text', filler]);
      q.queueDataFrame(['binary', big]);
      q.queueDataFrame(['text', 'tail']);
      const filler2 = 'y'.repeat(SLAB_SIZE - left - 4);
      q.queueDataFrame(['text', filler2]);
      q.queueDataFrame(['text', 'after the end']);
      const expected = Buffer.concat([
        encodeFrame(Opcode.Text, filler),
        encodeFrame(Opcode.Binary, big),
        encodeFrame(Opcode.Text, 'tail'),
        encodeFrame(Opcode.Text, filler2),
        encodeFrame(Opcode.Text, 'after the end'),
      ]);
      // equals(), not toEqual: a deep comparison of 128 KiB is slow.
      expect(Buffer.concat(q.takeOutput()!).equals(expected)).toBe(true);
    },
  );

  it('queues frames larger than the slab whole and in order', () => {
    const q = new OutputQueue();
    const big = 'x'.repeat(200_000);
    q.queueDataFrame(['text', 'before']);
    q.queueDataFrame(['text', big]);
    q.queueDataFrame(['text', 'after']);
    expect(Buffer.concat(q.takeOutput()!)).toEqual(
      Buffer.concat([
        encodeFrame(Opcode.Text, 'before'),
        encodeFrame(Opcode.Text, big),
        encodeFrame(Opcode.Text, 'after'),
      ]),
    );
  });

  it('calls queued() once when the queue goes from empty to not empty', () => {
    let calls = 0;
    class Counting extends OutputQueue {
      protected override queued(): void {
        calls++;
      }
    }
    const q = new Counting();
    q.queueDataFrame(['text', 'a']);
    q.queueBuffer(Buffer.from([0x89, 0x00]));
    q.queueDataFrame(['binary', Buffer.alloc(COPY_THRESHOLD)]);
    expect(calls).toBe(1);
    q.takeOutput();
    q.queueBuffer(Buffer.from([0x89, 0x00]));
    expect(calls).toBe(2);
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
