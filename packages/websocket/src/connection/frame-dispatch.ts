import { Buffer } from 'node:buffer';
import type { OutFrame } from '../codec/opcodes.js';
import type { DeflateToggle } from '../deflate/per-message-deflate.js';
import type { CallResult, Command } from '../handler/handler.js';

/** A handler result taken apart: what the connection must do, in order. */
export interface Actions<S> {
  state: S;
  frames: OutFrame[];
  hibernate: boolean;
  stop: boolean;
  /** Index in `frames` of the first close frame (frames after it are dropped), or -1. */
  closeAt: number;
  active: boolean | undefined;
  /** The last `['deflate', on]` command's value. */
  deflate: boolean | undefined;
  /** Every `['deflate', on]` command with the index in `frames` it takes effect at (Cowboy applies commands in order). */
  deflateToggles?: DeflateToggle[] | undefined;
  setOptions: { idleTimeout?: number; maxFrameSize?: number } | undefined;
  shutdownReason: { value: unknown } | undefined;
}

/** A malformed result: ends the connection as a crash with this error. */
export class BadResultError extends TypeError {
  constructor(callback: string, value: unknown, why: string) {
    super(`${callback} returned a malformed result (${why}): ${describe(value)}`);
    this.name = 'BadResultError';
  }
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) ? `<Buffer ${v.length} bytes>` : v));
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

const FRAME_TYPES = new Set(['text', 'binary', 'ping', 'pong', 'close']);

/**
 * Whether a reply's frames element is one frame rather than a list: a bare control name, or
 * an array whose first element is a frame type (`['text', 'hi']`). So `['ping', 'pong']` is a
 * ping carrying "pong"; a list of bare control frames goes through the commands form.
 */
function isOneFrame(x: unknown): boolean {
  if (typeof x === 'string') return true;
  return Array.isArray(x) && typeof x[0] === 'string';
}

function isFrame(x: unknown): x is OutFrame {
  if (typeof x === 'string') return x === 'ping' || x === 'pong' || x === 'close';
  return Array.isArray(x) && typeof x[0] === 'string' && FRAME_TYPES.has(x[0]);
}

function pushFrame<S>(a: Actions<S>, f: OutFrame): void {
  if (a.closeAt >= 0) return; // nothing goes out after a close frame
  if (f === 'close' || (Array.isArray(f) && (f as readonly unknown[])[0] === 'close'))
    a.closeAt = a.frames.length;
  a.frames.push(f);
}

/** Empty {@link Actions}, every field present (one shape for all of them). */
export function newActions<S>(): Actions<S> {
  return {
    state: undefined as S,
    frames: [],
    hibernate: false,
    stop: false,
    closeAt: -1,
    active: undefined,
    deflate: undefined,
    deflateToggles: undefined,
    setOptions: undefined,
    shutdownReason: undefined,
  };
}

/**
 * Reads a handler result (Cowboy's `call_result()` or the 2.7 commands form) into
 * {@link Actions}, emptied first (so one object can serve every call); throws
 * {@link BadResultError} naming the callback and the value.
 */
export function readResult<S>(callback: string, result: CallResult<S>, a: Actions<S>): void {
  // A new frames array, not a truncated one: the last result's frames may still be in use.
  if (a.frames.length !== 0) a.frames = [];
  a.hibernate = false;
  a.stop = false;
  a.closeAt = -1;
  a.active = undefined;
  a.deflate = undefined;
  a.deflateToggles = undefined;
  a.setOptions = undefined;
  a.shutdownReason = undefined;
  if (!Array.isArray(result)) throw new BadResultError(callback, result, 'not a tuple');
  const tag: unknown = result[0];
  const n = result.length;
  let hib: unknown;
  if (tag === 'ok') {
    if (n !== 2 && n !== 3)
      throw new BadResultError(callback, result, "['ok', state] or ['ok', state, 'hibernate']");
    a.state = result[1] as S;
    hib = result[2];
  } else if (tag === 'reply') {
    if (n !== 3 && n !== 4)
      throw new BadResultError(callback, result, "['reply', frames, state, 'hibernate'?]");
    const frames: unknown = result[1];
    if (isOneFrame(frames)) {
      if (!isFrame(frames)) throw new BadResultError(callback, result, 'not a frame');
      pushFrame(a, frames);
    } else if (Array.isArray(frames)) {
      for (const f of frames) {
        if (!isFrame(f)) throw new BadResultError(callback, result, `not a frame: ${describe(f)}`);
        pushFrame(a, f);
      }
    } else throw new BadResultError(callback, result, 'frames must be a frame or a list of frames');
    a.state = result[2] as S;
    hib = result[3];
  } else if (tag === 'stop') {
    if (n !== 2) throw new BadResultError(callback, result, "['stop', state]");
    a.state = result[1] as S;
    a.stop = true;
  } else if (Array.isArray(tag)) {
    if (n !== 2 && n !== 3) throw new BadResultError(callback, result, "[commands, state, 'hibernate'?]");
    for (const c of tag as readonly Command[]) readCommand(callback, result, c, a);
    a.state = result[1] as S;
    hib = result[2];
  } else {
    throw new BadResultError(callback, result, "expected 'ok', 'reply', 'stop' or a list of commands");
  }
  if (hib !== undefined) {
    if (hib !== 'hibernate')
      throw new BadResultError(callback, result, "the last element may only be 'hibernate'");
    a.hibernate = true;
  }
}

function readCommand<S>(callback: string, result: unknown, c: Command, a: Actions<S>): void {
  if (Array.isArray(c)) {
    switch ((c as readonly unknown[])[0]) {
      case 'active':
        if (typeof c[1] !== 'boolean') throw new BadResultError(callback, result, "['active', boolean]");
        a.active = c[1];
        return;
      case 'deflate':
        if (typeof c[1] !== 'boolean') throw new BadResultError(callback, result, "['deflate', boolean]");
        a.deflate = c[1];
        (a.deflateToggles ??= []).push({ at: a.frames.length, on: c[1] });
        return;
      case 'set_options': {
        const o = c[1] as { idleTimeout?: unknown; maxFrameSize?: unknown } | undefined;
        if (o === null || typeof o !== 'object')
          throw new BadResultError(callback, result, "['set_options', {...}]");
        const set: { idleTimeout?: number; maxFrameSize?: number } = {};
        if (o.idleTimeout !== undefined) {
          if (typeof o.idleTimeout !== 'number' || !(o.idleTimeout > 0))
            throw new BadResultError(callback, result, 'idleTimeout must be a positive number (ms)');
          set.idleTimeout = o.idleTimeout;
        }
        if (o.maxFrameSize !== undefined) {
          if (typeof o.maxFrameSize !== 'number' || !(o.maxFrameSize >= 0))
            throw new BadResultError(callback, result, 'maxFrameSize must be a number >= 0');
          set.maxFrameSize = o.maxFrameSize;
        }
        a.setOptions = { ...a.setOptions, ...set };
        return;
      }
      case 'shutdown_reason':
        a.shutdownReason = { value: c[1] };
        return;
    }
  }
  if (!isFrame(c)) throw new BadResultError(callback, result, `not a command or frame: ${describe(c)}`);
  pushFrame(a, c);
}
