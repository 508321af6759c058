import { describe, expect, it } from 'vitest';
import { formatExtensions, parseExtensions } from '../../src/handshake/extensions.js';
import { HeaderSyntaxError } from '../../src/handshake/header-tokens.js';

describe('parseExtensions', () => {
  it("parses Chromium's offer: permessage-deflate; client_max_window_bits", () => {
    expect(parseExtensions('permessage-deflate; client_max_window_bits')).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
    ]);
  });

  it("parses Firefox's offer: permessage-deflate", () => {
    expect(parseExtensions('permessage-deflate')).toEqual([{ name: 'permessage-deflate', params: [] }]);
  });

  it('keeps several offers, and the parameters of each, in order (RFC 6455 §9.1)', () => {
    expect(
      parseExtensions(
        'permessage-deflate; client_max_window_bits=10; server_no_context_takeover, permessage-deflate, x-webkit-deflate-frame',
      ),
    ).toEqual([
      {
        name: 'permessage-deflate',
        params: [
          ['client_max_window_bits', '10'],
          ['server_no_context_takeover', true],
        ],
      },
      { name: 'permessage-deflate', params: [] },
      { name: 'x-webkit-deflate-frame', params: [] },
    ]);
  });

  it('unquotes quoted-string values, including escaped characters', () => {
    expect(parseExtensions('foo; bar="10"; baz="a\\bc"')).toEqual([
      {
        name: 'foo',
        params: [
          ['bar', '10'],
          ['baz', 'abc'],
        ],
      },
    ]);
  });

  it('allows whitespace around ";", "," and "=" (RFC 2616 implied *LWS)', () => {
    expect(parseExtensions(' foo ;bar = 1 ;\tbaz ,  qux ')).toEqual([
      {
        name: 'foo',
        params: [
          ['bar', '1'],
          ['baz', true],
        ],
      },
      { name: 'qux', params: [] },
    ]);
  });

  it('joins several header lines, as "foo" + "bar; baz=2" equals "foo, bar; baz=2" (RFC 6455 §9.1)', () => {
    expect(parseExtensions(['foo', 'bar; baz=2'])).toEqual(parseExtensions('foo, bar; baz=2'));
    expect(parseExtensions(['foo', 'bar; baz=2'])).toEqual([
      { name: 'foo', params: [] },
      { name: 'bar', params: [['baz', '2']] },
    ]);
  });

  it('skips empty list elements and returns no offers for an empty or absent header', () => {
    expect(parseExtensions(', foo ,, bar,')).toEqual([
      { name: 'foo', params: [] },
      { name: 'bar', params: [] },
    ]);
    expect(parseExtensions('')).toEqual([]);
    expect(parseExtensions(undefined)).toEqual([]);
  });

  it.each([
    ['a parameter without a name', 'foo;', 4, 'expected a parameter name, found the end'],
    ['a list starting with ";"', ';foo', 0, 'expected an extension name, found ";"'],
    ['a missing value', 'foo; bar=', 9, 'expected a value for bar, found the end'],
    ['two tokens without a separator', 'foo bar', 4, 'expected ";" or ",", found "b"'],
    ['a value of two tokens', 'foo; bar=1 2', 11, 'expected ";" or ",", found "2"'],
    [
      'a quoted value that is not a token',
      'foo; bar="a b"',
      9,
      'the quoted value "a b" of bar is not a token (RFC 6455 §9.1)',
    ],
    ['an empty quoted value', 'foo; bar=""', 9, 'the quoted value "" of bar is not a token (RFC 6455 §9.1)'],
    ['an unterminated quoted string', 'foo; bar="10', 9, 'unterminated quoted string'],
    ['a separator in a name', 'foo/bar', 3, 'expected ";" or ",", found "/"'],
    [
      'a control character in a quoted string',
      'foo; bar="1\u00012"',
      11,
      'control character 0x1 in a quoted string',
    ],
    ['an empty element before parameters', 'foo,; x', 4, 'expected an extension name, found ";"'],
  ])('rejects %s with a HeaderSyntaxError', (_name, value, index, message) => {
    try {
      parseExtensions(value);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HeaderSyntaxError);
      expect(error).toMatchObject({ header: 'sec-websocket-extensions', index });
      expect((error as Error).message).toBe(
        `Invalid sec-websocket-extensions header at index ${index}: ${message}`,
      );
    }
  });
});

describe('formatExtensions', () => {
  it('formats a server answer: name; param; param=value', () => {
    expect(
      formatExtensions([
        {
          name: 'permessage-deflate',
          params: [
            ['server_no_context_takeover', true],
            ['client_max_window_bits', '10'],
          ],
        },
      ]),
    ).toBe('permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
  });

  it('joins several extensions with ", " and formats none as ""', () => {
    expect(
      formatExtensions([
        { name: 'a', params: [] },
        { name: 'b', params: [['c', true]] },
      ]),
    ).toBe('a, b; c');
    expect(formatExtensions([])).toBe('');
  });

  it('round-trips with parseExtensions', () => {
    const offers = parseExtensions('permessage-deflate; client_max_window_bits="15"; x, foo; bar=baz');
    expect(parseExtensions(formatExtensions(offers))).toEqual(offers);
    expect(formatExtensions(offers)).toBe('permessage-deflate; client_max_window_bits=15; x, foo; bar=baz');
  });

  it('rejects names and values that are not tokens', () => {
    expect(() => formatExtensions([{ name: 'bad name', params: [] }])).toThrow(TypeError);
    expect(() => formatExtensions([{ name: 'ok', params: [['p=', true]] }])).toThrow(/not a token/);
    expect(() => formatExtensions([{ name: 'ok', params: [['p', 'a b']] }])).toThrow(/RFC 6455 §9.1/);
  });
});
