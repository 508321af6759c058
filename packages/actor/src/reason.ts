import type { Pid, Ref } from './pid.js';

/**
 * Why a process ended, as in Erlang. `'normal'` and `'shutdown'` (also `['shutdown', x]`)
 * are clean exits; `'killed'` is what an untrappable `exit(pid, 'kill')` leaves; `'noproc'`
 * is the reason seen when linking to or monitoring a pid that is already gone; a throw or a
 * rejected promise gives `['crash', error]`, the thrown value with its stack.
 * Any other value is a custom reason given to `exit`.
 */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | ['shutdown', unknown]
  | 'kill'
  | 'killed'
  | 'noproc'
  | 'noconnection'
  | CrashReason
  | (string & {})
  | readonly unknown[]
  | object
  | number;

/** A process that threw (or whose promise rejected): the thrown value, usually an Error with its stack. */
export type CrashReason = ['crash', unknown];

/** `['EXIT', from, reason]`: an exit signal turned into a message for a process trapping exits. */
export type ExitMessage = ['EXIT', Pid<any>, ExitReason];

/** `['DOWN', ref, 'process', pid, reason]`: what a monitor delivers when its process ends (the name, for a monitor set by name on a name nobody held). */
export type DownMessage = ['DOWN', Ref, 'process', Pid<any> | string, ExitReason];

/** Messages the runtime itself may put in a mailbox. */
export type SystemMessage = ExitMessage | DownMessage;

/** True for the reasons that do not count as failures: `normal`, `shutdown`, `['shutdown', x]` (OTP's rule for crash reports and transient restarts). */
export function isCleanExit(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || (Array.isArray(reason) && reason[0] === 'shutdown');
}

export function isCrash(reason: unknown): reason is CrashReason {
  return Array.isArray(reason) && reason.length === 2 && reason[0] === 'crash';
}

export function isExitMessage(m: unknown): m is ExitMessage {
  return Array.isArray(m) && m.length === 3 && m[0] === 'EXIT';
}

export function isDownMessage(m: unknown): m is DownMessage {
  return Array.isArray(m) && m.length === 5 && m[0] === 'DOWN' && m[2] === 'process';
}

/** A short human form of a reason for log lines (the full value stays in the record). */
export function formatReason(reason: unknown): string {
  if (isCrash(reason)) {
    const e = reason[1];
    return e instanceof Error ? `crash: ${e.name}: ${e.message}` : `crash: ${String(e)}`;
  }
  if (typeof reason === 'string') return reason;
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}
