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

  it('keeps the response headers init set, and none when it set none; the copy still takes new ones', () => {
    const plain = compactReq(new Req(incoming('/chat', {})));
    expect(plain.respHeaders).toEqual({});
    plain.setRespHeader('X-Late', '1');
    expect(plain.respHeaders).toEqual({ 'x-late': '1' });
    const req = new Req(incoming('/chat', {}));
    req.setRespHeader('X-Trace', 'abc');
    expect(compactReq(req).respHeaders).toEqual({ 'x-trace': 'abc' });
  });

  it('a request bound nothing has the one frozen empty bindings object, kept by its copy', () => {
    const one = new Req(incoming('/a', {}));
    const two = new Req(incoming('/b', {}));
    expect(one.bindings).toEqual({});
    expect(one.bindings).toBe(two.bindings);
    expect(Object.isFrozen(one.bindings)).toBe(true);
    expect(compactReq(one).bindings).toBe(one.bindings);
  });

  it('keeps a method other than GET (the usual one is held by the prototype)', () => {
    const post = new Req({ ...incoming('/p', {}), method: 'POST' } as IncomingMessage);
    expect([post.method, compactReq(post).method]).toEqual(['POST', 'POST']);
    const get = new Req(incoming('/g', {}));
    expect([get.method, compactReq(get).method, Object.hasOwn(get, 'method')]).toEqual(['GET', 'GET', false]);
  });

  it("a compact copy holds nothing of init's: no node request, reply, response headers or parsed offers", () => {
    const req = new Req(incoming('/a?b=c', { 'sec-websocket-protocol': 'chat' }), { room: '7' });
    expect(req.protocols).toEqual(['chat']);
    expect(req.query.get('b')).toBe('c');
    req.reply(401, {}, 'no');
    const kept = compactReq(req);
    // White-box: the side object (raw, reply, response headers, parsed offers) is not there at all.
    expect((kept as unknown as { side: unknown }).side).toBeUndefined();
    expect([kept.raw, kept.httpReply]).toEqual([undefined, undefined]);
    expect(req.httpReply).toEqual({ status: 401, headers: {}, body: 'no' });
    expect(req.raw).toBeDefined();
  });

  it('a compact copy answers as the request does for what it keeps: peer, query, path, a header it dropped', () => {
    const req = new Req(incoming('/rooms/7?user=ada&x=1', { origin: 'https://a.example' }), { room: '7' });
    const kept = compactReq(compactReq(req));
    expect(kept.peer).toEqual(req.peer);
    expect(kept.peer).not.toBe(kept.peer); // a fresh object each time: nothing extra is kept
    expect([...kept.query]).toEqual([
      ['user', 'ada'],
      ['x', '1'],
    ]);
    expect([kept.path, kept.qs, kept.method, kept.origin, kept.protocols]).toEqual([
      '/rooms/7',
      'user=ada&x=1',
      'GET',
      undefined,
      [],
    ]);
    expect(req.origin).toBe('https://a.example');
  });

  it('leaves the request init saw untouched (a handler may keep it in its state)', () => {
    const req = new Req(incoming('/chat', { 'sec-websocket-protocol': 'chat, superchat' }));
    const kept = compactReq(req);
    expect(kept).not.toBe(req);
    expect(req.protocols).toEqual(['chat', 'superchat']);
    expect(req.header('sec-websocket-protocol')).toBe('chat, superchat');
  });
});
