import { describe, expect, it } from 'vitest';
import {
  buildHttpResponse,
  buildUpgradeResponse,
  canonicalHeaderName,
  InvalidHeaderError,
} from '../../src/server/http-response.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('buildUpgradeResponse', () => {
  it('answers the RFC 6455 §1.3 sample key with exactly the 101 of §1.2 (accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=)', () => {
    expect(buildUpgradeResponse(KEY).toString('latin1')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
        '\r\n',
    );
  });

  it('adds the response headers init set (the sub-protocol first) and then the negotiated extensions', () => {
    const bytes = buildUpgradeResponse(
      KEY,
      { 'sec-websocket-protocol': 'chat', 'x-served-by': 'node-1' },
      'permessage-deflate',
    );
    expect(bytes.toString('latin1')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
        'Sec-WebSocket-Protocol: chat\r\n' +
        'X-Served-By: node-1\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate\r\n' +
        '\r\n',
    );
  });

  it('never lets response headers replace Upgrade, Connection or Sec-WebSocket-Accept', () => {
    const bytes = buildUpgradeResponse(KEY, {
      connection: 'close',
      upgrade: 'h2c',
      'sec-websocket-accept': 'x',
    });
    expect(bytes.toString('latin1')).toBe(buildUpgradeResponse(KEY).toString('latin1'));
  });

  it('refuses a header value with CR or LF (no response splitting)', () => {
    expect(() => buildUpgradeResponse(KEY, { 'x-evil': 'a\r\nSet-Cookie: x=1' })).toThrow(InvalidHeaderError);
    expect(() => buildUpgradeResponse(KEY, { 'bad name': 'a' })).toThrow(InvalidHeaderError);
  });
});

describe('buildHttpResponse', () => {
  it('writes status line, headers in order, Content-Length, Connection: close, then the body — no Date', () => {
    const bytes = buildHttpResponse(
      401,
      { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' },
      'nope',
    );
    expect(bytes.toString('latin1')).toBe(
      'HTTP/1.1 401 Unauthorized\r\n' +
        'WWW-Authenticate: Bearer\r\n' +
        'Content-Type: text/plain\r\n' +
        'Content-Length: 4\r\n' +
        'Connection: close\r\n' +
        '\r\n' +
        'nope',
    );
  });

  it('counts the body in bytes, not characters', () => {
    const bytes = buildHttpResponse(200, {}, 'héllo');
    expect(bytes.toString()).toContain('Content-Length: 6\r\n');
    expect(bytes.subarray(bytes.length - 6).toString()).toBe('héllo');
  });

  it('merges a Connection header given with close (a 426 says Connection: Upgrade, close)', () => {
    const bytes = buildHttpResponse(426, { Upgrade: 'websocket', Connection: 'Upgrade' });
    expect(bytes.toString('latin1')).toBe(
      'HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nContent-Length: 0\r\nConnection: Upgrade, close\r\n\r\n',
    );
  });

  it('computes the framing itself: a Content-Length or Transfer-Encoding given is dropped', () => {
    const bytes = buildHttpResponse(200, { 'content-length': '99', 'transfer-encoding': 'chunked' }, 'ok');
    expect(bytes.toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok',
    );
  });

  it('writes one line per element of an array value (Set-Cookie)', () => {
    const bytes = buildHttpResponse(403, { 'set-cookie': ['a=1', 'b=2'] });
    expect(bytes.toString('latin1')).toContain('Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n');
  });

  it('sends no Content-Length with a 204 (RFC 9110 §8.6) and refuses a body on it', () => {
    expect(buildHttpResponse(204).toString('latin1')).toBe(
      'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n',
    );
    expect(() => buildHttpResponse(204, {}, 'x')).toThrow(RangeError);
  });

  it('refuses a status outside 200-599', () => {
    expect(() => buildHttpResponse(101)).toThrow(RangeError);
    expect(() => buildHttpResponse(600)).toThrow(RangeError);
    expect(() => buildHttpResponse(200.5)).toThrow(RangeError);
  });
});

describe('canonicalHeaderName', () => {
  it.each([
    ['sec-websocket-protocol', 'Sec-WebSocket-Protocol'],
    ['SEC-WEBSOCKET-VERSION', 'Sec-WebSocket-Version'],
    ['x-request-id', 'X-Request-Id'],
    ['www-authenticate', 'WWW-Authenticate'],
    ['content-type', 'Content-Type'],
  ])('%s → %s', (name, canonical) => {
    expect(canonicalHeaderName(name)).toBe(canonical);
  });
});
