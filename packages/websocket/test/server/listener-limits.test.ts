/**
 * The listener's limits against hostile clients, on the wire with raw sockets: the handshake
 * timeout (slowloris: silent and dripping clients), the header size limit, and the connection
 * cap. Time is the node's ManualClock, except where Node's own http timers are under test.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { attach, listen } from '../../src/server/listener.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_HEADER_SIZE,
} from '../../src/server/listener-limits.js';
import {
  closeTracked,
  gatedRecorder,
  localListener,
  Opcode,
  RawClient,
  recorder,
  switching,
  testNode,
  tick,
  track,
  trackServer,
  until,
  upgradeRequest,
} from './support.js';

afterEach(closeTracked);

const TIMEOUT_408 =
  'HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 39\r\n' +
  'Connection: close\r\n\r\nThe request head did not arrive in time';

const FULL_503 =
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\n' +
  'Connection: close\r\n\r\nToo many connections';

/** Node's own answer to a head over `maxHeaderSize` (its parser's, before any of our code runs). */
const TOO_LARGE_431 = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n';

// A self-signed P-256 key and certificate for localhost, made for these tests only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg13GTaLKhcrDdQlto
1DwcvISpLC+lyHxWX1Yqx1Fk94ehRANCAARNDOe8JQxqIWTJygrNygL8FSXsiuTo
EgfrDz2XqY9g7hPYYvhT+3shHTOvA0amBQPdTQNl51bdqWf92xTBOLNi
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIURolvDoRWxUgWvKGGorz17nL7ZwUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjEyNTU0N1oYDzIxMjYxMTAy
MTI1NTQ3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARNDOe8JQxqIWTJygrNygL8FSXsiuToEgfrDz2XqY9g7hPYYvhT+3sh
HTOvA0amBQPdTQNl51bdqWf92xTBOLNio1MwUTAdBgNVHQ4EFgQUN41ZAFGWt8+e
XOnKrfKx/fVw4oswHwYDVR0jBBgwFoAUN41ZAFGWt8+eXOnKrfKx/fVw4oswDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBLk9jefEPN8hx4SxG69oqk
jKhYK0tgWYcgFQYWGL1JIwIhALcMS7+qA52hS7qFYYBQdKGHB8/wSitX1MrsUYcT
a3hb
-----END CERTIFICATE-----
`;

/** A TLS client that has completed its TLS handshake; records what it receives. */
async function tlsClient(port: number) {
  const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  track(() => socket.destroy());
  let data = '';
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('latin1');
  });
  socket.on('close', () => {
    ended = true;
  });
  socket.on('error', () => {});
  await once(socket, 'secureConnect');
  return { socket, received: () => data, closed: () => ended };
}

/** Upgrades a raw client on `path` and checks the echo works: a live connection. */
async function upgraded(port: number, path = '/ws'): Promise<RawClient> {
  const client = await RawClient.connect(port);
  client.write(upgradeRequest(path));
  expect(await client.readHead()).toBe(switching());
  return client;
}

async function echoes(client: RawClient, text: string): Promise<void> {
  client.sendFrame(Opcode.Text, text);
  const frame = await client.readFrame();
  expect([frame.type, frame.payload.toString()]).toEqual(['text', text]);
}

/** A listener on /ws with a 1 s handshake deadline, and a client it accepted (its deadline armed). */
async function acceptedClient() {
  const { node, clock } = testNode();
  const rec = recorder();
  const listener = await localListener({
    node,
    routes: { '/ws': [rec.handler, {}] },
    handshakeTimeout: 1000,
  });
  const before = clock.pending();
  const client = await RawClient.connect(listener.port);
  await until(() => clock.pending() === before + 1, 'the deadline armed on accept');
  return { clock, rec, client, before };
}

describe('handshakeTimeout (slowloris)', () => {
  it('answers a client that connects and sends nothing 408 and drops it exactly handshakeTimeout ms after accept', async () => {
    const { clock, rec, client, before } = await acceptedClient();
    clock.advance(999);
    await tick();
    expect(client.closed).toBe(false);
    clock.advance(1);
    expect(await client.readToClose()).toBe(TIMEOUT_408);
    expect(clock.pending()).toBe(before);
    expect(rec.inits).toEqual([]);
  });

  it('drops a client that drips header bytes at the same deadline: bytes do not extend it (Cowboy: request_timeout "is not reset")', async () => {
    const { clock, rec, client } = await acceptedClient();
    const request = upgradeRequest('/ws');
    // Nine of ten slices of the head, one every 100 ms: the blank line that ends it never comes.
    for (let i = 0; i < 9; i++) {
      client.write(request.slice((i * request.length) / 10, ((i + 1) * request.length) / 10));
      await tick();
      clock.advance(100);
    }
    await tick();
    expect(client.closed).toBe(false);
    clock.advance(100);
    expect(await client.readToClose()).toBe(TIMEOUT_408);
    expect(rec.inits).toEqual([]);
  });

  it('leaves a client whose upgrade arrived in time alone: its connection outlives the deadline', async () => {
    const { node, clock } = testNode();
    const rec = recorder();
    const listener = await localListener({
      node,
      routes: { '/ws': [rec.handler, {}] },
      handshakeTimeout: 1000,
    });
    const client = await upgraded(listener.port);
    clock.advance(5000);
    await echoes(client, 'still here');
    expect(rec.terminations).toEqual([]);
  });

  it('leaves a kept-alive plain HTTP connection alone once its first request arrived', async () => {
    const { node, clock } = testNode();
    const listener = await localListener({
      node,
      routes: { '/ws': [recorder().handler, {}] },
      handshakeTimeout: 1000,
    });
    const client = await RawClient.connect(listener.port);
    client.write('GET /ws HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.readHead()).toMatch(/^HTTP\/1\.1 426 /);
    clock.advance(5000);
    await tick();
    expect(client.closed).toBe(false);
    client.write('GET /other HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.readHead()).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('hands the timeout to Node as headersTimeout and requestTimeout, which drop a silent client in real time too', async () => {
    // The node's clock never moves here: only Node's own timers (checked every min(timeout, 30 s)) act.
    const { node } = testNode();
    const listener = await localListener({
      node,
      routes: { '/ws': [recorder().handler, {}] },
      handshakeTimeout: 150,
    });
    expect([listener.server.headersTimeout, listener.server.requestTimeout]).toEqual([150, 150]);
    const client = await RawClient.connect(listener.port);
    expect(await client.readToClose()).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
  });

  it('defaults to 10 s; Infinity arms nothing and turns Node’s header timeouts off', async () => {
    expect(DEFAULT_HANDSHAKE_TIMEOUT).toBe(10_000);
    const { node, clock } = testNode();
    const plain = await localListener({ node, routes: {} });
    expect([plain.server.headersTimeout, plain.server.requestTimeout]).toEqual([10_000, 10_000]);
    const off = await localListener({ node, routes: {}, handshakeTimeout: Number.POSITIVE_INFINITY });
    expect([off.server.headersTimeout, off.server.requestTimeout]).toEqual([0, 0]);
    const before = clock.pending();
    const accepted = once(off.server, 'connection');
    const client = await RawClient.connect(off.port);
    client.write('GET /x HTTP/1.1\r\n');
    await accepted;
    await tick();
    expect(clock.pending()).toBe(before);
    expect(client.closed).toBe(false);
  });

  it('applies to a server given to listen: its headersTimeout becomes the handshake timeout', async () => {
    const { node, clock } = testNode();
    const server = createServer();
    server.requestTimeout = 500;
    const listener = await localListener({
      node,
      server,
      routes: { '/ws': [recorder().handler, {}] },
      handshakeTimeout: 2000,
    });
    // Node wants headersTimeout <= requestTimeout: a shorter body timeout is raised to match.
    expect([server.headersTimeout, server.requestTimeout]).toEqual([2000, 2000]);
    const before = clock.pending();
    const client = await RawClient.connect(listener.port);
    await until(() => clock.pending() === before + 1, 'the deadline armed on accept');
    clock.advance(2000);
    expect(await client.readToClose()).toBe(TIMEOUT_408);
  });

  it('on an https server, starts after the TLS handshake and is disarmed by the upgrade on the TLS socket', async () => {
    const { node, clock } = testNode();
    const rec = recorder();
    const server = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT });
    const listener = await localListener({
      node,
      server,
      routes: { '/ws': [rec.handler, {}] },
      handshakeTimeout: 1000,
    });
    const before = clock.pending();
    const upgrading = await tlsClient(listener.port);
    await until(() => clock.pending() === before + 1, 'the deadline armed after the TLS handshake');
    upgrading.socket.write(upgradeRequest('/ws'));
    await until(() => upgrading.received().includes('\r\n\r\n'), 'the 101');
    expect(upgrading.received()).toBe(switching());
    // The connection's idle timer is on the clock now; the upgrade's deadline is not.
    const armed = clock.pending();
    const accepted = once(server, 'secureConnection');
    const silent = await tlsClient(listener.port);
    await accepted;
    expect(clock.pending()).toBe(armed + 1);
    clock.advance(1000);
    await until(() => silent.closed(), 'the silent TLS client dropped');
    expect(silent.received()).toBe(TIMEOUT_408);
    expect(upgrading.closed()).toBe(false);
    expect(rec.terminations).toEqual([]);
  });

  it('refuses a timeout that is not a positive integer of ms (or Infinity)', async () => {
    const { node } = testNode();
    for (const bad of [0, -1, 1.5, Number.NaN])
      await expect(listen({ node, host: '127.0.0.1', routes: {}, handshakeTimeout: bad })).rejects.toThrow(
        /handshakeTimeout must be/,
      );
    expect(node.processCount()).toBe(0);
  });
});

describe('maxHeaderSize', () => {
  const padded = (bytes: number): string => upgradeRequest('/ws', { 'X-Pad': 'a'.repeat(bytes) });

  it('lets Node answer a head over maxHeaderSize 431 and close; init never runs', async () => {
    const { node } = testNode();
    const rec = recorder();
    const listener = await localListener({ node, routes: { '/ws': [rec.handler, {}] }, maxHeaderSize: 1024 });
    const small = await RawClient.connect(listener.port);
    small.write(padded(512));
    expect(await small.readHead()).toBe(switching());
    const big = await RawClient.connect(listener.port);
    big.write(padded(2048));
    expect(await big.readToClose()).toBe(TOO_LARGE_431);
    expect(rec.inits).toHaveLength(1);
  });

  it('answers 431 as soon as the head grows past the limit, without waiting for its end', async () => {
    const { node } = testNode();
    const rec = recorder();
    const listener = await localListener({ node, routes: { '/ws': [rec.handler, {}] }, maxHeaderSize: 1024 });
    const client = await RawClient.connect(listener.port);
    client.write(`GET /ws HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(4096)}`); // no line end, no blank line
    expect(await client.readToClose()).toBe(TOO_LARGE_431);
    expect(rec.inits).toEqual([]);
  });

  it('defaults to Node’s 16 KiB, and cannot be set on a server listen did not create', async () => {
    expect(DEFAULT_MAX_HEADER_SIZE).toBe(16_384);
    const { node } = testNode();
    const listener = await localListener({ node, routes: { '/ws': [recorder().handler, {}] } });
    const client = await RawClient.connect(listener.port);
    client.write(padded(17_000));
    expect(await client.readToClose()).toBe(TOO_LARGE_431);
    await expect(listen({ node, server: createServer(), routes: {}, maxHeaderSize: 4096 })).rejects.toThrow(
      /maxHeaderSize applies to the server listen\(\) creates/,
    );
    await expect(listen({ node, routes: {}, maxHeaderSize: 0 })).rejects.toThrow(/maxHeaderSize must be/);
  });
});

describe('maxConnections', () => {
  it('answers the (N+1)th upgrade 503 with a short body before init and any 101, while the N stay up; after one closes a new one is accepted', async () => {
    const { node, records } = testNode();
    const rec = recorder();
    const listener = await localListener({ node, routes: { '/ws': [rec.handler, {}] }, maxConnections: 3 });
    const clients = [
      await upgraded(listener.port),
      await upgraded(listener.port),
      await upgraded(listener.port),
    ];
    const extra = await RawClient.connect(listener.port);
    extra.write(upgradeRequest('/ws'));
    expect(await extra.readToClose()).toBe(FULL_503);
    const again = await RawClient.connect(listener.port);
    again.write(upgradeRequest('/ws'));
    expect(await again.readToClose()).toBe(FULL_503);
    expect(rec.inits).toHaveLength(3);
    for (const [i, c] of clients.entries()) await echoes(c, `still up ${i}`);
    expect(await listener.connectionCount()).toBe(3);
    // Logged once for the episode, not once per refused client.
    expect(records.filter((r) => r.label === 'ws_connection_limit')).toEqual([
      expect.objectContaining({ level: 'warn', maxConnections: 3, path: '/ws' }),
    ]);

    clients[0]!.sendClose(1000);
    await until(() => rec.terminations.length === 1, 'the first connection closed');
    const next = await upgraded(listener.port);
    await echoes(next, 'welcome');
    expect(await listener.connectionCount()).toBe(3);
  });

  it('counts upgrades whose init is still running, so concurrent handshakes cannot overshoot the cap', async () => {
    const { node } = testNode();
    const rec = gatedRecorder<null>();
    const { release } = rec;
    const listener = await localListener({ node, routes: { '/ws': [rec.handler, null] }, maxConnections: 1 });
    const first = await RawClient.connect(listener.port);
    first.write(upgradeRequest('/ws'));
    await until(() => rec.inits.length === 1, 'the first init running');
    const second = await RawClient.connect(listener.port);
    second.write(upgradeRequest('/ws'));
    expect(await second.readToClose()).toBe(FULL_503);
    release();
    expect(await first.readHead()).toBe(switching());
    expect(rec.inits).toHaveLength(1);
  });

  it('frees the slot of a handshake that ends without a connection (a plain reply from init, a crash in init)', async () => {
    const { node } = testNode();
    const rec = recorder<null>((req, s) => {
      if (req.query.get('plain') !== null) return ['ok', req.reply(200, {}, 'plain'), s];
      if (req.query.get('crash') !== null) throw new Error('init bug');
      return ['websocket', req, s];
    });
    const listener = await localListener({ node, routes: { '/ws': [rec.handler, null] }, maxConnections: 1 });
    for (const path of ['/ws?plain=1', '/ws?crash=1', '/ws?plain=2']) {
      const c = await RawClient.connect(listener.port);
      c.write(upgradeRequest(path));
      expect(await c.readToClose()).toMatch(/^HTTP\/1\.1 (200|500) /);
    }
    await echoes(await upgraded(listener.port), 'the one slot');
  });

  it('frees the slot of a connection whose process is killed', async () => {
    const { node } = testNode();
    const rec = recorder();
    const listener = await localListener({ node, routes: { '/ws': [rec.handler, {}] }, maxConnections: 1 });
    await upgraded(listener.port);
    const [pid] = await listener.connections();
    node.exit(pid!, 'kill');
    await echoes(await upgraded(listener.port), 'after the kill');
  });

  it('caps an attachment to an existing server the same way; 0 refuses every upgrade', async () => {
    const { node } = testNode();
    const server = trackServer(createServer());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const rec = recorder();
    const attached = await attach(node, server, { '/ws': [rec.handler, {}] }, undefined, {
      maxConnections: 0,
    });
    track(() => attached.close());
    const client = await RawClient.connect(port);
    client.write(upgradeRequest('/ws'));
    expect(await client.readToClose()).toBe(FULL_503);
    expect(rec.inits).toEqual([]);
  });

  it('defaults to 10,000 and refuses a cap that is not an integer >= 0 (or Infinity)', async () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(10_000);
    const { node } = testNode();
    await expect(listen({ node, routes: {}, maxConnections: -1 })).rejects.toThrow(/maxConnections must be/);
    await expect(listen({ node, routes: {}, maxConnections: 2.5 })).rejects.toThrow(/maxConnections must be/);
    expect(node.processCount()).toBe(0);
  });
});
