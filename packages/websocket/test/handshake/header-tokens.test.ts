import { describe, expect, it } from 'vitest';
import {
  HeaderSyntaxError,
  hasToken,
  isToken,
  parseSubprotocols,
  parseTokenList,
} from '../../src/handshake/header-tokens.js';

describe('hasToken', () => {
  it('finds "upgrade" in the Connection header browsers send, case-insensitively', () => {
    expect(hasToken('keep-alive, Upgrade', 'upgrade')).toBe(true);
    expect(hasToken('Upgrade', 'upgrade')).toBe(true);
    expect(hasToken('UPGRADE', 'Upgrade')).toBe(true);
    expect(hasToken('keep-alive,upgrade', 'upgrade')).toBe(true);
  });

  it('does not find it in other tokens or when absent', () => {
    expect(hasToken('keep-alive', 'upgrade')).toBe(false);
    expect(hasToken('upgrades, not-upgrade', 'upgrade')).toBe(false);
    expect(hasToken('', 'upgrade')).toBe(false);
    expect(hasToken(undefined, 'upgrade')).toBe(false);
  });

  it('looks through several header lines', () => {
    expect(hasToken(['keep-alive', 'Upgrade'], 'upgrade')).toBe(true);
    expect(hasToken(['websocket'], 'WebSocket')).toBe(true);
  });
});

describe('parseTokenList', () => {
  it('returns the tokens in order, case kept, whitespace around commas ignored', () => {
    expect(parseTokenList(' keep-alive ,\tUpgrade ')).toEqual(['keep-alive', 'Upgrade']);
  });

  it('skips empty list elements (RFC 9110 §5.6.1)', () => {
    expect(parseTokenList(', a,, b ,')).toEqual(['a', 'b']);
    expect(parseTokenList('')).toEqual([]);
    expect(parseTokenList(undefined)).toEqual([]);
  });

  it('joins several header lines into one list', () => {
    expect(parseTokenList(['a, b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('throws a HeaderSyntaxError saying where the value breaks the grammar', () => {
    expect(() => parseTokenList('a b', 'connection')).toThrow(HeaderSyntaxError);
    try {
      parseTokenList('good, b@d', 'connection');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SyntaxError);
      expect(error).toMatchObject({ header: 'connection', index: 7 });
      expect((error as Error).message).toBe(
        'Invalid connection header at index 7: expected "," after a token, found "@"',
      );
    }
    expect(() => parseTokenList('"quoted"')).toThrow(/expected a token/);
  });
});

describe('parseSubprotocols', () => {
  it('returns the offered sub-protocols in order of preference, case kept', () => {
    expect(parseSubprotocols('chat, superchat')).toEqual(['chat', 'superchat']);
    expect(parseSubprotocols(['mqtt', 'v12.stomp, Chat'])).toEqual(['mqtt', 'v12.stomp', 'Chat']);
  });

  it('treats protocol names as case-sensitive: "chat" and "Chat" are different', () => {
    expect(parseSubprotocols('chat, Chat')).toEqual(['chat', 'Chat']);
  });

  it('rejects a sub-protocol listed twice (RFC 6455 §4.1: "MUST all be unique strings")', () => {
    expect(() => parseSubprotocols('chat, superchat, chat')).toThrow(/listed twice/);
  });

  it('rejects separators and non-ASCII characters (RFC 6455 §4.1)', () => {
    for (const bad of ['chat/1', 'a;b', 'sp ace', 'ü', '(x)']) {
      expect(() => parseSubprotocols(bad), bad).toThrow(HeaderSyntaxError);
    }
  });
});

describe('isToken', () => {
  it('accepts tchar strings only (RFC 9110 §5.6.2)', () => {
    expect(isToken("!#$%&'*+-.^_`|~09azAZ")).toBe(true);
    for (const bad of [
      '',
      ' ',
      '"',
      '(',
      ')',
      ',',
      '/',
      ':',
      ';',
      '<',
      '=',
      '>',
      '?',
      '@',
      '[',
      '\\',
      ']',
      '{',
      '}',
      'é',
      '\x7f',
    ]) {
      expect(isToken(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
