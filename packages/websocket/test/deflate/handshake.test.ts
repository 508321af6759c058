/**
 * permessage-deflate in the opening handshake (`handleUpgrade`): negotiated only when the
 * handler's options say `compress: true` (Cowboy's default is off), the 101 listing exactly the
 * accepted parameters, declined offers leaving the connection uncompressed (never failing it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeTracked, switching, until } from '../server/support.js';
import { clientFrame, deflateServer, echoHandler, hex, WireClient } from './support.js';

afterEach(closeTracked);

const CHROMIUM = 'permessage-deflate; client_max_window_bits';

describe('handleUpgrade with permessage-deflate', () => {
  it("answers Chromium's offer with exactly the 101 plus `Sec-WebSocket-Extensions: permessage-deflate`", async () => {
    const server = await deflateServer(echoHandler().handler, null);
    const client = await WireClient.connect(server.port, CHROMIUM);
    expect(client.head).toBe(switching('Sec-WebSocket-Extensions: permessage-deflate'));
    expect(server.offers).toEqual([CHROMIUM]);
  });

  it('lists the accepted parameters: server_no_context_takeover asked, client_max_window_bits configured', async () => {
    const { handler } = echoHandler({ deflateOpts: { clientMaxWindowBits: 10 } });
    const server = await deflateServer(handler, null);
    const client = await WireClient.connect(
      server.port,
      'permessage-deflate; server_no_context_takeover; client_max_window_bits',
    );
    expect(client.extensions).toBe(
      'permessage-deflate; server_no_context_takeover; client_max_window_bits=10',
    );
  });

  it('takes compress and deflateOpts from the listener defaults when init returns no options', async () => {
    const { handler } = echoHandler();
    const server = await deflateServer({ ...handler, init: (req, s) => ['websocket', req, s] }, null, {
      compress: true,
      deflateOpts: { serverContextTakeover: false },
    });
    const client = await WireClient.connect(server.port, 'permessage-deflate');
    expect(client.extensions).toBe('permessage-deflate; server_no_context_takeover');
  });

  it('does not negotiate without compress: true (the default), and then RSV1 is a protocol error (1002)', async () => {
    const { handler, reasons } = echoHandler({ compress: false });
    const server = await deflateServer(handler, null);
    const client = await WireClient.connect(server.port, CHROMIUM);
    expect(client.head).toBe(switching());
    client.send(clientFrame(0xc1, hex('f2 48 cd c9 c9 07 00')));
    const [close] = await client.rest();
    expect(close).toMatchObject({ type: 'close', closeCode: 1002 });
    await until(() => reasons.length === 1);
    expect(reasons).toEqual([['error', 'badframe']]);
  });

  it('goes on uncompressed when every offer is declined (unknown and invalid parameters), the handshake succeeding', async () => {
    const { handler, seen } = echoHandler();
    const server = await deflateServer(handler, null);
    const client = await WireClient.connect(
      server.port,
      'permessage-deflate; foo, permessage-deflate; server_max_window_bits=8, x-webkit-deflate-frame',
    );
    expect(client.head).toBe(switching());
    client.send(clientFrame(0x81, 'Hello'));
    expect(await client.frame()).toMatchObject({ type: 'text', rsv1: false, payload: Buffer.from('Hello') });
    expect(seen).toEqual([['text', 'Hello']]);
  });

  it('falls back to a later offer the server can take', async () => {
    const server = await deflateServer(echoHandler().handler, null);
    const client = await WireClient.connect(
      server.port,
      'permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=11',
    );
    expect(client.extensions).toBe('permessage-deflate; server_max_window_bits=11');
  });

  it('answers 500 when init returns invalid deflateOpts, logging ws_init_bad_result', async () => {
    const { handler } = echoHandler({ deflateOpts: { level: 11 } });
    const server = await deflateServer(handler, null);
    const client = await WireClient.connect(server.port, CHROMIUM);
    expect(client.head).toMatch(/^HTTP\/1\.1 500 /);
    await until(() => server.records.some((r) => r.label === 'ws_init_bad_result'));
    expect(server.records.find((r) => r.label === 'ws_init_bad_result')?.reason).toBe(
      'init: deflateOpts.level must be an integer from 0 to 9, got 11',
    );
  });
});
