/**
 * Whether a callback returned a promise (or any thenable): the runtime and its behaviours then
 * wait for it instead of taking the value as the next state or result.
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}
