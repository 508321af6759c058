import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WS_OPTIONS } from '../../src/handler/handler.js';
import { compactReq, Req } from '../../src/handler/request.js';

function incoming(url: string, headers: Record<string, string>): IncomingMessage {
  return {
    method: 'GET',
    url,
    headers,
    socket: { remoteAddress: '127.0.0.1', remotePort: 40000 },
  } as unknown as IncomingMessage;
}

describe('reqFilter (Cowboy req_filter): what a connection keeps of its request', () => {
  it('by default keeps the method, path, query string, peer and bindings and drops the headers', () => {
    const req = new Req(incoming('/rooms/7?user=ada', { 'sec-websocket-protocol': 'chat', cookie: 'x=1' }), {
      room: '7',
    });
    req.selectProtocol('chat');
    const kept = DEFAULT_WS_OPTIONS.reqFilter(req);
    expect(DEFAULT_WS_OPTIONS.reqFilter).toBe(compactReq);
    expect(kept).toBeInstanceOf(Req);
    expect([kept.method, kept.path, kept.qs, kept.query.get('user')]).toEqual([
      'GET',
      '/rooms/7',
      'user=ada',
      'ada',
    ]);
    expect(kept.peer).toEqual({ address: '127.0.0.1', port: 40000 });
    expect(kept.bindings).toEqual({ room: '7' });
    expect(kept.headers).toEqual({});
    expect(kept.header('cookie')).toBeUndefined();
    expect(kept.raw).toBeUndefined();
    expect(kept.respHeaders).toEqual({ 'sec-websocket-protocol': 'chat' });
  });

  it('leaves the request init saw untouched (a handler may keep it in its state)', () => {
    const req = new Req(incoming('/chat', { 'sec-websocket-protocol': 'chat, superchat' }));
    const kept = compactReq(req);
    expect(kept).not.toBe(req);
    expect(req.protocols).toEqual(['chat', 'superchat']);
    expect(req.header('sec-websocket-protocol')).toBe('chat, superchat');
  });
});
