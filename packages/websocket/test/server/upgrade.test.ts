import type { IncomingMessage } from 'node:http';
import { DynamicSupervisor } from '@corral/actor';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred } from '../connection/fixture.js';
import {
  closeTracked,
  gatedRecorder,
  Opcode,
  recorder,
  serveUpgrades,
  switching,
  testNode,
  until,
  upgradeRequest,
} from './support.js';

afterEach(closeTracked);

describe('handleUpgrade: the opening handshake on a raw socket', () => {
  it('answers a valid request with exactly the 101 of RFC 6455 §1.2 (accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=) and starts a process', async () => {
    const { node } = testNode();
    const rec = recorder<{ n: number }>();
    const { connect, outcomes } = await serveUpgrades(node, rec.handler, { n: 1 });
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    expect(await client.readHead()).toBe(switching());
    await until(() => outcomes.length === 1);
    const pid = outcomes[0]!;
    expect(node.isAlive(pid)).toBe(true);
    expect(node.processInfo(pid)?.initialCall).toBe('websocket_connection');
    // The connection is live: a text frame comes back (the recorder echoes).
    client.sendFrame(Opcode.Text, 'hello');
    const frame = await client.readFrame();
    expect([frame.type, frame.payload.toString()]).toEqual(['text', 'hello']);
  });

  it('hands frames sent along with the request (the head bytes) to the connection', async () => {
    const { node } = testNode();
    const rec = recorder();
    const { connect } = await serveUpgrades(node, rec.handler, {});
    const client = await connect();
    const { encodeFrame } = await import('../../src/codec/frame-serializer.js');
    client.write(
      Buffer.concat([
        Buffer.from(upgradeRequest('/chat')),
        encodeFrame(Opcode.Text, Buffer.from('early'), { mask: true }),
      ]),
    );
    expect(await client.readHead()).toBe(switching());
    const frame = await client.readFrame();
    expect(frame.payload.toString()).toBe('early');
  });

  it('drops the node request (req.raw) once init is done, and gives init the path, query, peer and bindings', async () => {
    const { node } = testNode();
    let rawDuringInit: IncomingMessage | undefined;
    const rec = recorder((req, s) => {
      rawDuringInit = req.raw;
      return ['websocket', req, s];
    });
    const { connect } = await serveUpgrades(node, rec.handler, {}, { bindings: { room: 'lobby' } });
    const client = await connect();
    client.write(upgradeRequest('/rooms/lobby?user=ann'));
    await client.readHead();
    const req = rec.inits[0]!;
    expect(rawDuringInit).toBeDefined();
    expect(req.raw).toBeUndefined();
    // The peer was asked of the socket's handle: Node's cache of it is not left on the socket.
    expect((rawDuringInit!.socket as unknown as { _peername?: unknown })._peername).toBeUndefined();
    expect(req.peer.port).toBe(client.socket.localPort);
    expect([req.path, req.query.get('user'), req.bindings, req.peer.address]).toEqual([
      '/rooms/lobby',
      'ann',
      { room: 'lobby' },
      '127.0.0.1',
    ]);
  });

  describe('rejects a bad request with exact bytes and closes the socket, without calling init', () => {
    const bad = (reason: string) => {
      const body = Buffer.from(reason);
      return (
        'HTTP/1.1 400 Bad Request\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${body.length}\r\n` +
        'Connection: close\r\n\r\n' +
        reason
      );
    };
    it.each([
      ['a POST', upgradeRequest('/chat').replace('GET', 'POST'), bad('The method must be GET, not POST')],
      [
        'HTTP/1.0',
        upgradeRequest('/chat').replace('HTTP/1.1', 'HTTP/1.0'),
        bad('HTTP/1.1 or later is required, not HTTP/1.0'),
      ],
      [
        'Upgrade: h2c',
        upgradeRequest('/chat', { Upgrade: 'h2c' }),
        bad('The Upgrade header must name websocket'),
      ],
      [
        'a key of 12 bytes',
        upgradeRequest('/chat', { 'Sec-WebSocket-Key': Buffer.alloc(12).toString('base64') }),
        bad('Missing or invalid Sec-WebSocket-Key header (base64 of 16 bytes)'),
      ],
      [
        'no key',
        upgradeRequest('/chat', { 'Sec-WebSocket-Key': null }),
        bad('Missing or invalid Sec-WebSocket-Key header (base64 of 16 bytes)'),
      ],
      [
        'a malformed Sec-WebSocket-Protocol',
        upgradeRequest('/chat', { 'Sec-WebSocket-Protocol': 'chat, chat' }),
        bad('Invalid sec-websocket-protocol header at index 6: the sub-protocol "chat" is listed twice'),
      ],
      [
        'a malformed Sec-WebSocket-Extensions',
        upgradeRequest('/chat', { 'Sec-WebSocket-Extensions': 'permessage-deflate;' }),
        bad('Invalid sec-websocket-extensions header at index 19: expected a parameter name, found the end'),
      ],
    ])('%s → 400', async (_what, request, expected) => {
      const { node } = testNode();
      const rec = recorder();
      const { connect, outcomes } = await serveUpgrades(node, rec.handler, {});
      const client = await connect();
      client.write(request);
      expect(await client.readToClose()).toBe(expected);
      await until(() => outcomes.length === 1);
      expect(outcomes).toEqual([undefined]);
      expect(rec.inits).toEqual([]);
      expect(rec.terminations).toEqual([]);
    });

    it.each([
      ['8', { 'Sec-WebSocket-Version': '8' }],
      ['missing', { 'Sec-WebSocket-Version': null }],
    ])(
      'Sec-WebSocket-Version %s → 426 Upgrade Required with Sec-WebSocket-Version: 13 (§4.4)',
      async (_what, headers) => {
        const { node } = testNode();
        const rec = recorder();
        const { connect } = await serveUpgrades(node, rec.handler, {});
        const client = await connect();
        client.write(upgradeRequest('/chat', headers));
        const reason = 'Unsupported or missing Sec-WebSocket-Version (this server speaks 13)';
        expect(await client.readToClose()).toBe(
          'HTTP/1.1 426 Upgrade Required\r\n' +
            'Sec-WebSocket-Version: 13\r\n' +
            'Upgrade: websocket\r\n' +
            'Content-Type: text/plain; charset=utf-8\r\n' +
            `Content-Length: ${reason.length}\r\n` +
            'Connection: Upgrade, close\r\n\r\n' +
            reason,
        );
        expect(rec.inits).toEqual([]);
      },
    );
  });

  describe('sub-protocols (RFC 6455 §4.2.2 /subprotocol/)', () => {
    it('sends the one init selected among those offered', async () => {
      const { node } = testNode();
      const rec = recorder<null>((req, s) => ['websocket', req.selectProtocol('chat'), s]);
      const { connect } = await serveUpgrades(node, rec.handler, null);
      const client = await connect();
      client.write(upgradeRequest('/chat', { 'Sec-WebSocket-Protocol': 'chat, superchat' }));
      expect(await client.readHead()).toBe(switching('Sec-WebSocket-Protocol: chat'));
      expect(rec.inits[0]!.protocols).toEqual(['chat', 'superchat']);
    });

    it('sends no Sec-WebSocket-Protocol when init selects none of those offered, as Cowboy does', async () => {
      const { node } = testNode();
      const rec = recorder();
      const { connect } = await serveUpgrades(node, rec.handler, {});
      const client = await connect();
      client.write(upgradeRequest('/chat', { 'Sec-WebSocket-Protocol': 'chat, superchat' }));
      expect(await client.readHead()).toBe(switching());
    });

    it('answers 500 and logs ws_init_crash when init selects one not offered (selectProtocol throws)', async () => {
      const { node, records } = testNode();
      const rec = recorder<null>((req, s) => ['websocket', req.selectProtocol('mqtt'), s]);
      const { connect } = await serveUpgrades(node, rec.handler, null);
      const client = await connect();
      client.write(upgradeRequest('/chat', { 'Sec-WebSocket-Protocol': 'chat, superchat' }));
      expect(await client.readToClose()).toBe(
        'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      const report = records.find((r) => r.label === 'ws_init_crash');
      expect(report).toMatchObject({ level: 'error', path: '/chat' });
      expect((report!.err as Error).message).toBe('sub-protocol "mqtt" was not offered by the client');
    });

    it('answers 500 and logs ws_init_bad_result when init sets a Sec-WebSocket-Protocol header not offered', async () => {
      const { node, records } = testNode();
      const rec = recorder<null>((req, s) => [
        'websocket',
        req.setRespHeader('Sec-WebSocket-Protocol', 'mqtt'),
        s,
      ]);
      const { connect, outcomes } = await serveUpgrades(node, rec.handler, null);
      const client = await connect();
      client.write(upgradeRequest('/chat', { 'Sec-WebSocket-Protocol': 'chat' }));
      expect(await client.readToClose()).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
      await until(() => outcomes.length === 1);
      expect(records.find((r) => r.label === 'ws_init_bad_result')).toMatchObject({
        level: 'error',
        path: '/chat',
        reason: 'the sub-protocol "mqtt" was not offered by the client',
      });
      expect(rec.terminations.map((t) => (t.reason as unknown[])[0])).toEqual(['crash']);
    });

    it('answers 500 when init sets Sec-WebSocket-Extensions itself (extensions are negotiated by the server)', async () => {
      const { node, records } = testNode();
      const rec = recorder<null>((req, s) => {
        // Set directly, in another case: every spelling counts.
        req.respHeaders['Sec-WebSocket-Extensions'] = 'permessage-deflate';
        return ['websocket', req, s, { compress: true }];
      });
      const { connect, outcomes } = await serveUpgrades(node, rec.handler, null);
      const client = await connect();
      client.write(upgradeRequest('/chat', { 'Sec-WebSocket-Extensions': 'permessage-deflate' }));
      expect(await client.readToClose()).toBe(
        'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      await until(() => outcomes.length === 1);
      expect(outcomes).toEqual([undefined]);
      expect(records.find((r) => r.label === 'ws_init_bad_result')).toMatchObject({
        level: 'error',
        path: '/chat',
        reason:
          'init set Sec-WebSocket-Extensions: extensions are negotiated by the server (the compress option)',
      });
      expect(rec.terminations.map((t) => (t.reason as unknown[])[0])).toEqual(['crash']);
    });
  });

  describe("init answering with plain HTTP (['ok', req, state])", () => {
    it("writes req.reply(401, ...) exactly, closes, and runs terminate('normal') as cowboy_handler does", async () => {
      const { node } = testNode();
      const rec = recorder<{ tries: number }>((req, s) => [
        'ok',
        req.reply(401, { 'www-authenticate': 'Bearer' }, 'nope'),
        { tries: s.tries + 1 },
      ]);
      const { connect, outcomes } = await serveUpgrades(node, rec.handler, { tries: 0 });
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readToClose()).toBe(
        'HTTP/1.1 401 Unauthorized\r\n' +
          'WWW-Authenticate: Bearer\r\n' +
          'Content-Length: 4\r\n' +
          'Connection: close\r\n\r\n' +
          'nope',
      );
      await until(() => outcomes.length === 1);
      expect(outcomes).toEqual([undefined]);
      expect(rec.terminations.map((t) => [t.reason, t.state])).toEqual([['normal', { tries: 1 }]]);
    });

    it('rejects a disallowed Origin with 403 (the origin check of RFC 6455 §10.2 belongs in init)', async () => {
      const { node } = testNode();
      const rec = recorder<null>((req, s) =>
        req.origin === 'https://good.example' ? ['websocket', req, s] : ['ok', req.reply(403), s],
      );
      const { connect } = await serveUpgrades(node, rec.handler, null);
      const evil = await connect();
      evil.write(upgradeRequest('/chat', { Origin: 'https://evil.example' }));
      expect(await evil.readToClose()).toBe(
        'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      const good = await connect();
      good.write(upgradeRequest('/chat', { Origin: 'https://good.example' }));
      expect(await good.readHead()).toBe(switching());
    });

    it('answers 204 when init sets no reply, with the response headers it set', async () => {
      const { node } = testNode();
      const rec = recorder<null>((req, s) => ['ok', req.setRespHeader('x-why', 'maintenance'), s]);
      const { connect } = await serveUpgrades(node, rec.handler, null);
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readToClose()).toBe(
        'HTTP/1.1 204 No Content\r\nX-Why: maintenance\r\nConnection: close\r\n\r\n',
      );
    });
  });

  describe('init failing', () => {
    it("answers 500, logs a ws_init_crash record with the error, and runs terminate(['crash', 'error', err])", async () => {
      const { node, records } = testNode();
      const boom = new Error('database down');
      const rec = recorder<{ id: number }>(() => {
        throw boom;
      });
      const { connect, outcomes } = await serveUpgrades(node, rec.handler, { id: 7 });
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readToClose()).toBe(
        'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      await until(() => outcomes.length === 1);
      expect(records.filter((r) => r.label === 'ws_init_crash')).toEqual([
        expect.objectContaining({ level: 'error', err: boom, path: '/chat', peer: '127.0.0.1' }),
      ]);
      expect(rec.terminations).toEqual([
        { reason: ['crash', 'error', boom], req: rec.inits[0], state: { id: 7 } },
      ]);
      expect(node.processCount()).toBe(0);
    });

    it('answers 500 the same way when an async init rejects', async () => {
      const { node, records } = testNode();
      const rec = recorder(async () => {
        await Promise.resolve();
        throw new Error('late');
      });
      const { connect } = await serveUpgrades(node, rec.handler, {});
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readToClose()).toMatch(/^HTTP\/1\.1 500 /);
      expect(records.find((r) => r.label === 'ws_init_crash')).toMatchObject({
        err: expect.objectContaining({ message: 'late' }),
      });
    });

    it.each([
      ['undefined', undefined, "init must return ['websocket', req, state, opts?] or ['ok', req, state]"],
      [
        "Cowboy's module atom",
        ['cowboy_websocket', 'req', {}],
        "init must return ['websocket', req, state, opts?] or ['ok', req, state]",
      ],
      [
        'a websocket result without the req',
        ['websocket', {}, {}],
        "init returned a malformed ['websocket', ...] result",
      ],
      ['an ok result with options', ['ok', 'REQ', {}, {}], "init returned a malformed ['ok', ...] result"],
    ])('answers 500 and logs ws_init_bad_result for a result that is %s', async (_what, result, reason) => {
      const { node, records } = testNode();
      const rec = recorder(
        (req) => (Array.isArray(result) ? result.map((x) => (x === 'REQ' ? req : x)) : result) as never,
      );
      const { connect, outcomes } = await serveUpgrades(node, rec.handler, {});
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readToClose()).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
      await until(() => outcomes.length === 1);
      expect(records.filter((r) => r.label === 'ws_init_bad_result')).toEqual([
        expect.objectContaining({ level: 'error', path: '/chat', reason }),
      ]);
    });

    it('answers 500 for options init returned that are not valid', async () => {
      const { node, records } = testNode();
      const rec = recorder((req, s) => ['websocket', req, s, { idleTimeout: -5 }]);
      const { connect } = await serveUpgrades(node, rec.handler, {});
      const client = await connect();
      client.write(upgradeRequest('/chat'));
      expect(await client.readToClose()).toMatch(/^HTTP\/1\.1 500 /);
      expect(records.find((r) => r.label === 'ws_init_bad_result')?.reason).toBe(
        'init: idleTimeout must be a number of ms >= 0 (or Infinity), got -5',
      );
    });
  });

  it('waits for an async init, then upgrades', async () => {
    const { node } = testNode();
    const gate = deferred();
    const rec = recorder<string>(async (req, s) => {
      await gate.promise;
      return ['websocket', req, `${s}!`];
    });
    const { connect, outcomes } = await serveUpgrades(node, rec.handler, 'ready');
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    await until(() => rec.inits.length === 1);
    expect(outcomes).toEqual([]);
    gate.resolve();
    expect(await client.readHead()).toBe(switching());
    await until(() => outcomes.length === 1);
    expect(node.processInfo(outcomes[0]!)?.state).toMatchObject({ state: 'ready!' });
  });

  it('applies the options init returns over the defaults given (maxFrameSize → 1009)', async () => {
    const { node } = testNode();
    const rec = recorder((req, s) => ['websocket', req, s, { maxFrameSize: 4 }]);
    const { connect } = await serveUpgrades(
      node,
      rec.handler,
      {},
      { defaults: { maxFrameSize: 1000, idleTimeout: 10 } },
    );
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    await client.readHead();
    client.sendFrame(Opcode.Text, 'too long');
    const frame = await client.readFrame();
    expect([frame.type, frame.closeCode]).toEqual(['close', 1009]);
  });

  it("runs terminate(['error', 'closed']) and starts nothing when the client leaves while init runs", async () => {
    const { node } = testNode();
    const rec = gatedRecorder<null>();
    const { release } = rec;
    const { connect, outcomes, sockets } = await serveUpgrades(node, rec.handler, null);
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    await until(() => rec.inits.length === 1);
    client.socket.resetAndDestroy(); // a TCP reset: the server socket errors (ECONNRESET) during init
    await until(() => sockets[0]!.destroyed, 'the server socket closed');
    release();
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual([undefined]);
    expect(rec.terminations.map((t) => t.reason)).toEqual([['error', 'closed']]);
    expect(node.processCount()).toBe(0);
  });

  it("answers 503 and runs terminate('shutdown') when the supervisor given is gone", async () => {
    const { node } = testNode();
    const supervisor = await DynamicSupervisor.start(node);
    await DynamicSupervisor.stop(supervisor, 'shutdown');
    const rec = recorder();
    const { connect } = await serveUpgrades(node, rec.handler, {}, { supervisor });
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    expect(await client.readToClose()).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(rec.terminations.map((t) => t.reason)).toEqual(['shutdown']);
  });

  it('starts the connection as a temporary child of the DynamicSupervisor given, linked to it', async () => {
    const { node } = testNode();
    const supervisor = await DynamicSupervisor.start(node);
    const rec = recorder();
    const { connect, outcomes } = await serveUpgrades(
      node,
      rec.handler,
      {},
      { supervisor, shutdownTimeout: 100 },
    );
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    expect(await client.readHead()).toBe(switching());
    await until(() => outcomes.length === 1);
    const pid = outcomes[0]!;
    expect(await DynamicSupervisor.whichChildren(supervisor)).toEqual([[undefined, pid, 'worker']]);
    expect(node.processInfo(pid)?.links).toEqual([supervisor]);
    // Stopping the supervisor closes the connection with 1001 (going away) and runs terminate.
    await DynamicSupervisor.stop(supervisor, 'shutdown');
    const frame = await client.readFrame();
    expect([frame.type, frame.closeCode]).toEqual(['close', 1001]);
    expect(rec.terminations.map((t) => t.reason)).toEqual(['shutdown']);
  });

  it('closes with 1011 after the 101 and logs ws_start_failed when the supervisor refuses the child', async () => {
    const { node, records } = testNode();
    const supervisor = await DynamicSupervisor.start(node, { maxChildren: 0 });
    const rec = recorder();
    const { connect, outcomes } = await serveUpgrades(node, rec.handler, {}, { supervisor });
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    expect(await client.readHead()).toBe(switching());
    const frame = await client.readFrame();
    expect([frame.type, frame.closeCode]).toEqual(['close', 1011]);
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual([undefined]);
    expect(records.find((r) => r.label === 'ws_start_failed')).toMatchObject({
      level: 'error',
      reason: 'max_children',
    });
    expect(rec.terminations.map((t) => t.reason)).toEqual([['crash', 'error', 'max_children']]);
    await DynamicSupervisor.stop(supervisor, 'shutdown');
  });

  it("runs terminate(['error', 'closed']) when the client left before the supervisor started the connection", async () => {
    const { node } = testNode();
    const supervisor = await DynamicSupervisor.start(node);
    const rec = recorder();
    const { connect, outcomes, sockets } = await serveUpgrades(node, rec.handler, {}, { supervisor });
    // The supervisor is busy (its mailbox waits) until `release`: the start runs after the client is gone.
    let release!: () => void;
    const busy = DynamicSupervisor.startChild(supervisor, {
      start: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))),
      restart: 'temporary',
    });
    await until(() => release !== undefined, 'the supervisor busy');
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    await client.readHead();
    client.socket.resetAndDestroy();
    await until(() => sockets[0]!.destroyed, 'the server socket closed');
    release();
    await busy;
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual([undefined]);
    expect(rec.terminations.map((t) => t.reason)).toEqual([['error', 'closed']]);
    expect(await DynamicSupervisor.whichChildren(supervisor)).toEqual([]);
    await DynamicSupervisor.stop(supervisor, 'shutdown');
  });

  it('lets the same server keep answering plain HTTP requests (the Express/Fastify case)', async () => {
    const { node } = testNode();
    const rec = recorder();
    const { port, connect } = await serveUpgrades(node, rec.handler, {});
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect([res.status, await res.text()]).toEqual([200, 'plain http']);
    const client = await connect();
    client.write(upgradeRequest('/chat'));
    expect(await client.readHead()).toBe(switching());
  });
});
