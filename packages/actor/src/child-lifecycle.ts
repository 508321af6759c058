import { reasonOf, StartError } from './call-error.js';
import type { Shutdown, StartFunction } from './child-spec.js';
import { Pid } from './pid.js';
import type { Proc, Self } from './process.js';
import { isExitMessage } from './reason.js';
import { isThenable } from './thenable.js';

/** What starting a child came to: its pid (undefined when its start returned 'ignore'), or the error reason. */
export type StartOutcome = ['ok', Pid<any> | undefined] | ['error', unknown];

function startOutcome(self: Self, r: unknown): StartOutcome {
  if (r instanceof Pid) {
    // Linking is idempotent: a start function that forgot to link is still supervised
    // (a child already gone gives an EXIT 'noproc', hence a restart).
    self.link(r);
    return ['ok', r];
  }
  if (r === 'ignore' || r === undefined) return ['ok', undefined];
  return ['error', ['bad_return', r]];
}

/** Why a start function failed: a `StartError`'s reason (OTP's `{error, Reason}`), else the thrown value's exit reason. */
const startFailure = (e: unknown): unknown => (e instanceof StartError ? e.reason : reasonOf(e));

/**
 * Runs a child's start function as the supervisor (`node.runAs`, so `startLink` links the
 * child to it) and waits for it: OTP's `do_start_child_i/3`. Never rejects.
 */
export function startChildProcess(self: Self, start: StartFunction): StartOutcome | Promise<StartOutcome> {
  let r: unknown;
  try {
    r = self.node.runAs(self, start);
  } catch (e) {
    return ['error', startFailure(e)];
  }
  if (!isThenable(r)) return startOutcome(self, r);
  return Promise.resolve(r).then(
    (v) => startOutcome(self, v),
    (e: unknown): StartOutcome => ['error', startFailure(e)],
  );
}

/*
 * Stopping children the way OTP's supervisor does (`supervisor:shutdown/1`,
 * `terminate_dynamic_children/1`): exit signal 'shutdown', wait for the exit up to the
 * child's shutdown time on the node clock, then 'kill'; 'brutal_kill' kills at once;
 * 'infinity' waits. The supervisor waits on `node.onExit` rather than on a DOWN message, as
 * its own mailbox is not read while it is busy in a callback.
 */

/** One child to stop. */
export interface ShutdownTarget {
  pid: Pid<any>;
  shutdown: Shutdown;
}

/**
 * Takes the `['EXIT', pid, reason]` message of a child that already died out of the
 * supervisor's mailbox and returns its reason (OTP's `unlink_flush/2`).
 */
function flushExit(self: Self, pid: Pid<any>): unknown {
  const mailbox = self.pid._proc as Proc | undefined;
  if (mailbox === undefined) return 'noproc';
  const i = mailbox.findIndex((m) => isExitMessage(m) && m[1] === pid);
  return i < 0 ? 'noproc' : (mailbox.removeAt(i) as [string, Pid<any>, unknown])[2];
}

/**
 * Stops every target at once and resolves with their exit reasons (in `targets` order)
 * when all have exited: the exit signals go out together and each shutdown time is one
 * timer for every child sharing it, so stopping thousands of children costs one wait, not
 * one per child. Each target is unlinked first, so its exit does not come back as an EXIT
 * message; a target that had already died gives the reason from its pending EXIT message.
 */
export function shutdownAll(self: Self, targets: readonly ShutdownTarget[]): Promise<unknown[]> {
  const node = self.node;
  const n = targets.length;
  const reasons: unknown[] = new Array(n);
  if (n === 0) return Promise.resolve(reasons);
  return new Promise((resolve) => {
    const exited = new Uint8Array(n);
    const timers: unknown[] = [];
    let left = n;
    const done = (i: number, reason: unknown): void => {
      if (exited[i] === 1) return;
      exited[i] = 1;
      reasons[i] = reason;
      if (--left === 0) {
        for (const t of timers) node.clock.clearTimeout(t);
        resolve(reasons);
      }
    };
    let groups: Map<number, number[]> | undefined;
    for (let i = 0; i < n; i++) {
      const { pid, shutdown } = targets[i]!;
      if (!node.isAlive(pid)) {
        done(i, flushExit(self, pid));
        continue;
      }
      self.unlink(pid);
      node.onExit(pid, (reason) => done(i, reason));
      if (shutdown === 'brutal_kill') {
        self.exit(pid, 'kill');
        continue;
      }
      self.exit(pid, 'shutdown');
      if (typeof shutdown === 'number' && exited[i] === 0) {
        groups ??= new Map();
        const group = groups.get(shutdown);
        if (group === undefined) groups.set(shutdown, [i]);
        else group.push(i);
      }
    }
    if (groups === undefined || left === 0) return;
    for (const [ms, group] of groups) {
      timers.push(
        node.clock.setTimeout(() => {
          for (const i of group) if (exited[i] === 0) self.exit(targets[i]!.pid, 'kill');
        }, ms),
      );
    }
  });
}

/** Stops one child; resolves with the reason it exited with. */
export function shutdownOne(self: Self, pid: Pid<any>, shutdown: Shutdown): Promise<unknown> {
  return shutdownAll(self, [{ pid, shutdown }]).then((reasons) => reasons[0]);
}
