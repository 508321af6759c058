/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1) on the offers real clients send and on
 * offers built to break each rule of §7: declined offers fall back to the next one, and a
 * declined extension never fails the handshake.
 */
import { describe, expect, it } from 'vitest';
import type { DeflateOptions } from '../../src/deflate/deflate-options.js';
import { negotiateDeflate } from '../../src/deflate/negotiate.js';
import { parseExtensions } from '../../src/handshake/extensions.js';

/** The response header for `offer` (undefined: declined), with `options`. */
const answer = (offer: string, options?: DeflateOptions): string | undefined =>
  negotiateDeflate(parseExtensions(offer), options)?.header;

const params = (offer: string, options?: DeflateOptions) =>
  negotiateDeflate(parseExtensions(offer), options)?.params;

const DEFAULT_PARAMS = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

describe('negotiateDeflate: what real clients offer', () => {
  it("accepts Chromium's offer `permessage-deflate; client_max_window_bits` with a bare `permessage-deflate`", () => {
    // A bare client_max_window_bits says the client can take a limit (§7.1.2.2); with none to give
    // (15), the response leaves it out: its absence means 32 KiB.
    expect(answer('permessage-deflate; client_max_window_bits')).toBe('permessage-deflate');
    expect(params('permessage-deflate; client_max_window_bits')).toEqual(DEFAULT_PARAMS);
  });

  it("accepts Firefox's offer `permessage-deflate`", () => {
    expect(answer('permessage-deflate')).toBe('permessage-deflate');
    expect(params('permessage-deflate')).toEqual(DEFAULT_PARAMS);
  });

  it("accepts Python websockets' default offer `permessage-deflate; client_max_window_bits` (and ws's, the same)", () => {
    const n = negotiateDeflate(parseExtensions('permessage-deflate; client_max_window_bits'));
    expect(n).toMatchObject({ header: 'permessage-deflate', offer: 0, params: DEFAULT_PARAMS });
  });

  it('answers client_max_window_bits (offered without a value) with the configured limit when it is below 15', () => {
    expect(answer('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 })).toBe(
      'permessage-deflate; client_max_window_bits=10',
    );
    expect(params('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 })).toMatchObject({
      clientMaxWindowBits: 10,
    });
  });

  it('never answers client_max_window_bits without a value (clients such as Python websockets reject that)', () => {
    for (const offer of [
      'permessage-deflate; client_max_window_bits',
      'permessage-deflate; client_max_window_bits=15',
      'permessage-deflate; client_max_window_bits=9',
    ]) {
      const header = answer(offer, { clientMaxWindowBits: 12 })!;
      for (const ext of parseExtensions(header))
        for (const [name, value] of ext.params)
          if (name === 'client_max_window_bits') expect(value).not.toBe(true);
    }
  });
});

describe('negotiateDeflate: several offers, in order of preference (§5)', () => {
  it('takes the first acceptable offer: the example of §7.1.3 (server_max_window_bits=10, then a fallback)', () => {
    const offer =
      'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits';
    const n = negotiateDeflate(parseExtensions(offer))!;
    expect(n.offer).toBe(0);
    expect(n.header).toBe('permessage-deflate; server_max_window_bits=10');
    expect(n.params.serverMaxWindowBits).toBe(10);
  });

  it('falls back to the next offer when one asks for server_max_window_bits=8, which zlib cannot compress with', () => {
    const n = negotiateDeflate(
      parseExtensions('permessage-deflate; server_max_window_bits=8, permessage-deflate'),
    )!;
    expect(n.offer).toBe(1);
    expect(n.header).toBe('permessage-deflate');
  });

  it('skips other extensions and counts them in the offer index', () => {
    const n = negotiateDeflate(
      parseExtensions('x-webkit-deflate-frame, permessage-deflate; client_max_window_bits'),
    )!;
    expect(n.offer).toBe(1);
  });

  it('declines everything when no offer is acceptable, or none is permessage-deflate', () => {
    expect(answer('x-webkit-deflate-frame')).toBeUndefined();
    expect(answer('permessage-deflate; foo, permessage-deflate; server_max_window_bits=8')).toBeUndefined();
    expect(negotiateDeflate([])).toBeUndefined();
  });
});

describe('negotiateDeflate: offers §7 says to decline (declined, never failed)', () => {
  it.each([
    ['an unknown parameter', 'permessage-deflate; foo'],
    ['an unknown parameter with a value', 'permessage-deflate; foo=1'],
    ['a duplicate parameter', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    ['a duplicate window parameter', 'permessage-deflate; client_max_window_bits; client_max_window_bits=10'],
    ['server_no_context_takeover with a value', 'permessage-deflate; server_no_context_takeover=1'],
    ['client_no_context_takeover with a value', 'permessage-deflate; client_no_context_takeover=true'],
    ['server_max_window_bits without a value', 'permessage-deflate; server_max_window_bits'],
    ['server_max_window_bits above 15', 'permessage-deflate; server_max_window_bits=16'],
    ['server_max_window_bits below 8', 'permessage-deflate; server_max_window_bits=7'],
    ['window bits with a leading zero', 'permessage-deflate; server_max_window_bits=09'],
    ['client_max_window_bits above 15', 'permessage-deflate; client_max_window_bits=16'],
    ['client_max_window_bits that is not a number', 'permessage-deflate; client_max_window_bits=ten'],
  ])('declines an offer with %s and takes the plain offer after it', (_what, bad) => {
    expect(answer(bad)).toBeUndefined();
    expect(negotiateDeflate(parseExtensions(`${bad}, permessage-deflate`))).toMatchObject({
      offer: 1,
      header: 'permessage-deflate',
    });
  });

  it('accepts a quoted window value (RFC 6455 §9.1: the unescaped value must be a token)', () => {
    expect(answer('permessage-deflate; server_max_window_bits="12"')).toBe(
      'permessage-deflate; server_max_window_bits=12',
    );
  });

  it('declines an offer without client_max_window_bits when clientMaxWindowBits is below 15 (the client cannot be told)', () => {
    expect(answer('permessage-deflate', { clientMaxWindowBits: 10 })).toBeUndefined();
    expect(
      negotiateDeflate(parseExtensions('permessage-deflate, permessage-deflate; client_max_window_bits=12'), {
        clientMaxWindowBits: 10,
      }),
    ).toMatchObject({ offer: 1, header: 'permessage-deflate; client_max_window_bits=10' });
  });
});

describe('negotiateDeflate: context takeover and window bits in both directions (§7.1.1, §7.1.2)', () => {
  it('honours server_no_context_takeover: accepting it means saying it back (§7.1.1.1)', () => {
    expect(answer('permessage-deflate; server_no_context_takeover')).toBe(
      'permessage-deflate; server_no_context_takeover',
    );
    expect(params('permessage-deflate; server_no_context_takeover')).toMatchObject({
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
    });
  });

  it('takes up client_no_context_takeover when offered, so no window is kept for the client (§7.1.1.2)', () => {
    expect(answer('permessage-deflate; client_no_context_takeover')).toBe(
      'permessage-deflate; client_no_context_takeover',
    );
    expect(params('permessage-deflate; client_no_context_takeover')).toMatchObject({
      clientNoContextTakeover: true,
    });
  });

  it('says *_no_context_takeover unasked when configured so (serverContextTakeover / clientContextTakeover false)', () => {
    expect(answer('permessage-deflate', { serverContextTakeover: false })).toBe(
      'permessage-deflate; server_no_context_takeover',
    );
    expect(answer('permessage-deflate', { clientContextTakeover: false })).toBe(
      'permessage-deflate; client_no_context_takeover',
    );
    expect(
      answer('permessage-deflate; client_max_window_bits', {
        serverContextTakeover: false,
        clientContextTakeover: false,
        serverMaxWindowBits: 12,
        clientMaxWindowBits: 11,
      }),
    ).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=11',
    );
  });

  it('answers server_max_window_bits with the same or a smaller value (§7.1.2.1)', () => {
    expect(answer('permessage-deflate; server_max_window_bits=12')).toBe(
      'permessage-deflate; server_max_window_bits=12',
    );
    expect(answer('permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 })).toBe(
      'permessage-deflate; server_max_window_bits=10',
    );
    expect(answer('permessage-deflate; server_max_window_bits=15')).toBe(
      'permessage-deflate; server_max_window_bits=15',
    );
    expect(params('permessage-deflate; server_max_window_bits=9')).toMatchObject({ serverMaxWindowBits: 9 });
  });

  it('says server_max_window_bits unasked when its own limit is below 15 (§7.1.2.1 allows it)', () => {
    expect(answer('permessage-deflate', { serverMaxWindowBits: 11 })).toBe(
      'permessage-deflate; server_max_window_bits=11',
    );
  });

  it('uses a client_max_window_bits value the client gave, or the configured limit if smaller (§7.1.2.2)', () => {
    expect(answer('permessage-deflate; client_max_window_bits=12')).toBe(
      'permessage-deflate; client_max_window_bits=12',
    );
    expect(params('permessage-deflate; client_max_window_bits=12')).toMatchObject({
      clientMaxWindowBits: 12,
    });
    expect(answer('permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 9 })).toBe(
      'permessage-deflate; client_max_window_bits=9',
    );
    expect(params('permessage-deflate; client_max_window_bits=8')).toMatchObject({ clientMaxWindowBits: 8 });
  });

  it('hands the resolved options (level, threshold...) to the connection', () => {
    const n = negotiateDeflate(parseExtensions('permessage-deflate'), { level: 3, threshold: 0 })!;
    expect(n.options).toMatchObject({ level: 3, threshold: 0, memLevel: 8, strategy: 'default' });
  });

  it('refuses invalid options with a TypeError naming the option', () => {
    expect(() => negotiateDeflate([], { serverMaxWindowBits: 8 })).toThrow(
      /deflateOpts\.serverMaxWindowBits must be an integer from 9 to 15/,
    );
  });
});
