import { describe, expect, it } from 'vitest';
import type { Handler } from '../../src/handler/handler.js';
import { compileRoutes, type RouteMatch, splitPath } from '../../src/server/routes.js';

const handler = (): Handler<unknown> => ({
  init: (req, state) => ['websocket', req, state],
  websocketHandle: (_frame, state) => ['ok', state],
});
const a = handler();
const b = handler();

describe('compileRoutes: the object form { path: [handler, state, opts?] }', () => {
  it('matches a literal path and hands back its handler, state and options', () => {
    const router = compileRoutes({ '/echo': [a, { n: 1 }], '/chat': [b, 'chat', { idleTimeout: 5 }] });
    expect(router.match('/echo')).toEqual({
      path: '/echo',
      handler: a,
      state: { n: 1 },
      opts: {},
      bindings: {},
    });
    expect(router.match('/chat')).toMatchObject({ handler: b, state: 'chat', opts: { idleTimeout: 5 } });
  });

  it('hands every match of a route the same options object, and one frozen empty bindings object when nothing is bound', () => {
    const opts = { idleTimeout: 5 };
    const router = compileRoutes({
      '/echo': [a, {}],
      '/chat': [b, 'chat', opts],
      '/rooms/:room': [a, {}],
      _: [b, {}],
    });
    const [e1, e2, c1, r1, r2, any] = ['/echo', '/echo', '/chat', '/rooms/1', '/rooms/2', '/x'].map((p) =>
      router.match(p),
    ) as RouteMatch[];
    expect(e1!.opts).toBe(e2!.opts);
    expect(c1!.opts).toBe(opts);
    expect(e1!.bindings).toBe(e2!.bindings);
    expect(any!.bindings).toBe(e1!.bindings);
    expect(Object.isFrozen(e1!.bindings)).toBe(true);
    expect(e1!.bindings).toEqual({});
    // Routes that bind get their own object each time.
    expect([r1!.bindings, r2!.bindings]).toEqual([{ room: '1' }, { room: '2' }]);
    expect(r1!.bindings).not.toBe(r2!.bindings);
  });

  it('answers notfound for a path no route matches (the listener answers 404, as cowboy_router)', () => {
    expect(compileRoutes({ '/echo': [a, {}] }).match('/nope')).toBe('notfound');
    expect(compileRoutes({ '/echo': [a, {}] }).match('/echo/more')).toBe('notfound');
  });

  it('binds :name segments into bindings, URL-decoded', () => {
    const router = compileRoutes({ '/rooms/:room/users/:user': [a, {}] });
    expect(router.match('/rooms/l%C3%B6bby/users/42')).toMatchObject({
      bindings: { room: 'löbby', user: '42' },
    });
  });

  it('requires a name bound twice to match the same value (cowboy_router list_match)', () => {
    const router = compileRoutes({ '/:x/:x': [a, {}] });
    expect(router.match('/same/same')).toMatchObject({ bindings: { x: 'same' } });
    expect(router.match('/one/two')).toBe('notfound');
  });

  it('matches any segment with :_ without binding it', () => {
    expect(compileRoutes({ '/:_/ws': [a, {}] }).match('/v1/ws')).toMatchObject({ bindings: {} });
  });

  it('tries routes in order: the first match wins', () => {
    const router = compileRoutes({ '/rooms/lobby': [a, 'exact'], '/rooms/:room': [b, 'any'] });
    expect(router.match('/rooms/lobby')).toMatchObject({ state: 'exact' });
    expect(router.match('/rooms/other')).toMatchObject({ state: 'any', bindings: { room: 'other' } });
  });
});

describe('compileRoutes: the array form [{ path, handler, state, opts }]', () => {
  it('matches like the object form, in array order', () => {
    const router = compileRoutes([
      { path: '/a', handler: a, state: 1 },
      { path: '/b/:id', handler: b, state: 2, opts: { maxFrameSize: 10 } },
    ]);
    expect(router.paths).toEqual(['/a', '/b/:id']);
    expect(router.match('/b/7')).toEqual({
      path: '/b/:id',
      handler: b,
      state: 2,
      opts: { maxFrameSize: 10 },
      bindings: { id: '7' },
    });
  });
});

describe('patterns', () => {
  it('makes bracketed segments optional, nested ones too', () => {
    const router = compileRoutes({ '/hats/[page/:number[/:size]]': [a, {}] });
    expect(router.match('/hats')).toMatchObject({ bindings: {} });
    expect(router.match('/hats/page/2')).toMatchObject({ bindings: { number: '2' } });
    expect(router.match('/hats/page/2/xl')).toMatchObject({ bindings: { number: '2', size: 'xl' } });
    expect(router.match('/hats/page')).toBe('notfound');
  });

  it('matches the rest of the path with [...] or a final *, bound as "..."', () => {
    const router = compileRoutes({ '/static/[...]': [a, 1], '/files/*': [b, 2] });
    expect(router.match('/static')).toMatchObject({ state: 1, bindings: { '...': '' } });
    expect(router.match('/static/css/site.css')).toMatchObject({
      state: 1,
      bindings: { '...': 'css/site.css' },
    });
    expect(router.match('/files/x/y')).toMatchObject({ state: 2, bindings: { '...': 'x/y' } });
  });

  it('matches every path with _ or * alone', () => {
    expect(compileRoutes({ _: [a, {}] }).match('/anything/at/all')).toMatchObject({ handler: a });
    expect(compileRoutes({ '*': [a, {}] }).match('/')).toMatchObject({ handler: a });
  });

  it('ignores a trailing slash and resolves dot segments, as Cowboy splits paths', () => {
    const router = compileRoutes({ '/a/b': [a, {}], '/': [b, {}] });
    expect(router.match('/a/b/')).toMatchObject({ handler: a });
    expect(router.match('/a/x/../b')).toMatchObject({ handler: a });
    expect(router.match('/')).toMatchObject({ handler: b });
  });

  it('answers badrequest for a path that cannot be decoded or does not start with /', () => {
    const router = compileRoutes({ '/:x': [a, {}] });
    expect(router.match('/%E0%A4%A')).toBe('badrequest');
    expect(router.match('http://example.com/x')).toBe('badrequest');
  });

  it.each([
    ['no leading slash', { echo: [a, {}] }, /must begin with a slash/],
    ['an unclosed bracket', { '/a/[b': [a, {}] }, /Unbalanced "\["/],
    ['a stray closing bracket', { '/a/b]': [a, {}] }, /Unbalanced "\]"/],
    ['[...] before the end', { '/a/[...]/b': [a, {}] }, /must end the route/],
    ['an empty binding name', { '/a/:': [a, {}] }, /Invalid binding name/],
    ['a handler without websocketHandle', { '/a': [{ init: () => null }, {}] }, /init and websocketHandle/],
    ['a target that is not an array', { '/a': a }, /must map to \[handler, state\]/],
    ['bad route options', { '/a': [a, {}, { idleTimeout: -1 }] }, /idleTimeout must be/],
  ])('refuses at compile time %s', (_what, routes, message) => {
    expect(() => compileRoutes(routes as never)).toThrow(message);
  });
});

describe('splitPath (cowboy_router split_path)', () => {
  it.each([
    ['/', []],
    ['/a/b', ['a', 'b']],
    ['/a//b', ['a', '', 'b']],
    ['/a%2Fb', ['a/b']],
    ['/../a/./b/../c', ['a', 'c']],
  ])('%s → %j', (path, segments) => {
    expect(splitPath(path)).toEqual(segments);
  });
});
