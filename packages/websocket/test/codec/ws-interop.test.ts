/**
 * Interoperability with `ws` (a devDependency, used here as a peer): our frames parse in its
 * Receiver, its Sender's frames parse in ours, and both reject bad input with the same codes.
 */

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encodeCloseFrame, encodeFrame, encodeOutFrames } from '../../src/codec/frame-serializer.js';
import { Opcode, type OutFrame } from '../../src/codec/opcodes.js';
import { frame, hex, type Outcome, parse } from './hex.js';

// @types/ws does not declare Receiver and Sender; this is the part of them used here.
interface WsReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): void;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): void;
  on(event: 'error', listener: (error: Error & { code: string }) => void): void;
  write(chunk: Buffer): void;
}
interface WsFrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
  maskBuffer?: Buffer;
  generateMask?: (mask: Buffer) => void;
}
const ws = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload?: number }) => WsReceiver;
  Sender: { frame(data: Buffer | string, options: WsFrameOptions): Buffer[] };
};

/** Parses `bytes` with ws's Receiver; outcomes in the same shape as ours. */
async function wsParse(bytes: Buffer, isServer: boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const receiver = new ws.Receiver({ isServer, maxPayload: 0 });
  receiver.on('message', (data, isBinary) => {
    outcomes.push(frame(isBinary ? 'binary' : 'text', Buffer.from(data)));
  });
  receiver.on('ping', (data) => {
    outcomes.push(frame('ping', Buffer.from(data)));
  });
  receiver.on('pong', (data) => {
    outcomes.push(frame('pong', Buffer.from(data)));
  });
  receiver.on('conclude', (code, reason) => {
    outcomes.push(frame('close', Buffer.from(reason), { closeCode: code }));
  });
  receiver.on('error', (error) => {
    const status = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code');
    const closeCode = status === undefined ? 0 : ((error as unknown as Record<symbol, number>)[status] ?? 0);
    outcomes.push({ error: error.code as never, closeCode, reason: '' });
  });
  receiver.write(Buffer.from(bytes));
  await new Promise((resolve) => setImmediate(resolve));
  return outcomes;
}

const payloadOf = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 11) & 0xff));

describe('interop with ws', () => {
  const replies: [OutFrame[], Outcome[]] = [
    [
      ['text', 'Hello'],
      ['binary', payloadOf(126)],
      ['ping', 'p'],
      ['binary', payloadOf(70000)],
      ['text', 'κόσμε'],
      ['close', 1000, 'bye'],
    ],
    [
      frame('text', 'Hello'),
      frame('binary', payloadOf(126)),
      frame('ping', 'p'),
      frame('binary', payloadOf(70000)),
      frame('text', 'κόσμε'),
      frame('close', 'bye', { closeCode: 1000 }),
    ],
  ];

  it("our masked client frames parse in ws's server-side Receiver", async () => {
    const bytes = Buffer.concat(encodeOutFrames(replies[0], { mask: true }));
    expect(await wsParse(bytes, true)).toEqual(replies[1]);
  });

  it("our unmasked server frames parse in ws's client-side Receiver", async () => {
    const bytes = Buffer.concat(encodeOutFrames(replies[0]));
    expect(await wsParse(bytes, false)).toEqual(replies[1]);
  });

  it("ws's Sender frames, masked and fragmented, parse in our server-side parser", () => {
    const frames = (data: Buffer | string, opcode: number, fin = true) =>
      Buffer.concat(ws.Sender.frame(data, { fin, opcode, mask: true, readOnly: true, rsv1: false }));
    const bytes = Buffer.concat([
      frames('Grüße ', Opcode.Text, false),
      frames('ping!', Opcode.Ping),
      frames(Buffer.from('κόσμε'), Opcode.Continuation),
      frames(payloadOf(65536), Opcode.Binary),
      frames(hex('03 e9 62 79 65'), Opcode.Close),
    ]);
    expect(parse({ role: 'server' }, [bytes])).toEqual([
      frame('ping', 'ping!'),
      frame('text', 'Grüße κόσμε'),
      frame('binary', payloadOf(65536)),
      frame('close', 'bye', { closeCode: 1001 }),
    ]);
  });

  it('encodes the same bytes as ws for the same frame and masking key', () => {
    const key = hex('37 fa 21 3d');
    for (const size of [0, 5, 125, 126, 65535, 65536]) {
      const payload = payloadOf(size);
      const theirs = Buffer.concat(
        ws.Sender.frame(payload, {
          fin: true,
          opcode: Opcode.Binary,
          mask: true,
          readOnly: true,
          rsv1: false,
          generateMask: (mask) => key.copy(mask),
        }),
      );
      expect(encodeFrame(Opcode.Binary, payload, { maskKey: key }).equals(theirs), `size ${size}`).toBe(true);
    }
    expect(encodeCloseFrame(1000, 'bye')).toEqual(
      Buffer.concat(
        ws.Sender.frame(hex('03 e8 62 79 65'), {
          fin: true,
          opcode: 8,
          mask: false,
          readOnly: false,
          rsv1: false,
        }),
      ),
    );
  });

  // Vectors sent to a server. Where ws names the error the same way, the code must match too.
  const BAD: [string, Buffer, string][] = [
    ['RSV2 set', hex('a1 80 00 00 00 00'), 'WS_ERR_UNEXPECTED_RSV_2_3'],
    ['RSV1 set without extension', hex('c1 80 00 00 00 00'), 'WS_ERR_UNEXPECTED_RSV_1'],
    ['reserved opcode 0x3', hex('83 80 00 00 00 00'), 'WS_ERR_INVALID_OPCODE'],
    ['reserved opcode 0xb', hex('8b 80 00 00 00 00'), 'WS_ERR_INVALID_OPCODE'],
    ['unmasked frame', hex('81 00'), 'WS_ERR_EXPECTED_MASK'],
    ['ping over 125 bytes', hex('89 fe 00 7e'), 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'],
    ['close code 1005', hex('88 82 00 00 00 00 03 ed'), 'WS_ERR_INVALID_CLOSE_CODE'],
    ['invalid UTF-8 text', hex('81 82 00 00 00 00 c0 af'), 'WS_ERR_INVALID_UTF8'],
    ['invalid UTF-8 close reason', hex('88 84 00 00 00 00 03 e8 c0 af'), 'WS_ERR_INVALID_UTF8'],
    ['fragmented ping', hex('09 80 00 00 00 00'), ''],
    ['continuation without a message', hex('80 80 00 00 00 00'), ''],
    ['1-byte close payload', hex('88 81 00 00 00 00 03'), ''],
  ];

  for (const [name, bytes, sharedCode] of BAD) {
    it(`rejects ${name} with the same close code as ws${sharedCode ? ` and the code ${sharedCode}` : ''}`, async () => {
      const ours = parse({ role: 'server' }, [bytes]);
      const theirs = await wsParse(bytes, true);
      expect(ours).toHaveLength(1);
      expect(theirs).toHaveLength(1);
      const [o, t] = [ours[0]!, theirs[0]!];
      if (!('error' in o) || !('error' in t))
        throw new Error(`expected errors, got ${JSON.stringify([o, t])}`);
      expect(o.closeCode).toBe(t.closeCode);
      if (sharedCode) {
        expect(o.error).toBe(sharedCode);
        expect(t.error).toBe(sharedCode);
      }
    });
  }
});
