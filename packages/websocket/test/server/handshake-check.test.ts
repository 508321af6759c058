import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkHandshake, type RequestHead } from '../../src/server/handshake-check.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The RFC 6455 §1.2 sample request, with headers changed or removed (`undefined`) as given. */
function request(
  headers: Record<string, string | undefined> = {},
  head: Partial<RequestHead> = {},
): RequestHead {
  const all: Record<string, string | undefined> = {
    host: 'server.example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
    ...headers,
  };
  const clean: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined) clean[k] = v;
  return { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: clean, ...head };
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

describe('checkHandshake (RFC 6455 §4.2.1)', () => {
  it('accepts the RFC 6455 §1.2 sample request and returns its key', () => {
    expect(checkHandshake(request())).toEqual({ ok: true, key: KEY });
  });

  it('accepts HTTP versions above 1.1 ("HTTP/1.1 or higher")', () => {
    expect(checkHandshake(request({}, { httpVersionMajor: 2, httpVersionMinor: 0 })).ok).toBe(true);
  });

  it('treats Upgrade and Connection as case-insensitive token lists (Connection: keep-alive, Upgrade as browsers send)', () => {
    expect(checkHandshake(request({ upgrade: 'WebSocket', connection: 'keep-alive, UPGRADE' })).ok).toBe(
      true,
    );
    expect(checkHandshake(request({ upgrade: 'h2c, websocket' })).ok).toBe(true);
  });

  it('accepts well-formed sub-protocol and extension offers', () => {
    const r = request({
      'sec-websocket-protocol': 'chat, superchat',
      'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
    });
    expect(checkHandshake(r)).toEqual({ ok: true, key: KEY });
  });

  it.each([
    ['a method other than GET (item 1)', request({}, { method: 'POST' }), 'The method must be GET, not POST'],
    [
      'HTTP/1.0 (item 1)',
      request({}, { httpVersionMinor: 0 }),
      'HTTP/1.1 or later is required, not HTTP/1.0',
    ],
    ['no Host (item 2)', request({ host: undefined }), 'Missing Host header'],
    ['no Upgrade (item 3)', request({ upgrade: undefined }), 'The Upgrade header must name websocket'],
    ['Upgrade: h2c (item 3)', request({ upgrade: 'h2c' }), 'The Upgrade header must name websocket'],
    [
      'no Connection (item 4)',
      request({ connection: undefined }),
      'The Connection header must include upgrade',
    ],
    [
      'Connection: keep-alive (item 4)',
      request({ connection: 'keep-alive' }),
      'The Connection header must include upgrade',
    ],
    [
      'no Sec-WebSocket-Key (item 5)',
      request({ 'sec-websocket-key': undefined }),
      'Missing or invalid Sec-WebSocket-Key header (base64 of 16 bytes)',
    ],
    [
      'a key that is base64 of 15 bytes (item 5)',
      request({ 'sec-websocket-key': Buffer.alloc(15).toString('base64') }),
      'Missing or invalid Sec-WebSocket-Key header (base64 of 16 bytes)',
    ],
    [
      'two keys, joined by Node (item 5)',
      request({ 'sec-websocket-key': `${KEY}, ${KEY}` }),
      'Missing or invalid Sec-WebSocket-Key header (base64 of 16 bytes)',
    ],
  ])('rejects %s with 400 and a one-line reason', (_what, r, reason) => {
    expect(checkHandshake(r)).toEqual({ ok: false, status: 400, headers: TEXT, body: reason });
  });

  it.each([
    ['missing', undefined],
    ['8 (a draft)', '8'],
    ['14', '14'],
    ['repeated (13, 13)', '13, 13'],
  ])('answers a %s Sec-WebSocket-Version with 426 naming version 13 (§4.4)', (_what, version) => {
    expect(checkHandshake(request({ 'sec-websocket-version': version }))).toEqual({
      ok: false,
      status: 426,
      headers: { 'Sec-WebSocket-Version': '13', Upgrade: 'websocket', Connection: 'Upgrade', ...TEXT },
      body: 'Unsupported or missing Sec-WebSocket-Version (this server speaks 13)',
    });
  });

  it('checks the key before the version, in the order of §4.2.1', () => {
    const r = request({ 'sec-websocket-key': 'nope', 'sec-websocket-version': '8' });
    expect(checkHandshake(r)).toMatchObject({ ok: false, status: 400 });
  });

  it.each([
    ['a sub-protocol listed twice', { 'sec-websocket-protocol': 'chat, chat' }, /listed twice/],
    ['a sub-protocol that is not a token', { 'sec-websocket-protocol': 'chat, "super"' }, /expected a token/],
    [
      'an extension parameter without a name',
      { 'sec-websocket-extensions': 'permessage-deflate; =1' },
      /a parameter name/,
    ],
  ])('rejects %s with 400 (§4.1, §9.1)', (_what, headers, reason) => {
    const r = checkHandshake(request(headers));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(400);
    expect(r.body).toMatch(reason);
  });
});
