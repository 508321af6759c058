/**
 * Type tests of the handler contract (checked by `tsc`, not run): plain tuple literals are
 * CallResults — in annotated positions and as the return of a handler's callbacks, sync or
 * async — and malformed literals are compile errors.
 */
import { expectTypeOf } from 'vitest';
import type { InFrame, OutFrame } from '../../src/codec/opcodes.js';
import type { CallResult, Command, Handler } from '../../src/handler/handler.js';
import type { TerminateReason } from '../../src/handler/terminate-reason.js';

interface S {
  n: number;
}
declare const s: S;

// ---- plain tuple literals type-check -------------------------------------------------------

const ok: CallResult<S> = ['ok', s];
const okHibernate: CallResult<S> = ['ok', s, 'hibernate'];
const reply: CallResult<S> = ['reply', ['text', 'x'], s];
const replyBytes: CallResult<S> = ['reply', ['binary', new Uint8Array(2)], s, 'hibernate'];
const replyList: CallResult<S> = ['reply', [['text', 'a'], 'ping', ['close', 1000, 'bye']], s];
const stop: CallResult<S> = ['stop', s];
const commands: CallResult<S> = [
  [
    ['active', false],
    ['text', 'a'],
  ],
  s,
];
const allCommands: CallResult<S> = [
  [
    ['active', true],
    ['deflate', false],
    ['set_options', { idleTimeout: 1000, maxFrameSize: 10 }],
    ['shutdown_reason', { any: 'value' }],
    'pong',
    ['close'],
  ],
  s,
  'hibernate',
];
expectTypeOf([ok, okHibernate, reply, replyBytes, replyList, stop, commands, allCommands]).toEqualTypeOf<
  CallResult<S>[]
>();

// Callbacks return literals without annotations: the Handler interface types them.
export const handler: Handler<S, 'tick' | ['say', string]> = {
  init: (req, state) => ['websocket', req, state, { idleTimeout: 30_000 }],
  websocketInit: (state) => [[['set_options', { maxFrameSize: 4096 }]], state],
  websocketHandle(frame, state) {
    expectTypeOf(frame).toEqualTypeOf<InFrame>();
    if (frame[0] === 'text') return ['reply', ['text', frame[1].toUpperCase()], { n: state.n + 1 }];
    if (frame[0] === 'binary') return ['reply', frame, state];
    return ['ok', state];
  },
  async websocketInfo(info, state) {
    await Promise.resolve();
    if (info === 'tick') return [['ping'], state];
    return ['reply', ['text', info[1]], state, 'hibernate'];
  },
  terminate(reason, req, state) {
    expectTypeOf(reason).toEqualTypeOf<TerminateReason>();
    expectTypeOf(req.path).toBeString();
    expectTypeOf(state).toEqualTypeOf<S>();
  },
};

// An echo: every InFrame is an OutFrame.
expectTypeOf<InFrame>().toMatchTypeOf<OutFrame>();
expectTypeOf<OutFrame>().toMatchTypeOf<Command>();

// ---- malformed literals do not ----------------------------------------------------------------

// @ts-expect-error 'txt' is not a frame type
export const badFrameType: CallResult<S> = ['reply', ['txt', 'x'], s];
// @ts-expect-error only 'hibernate' may follow the state
export const badHibernate: CallResult<S> = ['ok', s, 'sleep'];
// @ts-expect-error 'okay' is not a result
export const badTag: CallResult<S> = ['okay', s];
// @ts-expect-error the state is missing
export const noState: CallResult<S> = ['ok'];
// @ts-expect-error ['active', x] takes a boolean
export const badActive: CallResult<S> = [[['active', 'yes']], s];
// @ts-expect-error a text payload is a string or bytes
export const badPayload: CallResult<S> = ['reply', ['text', 42], s];
// @ts-expect-error the state has the handler's type
export const badState: CallResult<S> = ['ok', { n: 'one' }];
// @ts-expect-error set_options knows idleTimeout and maxFrameSize only
export const badOption: CallResult<S> = [[['set_options', { idle: 5 }]], s];

export const badCallback: Handler<S> = {
  init: (req, state) => ['websocket', req, state],
  // @ts-expect-error a callback's result is checked against CallResult
  websocketHandle: (_frame, state) => ['reply', ['txt', 'x'], state],
};
