/**
 * A compressed connection on the wire (RFC 7692 §6, §7.2), byte for byte: the examples of
 * §7.2.3 in both directions, fragmented and empty compressed messages, uncompressed messages on
 * a compressed connection, control frames never compressed, the errors (1002, 1007, 1009),
 * Cowboy's `['deflate', false]`, hibernate, and frame order around zlib work done off the main
 * thread.
 */
import { deflateRawSync, constants as z } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SYNC_DEFLATE_MAX_INPUT } from '../../src/deflate/deflater.js';
import { SYNC_INFLATE_MAX_INPUT } from '../../src/deflate/inflater.js';
import { closeTracked, until } from '../server/support.js';
import { bigText, clientFrame, deflateServer, echoHandler, hex, WireClient } from './support.js';
import { PeerDeflater, PeerInflater } from './zlib-peer.js';

afterEach(closeTracked);

const HELLO = hex('f2 48 cd c9 c9 07 00');

/** A compressed connection with the echo handler; `opts` are what init returns. */
async function open(opts: Parameters<typeof echoHandler>[0] = {}, offer = 'permessage-deflate') {
  const echo = echoHandler(opts);
  const server = await deflateServer(echo.handler, null);
  const client = await WireClient.connect(server.port, offer);
  expect(client.extensions).toBeDefined();
  return { ...echo, server, client };
}

describe('the examples of RFC 7692 §7.2.3, both ways', () => {
  it('§7.2.3.1 and §7.2.3.2: "Hello" in and out as c1 07 f2 48 cd c9 c9 07 00, then c1 05 f2 00 11 00 00 (shared window)', async () => {
    const { client, seen } = await open();
    client.send(clientFrame(0xc1, HELLO));
    expect(await client.bytes(9)).toEqual(hex('c1 07 f2 48 cd c9 c9 07 00'));
    client.send(clientFrame(0xc1, hex('f2 00 11 00 00')));
    expect(await client.bytes(7)).toEqual(hex('c1 05 f2 00 11 00 00'));
    expect(seen).toEqual([
      ['text', 'Hello'],
      ['text', 'Hello'],
    ]);
  });

  it('§7.2.3.1: a compressed message in two fragments (41 03 f2 48 cd, 80 04 c9 c9 07 00), a ping between them', async () => {
    const { client, seen } = await open();
    client.send(clientFrame(0x41, hex('f2 48 cd')));
    client.send(clientFrame(0x89, 'between'));
    client.send(clientFrame(0x80, hex('c9 c9 07 00')));
    // The pong is not compressed (§6: control frames never are), and comes first.
    expect(await client.bytes(9)).toEqual(Buffer.concat([hex('8a 07'), Buffer.from('between')]));
    expect(await client.bytes(9)).toEqual(hex('c1 07 f2 48 cd c9 c9 07 00'));
    expect(seen).toEqual([
      ['ping', Buffer.from('between')],
      ['text', 'Hello'],
    ]);
  });

  it.each([
    ['§7.2.3.3 a block with no compression', 'c1', '00 05 00 fa ff 48 65 6c 6c 6f 00'],
    ['§7.2.3.4 a block with BFINAL set', 'c1', 'f3 48 cd c9 c9 07 00 00'],
    ['§7.2.3.5 two DEFLATE blocks', 'c1', 'f2 48 05 00 00 00 ff ff ca c9 c9 07 00'],
    ['a binary message', 'c2', 'f2 48 cd c9 c9 07 00'],
  ])('inflates %s', async (_what, first, payload) => {
    const { client, seen } = await open({ deflateOpts: { threshold: 1024 } });
    client.send(clientFrame(Number.parseInt(first, 16), hex(payload)));
    const frame = await client.frame();
    expect(frame.rsv1).toBe(false); // under the threshold: the echo goes uncompressed
    expect(frame.payload.toString()).toBe('Hello');
    expect(seen[0]![1].toString()).toBe('Hello');
  });

  it('an empty compressed message (c1 01 00) reaches the handler as "", and "" goes out as c1 01 00', async () => {
    const { client, seen } = await open();
    client.send(clientFrame(0xc1, hex('00')));
    expect(await client.bytes(3)).toEqual(hex('c1 01 00'));
    client.send(clientFrame(0xc1, Buffer.alloc(0))); // no payload at all: also empty
    expect(await client.bytes(3)).toEqual(hex('c1 01 00'));
    expect(seen).toEqual([
      ['text', ''],
      ['text', ''],
    ]);
  });

  it('takes uncompressed messages on a compressed connection (RSV1 clear), and sends small ones uncompressed', async () => {
    const { client, seen } = await open({ deflateOpts: { threshold: 1024 } });
    client.send(clientFrame(0x81, 'plain'), clientFrame(0x82, hex('01 02')));
    expect(await client.bytes(7)).toEqual(Buffer.concat([hex('81 05'), Buffer.from('plain')]));
    expect(await client.bytes(4)).toEqual(hex('82 02 01 02'));
    expect(seen).toEqual([
      ['text', 'plain'],
      ['binary', hex('01 02')],
    ]);
  });
});

describe('errors on a compressed connection', () => {
  it.each([
    ['RSV1 on a control frame', 0xc9, 'x'],
    ['RSV1 on a continuation frame', 0xc0, 'x'],
  ])('%s is a protocol error (1002, RFC 7692 §6)', async (_what, first, payload) => {
    const { client, reasons } = await open();
    if (first === 0xc0) client.send(clientFrame(0x41, hex('f2 48')));
    client.send(clientFrame(first, payload));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1002 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badframe']]);
  });

  it('a compressed text message that inflates to bad UTF-8 closes with 1007 (badencoding)', async () => {
    const { client, reasons, seen } = await open();
    const bad = deflateRawSync(hex('48 c0 af'), { finishFlush: z.Z_SYNC_FLUSH });
    client.send(clientFrame(0xc1, bad.subarray(0, bad.length - 4)));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1007 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badencoding']]);
    expect(seen).toEqual([]);
  });

  it('bad UTF-8 in a compressed message passes with validateUtf8: false, as in uncompressed ones', async () => {
    const { client, seen } = await open({ validateUtf8: false });
    const bad = deflateRawSync(hex('48 c0 af'), { finishFlush: z.Z_SYNC_FLUSH });
    client.send(clientFrame(0xc2, bad.subarray(0, bad.length - 4)));
    await client.frame();
    expect(seen).toEqual([['binary', hex('48 c0 af')]]);
  });

  it('bytes that are not DEFLATE data close with 1007 (WS_ERR_INVALID_COMPRESSED_DATA)', async () => {
    const { client, reasons } = await open();
    client.send(clientFrame(0xc2, hex('ff ff ff ff')));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1007 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badencoding']]);
  });

  it('maxFrameSize bounds the inflated size: a 100-byte frame inflating to 10 KB closes with 1009', async () => {
    const { client, reasons, seen } = await open({ maxFrameSize: 5000 });
    const peer = new PeerDeflater();
    const payload = await peer.deflate('a'.repeat(10_000));
    peer.close();
    expect(payload.length).toBeLessThan(100);
    client.send(clientFrame(0xc1, payload));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1009 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badsize']]);
    expect(seen).toEqual([]);
  });

  it("['set_options', { maxFrameSize }] also changes the inflated-size limit", async () => {
    const { client, reasons } = await open();
    const peer = new PeerDeflater({ noContextTakeover: true });
    client.send(clientFrame(0xc1, await peer.deflate('a'.repeat(3000))));
    expect((await client.frame()).type).toBe('text');
    client.send(clientFrame(0x81, 'limit:2000'));
    client.send(clientFrame(0xc1, await peer.deflate('a'.repeat(3000))));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1009 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badsize']]);
    peer.close();
  });
});

describe("Cowboy's ['deflate', boolean] and the threshold", () => {
  it("['deflate', false] sends the following frames uncompressed; ['deflate', true] compresses again", async () => {
    const { client } = await open();
    client.send(clientFrame(0x81, 'one'), clientFrame(0x81, 'off'), clientFrame(0x81, 'two'));
    client.send(clientFrame(0x81, 'on'), clientFrame(0x81, 'three'));
    const [one, two, three] = await client.take(3);
    expect([one!.rsv1, two!.rsv1, three!.rsv1]).toEqual([true, false, true]);
    expect(two!.payload.toString()).toBe('two');
  });

  it('compresses only messages of at least `threshold` bytes', async () => {
    const { client } = await open({ deflateOpts: { threshold: 100 } });
    client.send(clientFrame(0x81, 'x'.repeat(99)), clientFrame(0x81, 'x'.repeat(100)));
    const [small, large] = await client.take(2);
    expect([small!.rsv1, large!.rsv1]).toEqual([false, true]);
    expect(large!.payload.length).toBeLessThan(10);
  });
});

describe('context takeover, hibernate and order', () => {
  it('a long exchange with context takeover both ways stays in step, through hibernation', async () => {
    const { client, seen } = await open();
    const up = new PeerDeflater({ level: 9 });
    const down = new PeerInflater();
    for (let i = 0; i < 60; i++) {
      const message = i % 10 === 9 ? 'hibernate' : `${bigText(200 + ((i * 331) % 4000))}#${i}`;
      client.send(clientFrame(0xc1, await up.deflate(message)));
      const frame = await client.frame();
      expect(frame.rsv1).toBe(true);
      expect((await down.inflate(frame.payload)).toString()).toBe(message === 'hibernate' ? 'zzz' : message);
    }
    expect(seen).toHaveLength(60);
    up.close();
    down.close();
  });

  it('with server_no_context_takeover every reply is compressed on its own (the same message, the same bytes)', async () => {
    const { client } = await open({}, 'permessage-deflate; server_no_context_takeover');
    expect(client.extensions).toBe('permessage-deflate; server_no_context_takeover');
    client.send(clientFrame(0x81, 'Hello'), clientFrame(0x81, 'Hello'));
    expect(await client.bytes(18)).toEqual(hex('c1 07 f2 48 cd c9 c9 07 00 c1 07 f2 48 cd c9 c9 07 00'));
  });

  it('keeps frame order when a reply is compressed off the main thread: big reply, then the pong, then the next reply', async () => {
    const { client } = await open();
    const size = SYNC_DEFLATE_MAX_INPUT * 8;
    client.send(clientFrame(0x81, `big:${size}`), clientFrame(0x89, 'p'), clientFrame(0x81, 'after'));
    const down = new PeerInflater();
    const [big, pong, after] = await client.take(3);
    expect([big!.type, big!.rsv1]).toEqual(['text', true]);
    expect((await down.inflate(big!.payload)).toString()).toBe(bigText(size));
    expect([pong!.type, pong!.rsv1, pong!.payload.toString()]).toEqual(['pong', false, 'p']);
    expect((await down.inflate(after!.payload)).toString()).toBe('after');
    down.close();
  });

  it('sends a close frame of the same reply after a message compressed off the main thread, then ends', async () => {
    const { client, reasons } = await open();
    const size = SYNC_DEFLATE_MAX_INPUT * 4;
    client.send(clientFrame(0x81, `bye:${size}`));
    const [big, close] = await client.rest();
    expect([big!.type, big!.rsv1, close!.type, close!.closeCode]).toEqual(['text', true, 'close', 4000]);
    const down = new PeerInflater();
    expect((await down.inflate(big!.payload)).toString()).toBe(bigText(size));
    down.close();
    expect(reasons).toEqual(['stop']);
  });

  it('keeps message order when a message is inflated off the main thread', async () => {
    const { client, seen } = await open({ maxFrameSize: 4 << 20 });
    // Pseudo-random text barely compresses: its payload is over the synchronous limit.
    let x = 0x2545f491;
    const codes: number[] = [];
    while (codes.length < SYNC_INFLATE_MAX_INPUT * 2) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      codes.push(33 + ((x >>> 8) % 90));
    }
    const noisy = Buffer.from(codes).toString('latin1');
    const peer = new PeerDeflater({ noContextTakeover: true });
    const payload = await peer.deflate(noisy);
    peer.close();
    expect(payload.length).toBeGreaterThan(SYNC_INFLATE_MAX_INPUT);
    client.send(clientFrame(0xc1, payload), clientFrame(0x89, 'p'), clientFrame(0x81, 'small'));
    const [echo, pong, small] = await client.take(3);
    expect([echo!.type, pong!.type, small!.type]).toEqual(['text', 'pong', 'text']);
    expect(seen.map(([type, data]) => [type, data.length])).toEqual([
      ['text', noisy.length],
      ['ping', 1],
      ['text', 5],
    ]);
  });
});
