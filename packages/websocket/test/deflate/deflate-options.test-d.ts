/**
 * Type tests of the compression options (checked by `tsc`, not run): `compress` and
 * `deflateOpts` in the options `init` returns, as plain literals; wrong names and values are
 * compile errors.
 */
import { expectTypeOf } from 'vitest';
import type { DeflateOptions, DeflateStrategy } from '../../src/deflate/deflate-options.js';
import type { Handler, InitResult, WsOptions } from '../../src/handler/handler.js';
import type { Req } from '../../src/handler/request.js';

declare const req: Req;

const compressed: InitResult<null> = [
  'websocket',
  req,
  null,
  {
    compress: true,
    deflateOpts: {
      level: 6,
      memLevel: 9,
      strategy: 'rle',
      serverContextTakeover: false,
      clientContextTakeover: true,
      serverMaxWindowBits: 12,
      clientMaxWindowBits: 10,
      threshold: 0,
    },
  },
];

const handler: Handler<null> = {
  init: (r, s) => ['websocket', r, s, { compress: true, deflateOpts: { level: 1 } }],
  websocketHandle: (_frame, s) => [
    [
      ['deflate', false],
      ['text', 'uncompressed from here'],
    ],
    s,
  ],
};

// @ts-expect-error: not a zlib strategy
const badStrategy: DeflateOptions = { strategy: 'fast' };
// @ts-expect-error: context takeover is a boolean, not Cowboy's atoms
const badTakeover: DeflateOptions = { serverContextTakeover: 'no_takeover' };
// @ts-expect-error: deflateOpts is an object
const badOpts: WsOptions = { deflateOpts: true };

expectTypeOf<DeflateStrategy>().toEqualTypeOf<'default' | 'filtered' | 'huffman_only' | 'rle' | 'fixed'>();
expectTypeOf<WsOptions['deflateOpts']>().toEqualTypeOf<DeflateOptions | undefined>();

void [compressed, handler, badStrategy, badTakeover, badOpts];
