/**
 * Process groups, after Erlang's `pg` (OTP 23+, monitors from OTP 25.1): named groups of
 * processes, organised in independent scopes, with automatic leave when a member exits,
 * subscriptions to membership changes, and a broadcast helper.
 *
 * A scope here is a plain object owned by its node, not a process: a node's code runs on one
 * thread, so membership changes need no serialising server, and `join`, `leave` and reads
 * are plain synchronous calls. Erlang's `pg` runs a scope process because ETS writes and
 * remote sync must go through one owner; the distributed store will have its own
 * subscription to NATS instead.
 *
 * Reference: https://www.erlang.org/doc/apps/kernel/pg.html (`lib/kernel/src/pg.erl`).
 *
 * @example
 * import { createNode, pg } from '@corral/actor';
 * const node = createNode({ name: 'chat' });
 * const groups = pg.startScope(node);                // the 'default' scope
 * const member = node.spawn(async (self) => { for (;;) console.log(await self.receive()); });
 * groups.join(['room', 1], member);
 * groups.broadcast(['room', 1], 'hello');            // 1: member got 'hello' once
 * pg.scope(node).getMembers(['room', 1]);            // [member]
 */
import { ActorError, badArg, notInProcess } from './errors.js';
import type { NodeCore } from './node-core.js';
import {
  checkGroup,
  type Group,
  type GroupChange,
  type GroupChangeListener,
  GroupMap,
  type GroupStore,
} from './pg-group.js';
import { LocalGroupStore } from './pg-local-store.js';
import { Pid, Ref } from './pid.js';
import { EXITED, type Proc } from './process.js';

export type { Group, GroupChange, GroupChangeListener, GroupStore } from './pg-group.js';
export { LocalGroupStore } from './pg-local-store.js';

/** The scope `startScope` and `scope` use when no name is given (Erlang's default scope is `pg`). */
export const DEFAULT_SCOPE = 'default';

/**
 * What a subscriber made by `monitor` or `monitorScope` receives on every change (Erlang's
 * `{Ref, join, Group, Pids}` / `{Ref, leave, Group, Pids}`): the pids that joined or left,
 * one entry per membership, as a frozen array shared by all subscribers.
 */
export type PgNotification = [ref: Ref, change: GroupChange, group: Group, pids: readonly Pid<any>[]];

export interface ScopeOptions {
  /**
   * Makes the membership store (default: a {@link LocalGroupStore}, this node's processes
   * only). The extension point for a store that syncs membership with other nodes.
   */
  store?: (node: NodeCore, onChange: GroupChangeListener) => GroupStore;
}

interface Subscription {
  readonly ref: Ref;
  readonly pid: Pid<any>;
  /** The group watched, or undefined for a whole-scope subscription. */
  readonly group: Group | undefined;
  cancel: () => void;
}

/** Errors this module throws besides `ERR_BADARG` and `ERR_NOT_IN_PROCESS`. */
function notLocal(pid: Pid<any>, node: string): ActorError {
  return new ActorError(
    'ERR_PG_NOT_LOCAL',
    `pg only joins and removes processes of its own node (${node}); ${pid.toString()} is not one (Erlang: {nolocal, Pid})`,
  );
}

function noScope(node: string, name: string): ActorError {
  return new ActorError(
    'ERR_PG_NO_SCOPE',
    `no pg scope ${JSON.stringify(name)} runs on node ${node}; start it with pg.startScope(node, ${JSON.stringify(name)})`,
  );
}

function scopeStarted(node: string, name: string): ActorError {
  return new ActorError(
    'ERR_PG_SCOPE_STARTED',
    `the pg scope ${JSON.stringify(name)} is already started on node ${node} (Erlang: {already_started, Pid})`,
  );
}

/**
 * A node's scopes. Held beside the node rather than in it so the core stays unaware of pg;
 * keyed weakly, so a dropped node takes its scopes with it. Not a singleton: each node has its own.
 */
const scopesOf = new WeakMap<NodeCore, Map<string, PgScope>>();

/**
 * One pg scope: an independent namespace of groups on one node. Made by {@link startScope}.
 * Every method that takes a group throws `ERR_BADARG` for a value that is not a {@link Group}.
 */
export class PgScope {
  private readonly store: GroupStore;
  /** Every live subscription, by ref. */
  private readonly subs = new Map<Ref, Subscription>();
  /** Whole-scope subscriptions (`monitorScope`). */
  private readonly scopeSubs = new Map<Ref, Subscription>();
  /** Per-group subscriptions (`monitor`). */
  private readonly groupSubs = new GroupMap<Subscription[]>();
  private stopped = false;

  /** @internal Use {@link startScope}. */
  constructor(
    readonly node: NodeCore,
    readonly name: string,
    opts?: ScopeOptions,
  ) {
    const onChange: GroupChangeListener = (change, group, pids) => this.notify(change, group, pids);
    this.store = opts?.store?.(node, onChange) ?? new LocalGroupStore(node, onChange);
  }

  /**
   * Adds `pidOrPids` to `group` (Erlang's `pg:join/3`); the group exists from its first member
   * on. A process may join a group several times and must then leave it as many times; an
   * array may list a pid more than once. Pids must belong to this node (`ERR_PG_NOT_LOCAL`,
   * and nothing joins); a pid that is no longer alive is skipped, as if it had joined and
   * exited at once, without notifications.
   *
   * @example
   * scope.join('workers', self.pid);
   * scope.join('workers', [a, b, a]);   // a is now in twice, b once
   */
  join(group: Group, pidOrPids: Pid<any> | readonly Pid<any>[]): 'ok' {
    this.checkRunning();
    checkGroup(group);
    this.store.join(group, this.localPids(pidOrPids, 'join'));
    return 'ok';
  }

  /**
   * Removes one membership of each listed pid from `group` (Erlang's `pg:leave/3`). Returns
   * `'not_joined'` when none of them was a member (for an array: only when none was), else
   * `'ok'`. Subscribers are told about the pids that did leave.
   */
  leave(group: Group, pidOrPids: Pid<any> | readonly Pid<any>[]): 'ok' | 'not_joined' {
    this.checkRunning();
    checkGroup(group);
    return this.store.leave(group, this.localPids(pidOrPids, 'leave')) ? 'ok' : 'not_joined';
  }

  /**
   * The group's members, a pid once per join, in no specific order (Erlang's
   * `pg:get_members/2`); empty for a group nobody is in. The array is frozen and reused
   * until the group changes, so repeated reads cost nothing.
   */
  getMembers(group: Group): readonly Pid<any>[] {
    checkGroup(group);
    return this.store.members(group);
  }

  /** Like {@link PgScope.getMembers}, this node's processes only (Erlang's `pg:get_local_members/2`). */
  getLocalMembers(group: Group): readonly Pid<any>[] {
    checkGroup(group);
    return this.store.localMembers(group);
  }

  /** Groups with at least one member, in no specific order (Erlang's `pg:which_groups/1`). */
  whichGroups(): Group[] {
    return this.store.groups();
  }

  /** Groups with at least one member on this node (Erlang's undocumented `pg:which_local_groups/1`). */
  whichLocalGroups(): Group[] {
    return this.store.localGroups();
  }

  /**
   * Subscribes a process to `group`'s changes (Erlang's `pg:monitor/2`, OTP 25.1): returns a
   * ref and the current members; from then on the subscriber gets `[ref, 'join', group, pids]`
   * and `[ref, 'leave', group, pids]` ({@link PgNotification}) in the order the changes
   * happen, a member's exit included. The subscriber is the calling process, or `subscriber`
   * when given (needed after an `await`, when no process's code is on the stack). The
   * subscription ends with {@link PgScope.demonitor} or when the subscriber exits; a dead
   * subscriber gets a ref that watches nothing.
   *
   * @example
   * const [ref, members] = scope.monitor('lobby', self.pid);
   * const [, change, , pids] = await self.receive((m) => pg.isNotification(m, ref));
   */
  monitor(group: Group, subscriber?: Pid<PgNotification>): [Ref, readonly Pid<any>[]] {
    this.checkRunning();
    checkGroup(group);
    const pid = this.subscriber(subscriber, 'pg monitor');
    const ref = this.node.makeRef();
    const members = this.store.members(group);
    const sub = this.subscribe(ref, pid, group);
    if (sub !== undefined) {
      const list = this.groupSubs.get(group);
      if (list === undefined) this.groupSubs.set(group, [sub]);
      else list.push(sub);
    }
    return [ref, members];
  }

  /**
   * Subscribes a process to every group's changes (Erlang's `pg:monitor_scope/1`, OTP 25.1):
   * returns a ref and every group with its members; notifications as for {@link PgScope.monitor}.
   */
  monitorScope(subscriber?: Pid<PgNotification>): [Ref, Map<Group, readonly Pid<any>[]>] {
    this.checkRunning();
    const pid = this.subscriber(subscriber, 'pg monitorScope');
    const ref = this.node.makeRef();
    const snapshot = this.store.snapshot();
    const sub = this.subscribe(ref, pid, undefined);
    if (sub !== undefined) this.scopeSubs.set(ref, sub);
    return [ref, snapshot];
  }

  /**
   * Ends a subscription (Erlang's `pg:demonitor/2`) and removes its notifications already
   * waiting in the subscriber's mailbox, so none arrives after this returns. Returns `'ok'`,
   * or false for a ref that is not (or no longer) a subscription of this scope.
   */
  demonitor(ref: Ref): 'ok' | false {
    const sub = this.subs.get(ref);
    if (sub === undefined) return false;
    this.unsubscribe(sub);
    sub.cancel();
    const proc = sub.pid._proc as Proc | undefined;
    if (proc !== undefined && proc.length > 0) {
      proc.removeAll(
        (m) => Array.isArray(m) && m.length === 4 && m[0] === ref && (m[1] === 'join' || m[1] === 'leave'),
      );
    }
    return 'ok';
  }

  /**
   * Sends `msg` to every member of `group`, once per member however many times it joined,
   * and returns how many processes it was delivered to. Erlang's `pg` has no broadcast (its
   * users loop over `get_members`, which repeats a pid per join); delivering once per process
   * is what a group send means. Nothing is allocated per member: the message itself is
   * shared, as any message sent to several processes is.
   *
   * @example
   * const n = scope.broadcast(['room', roomId], ['said', user, text]);
   */
  broadcast(group: Group, msg: unknown): number {
    this.checkRunning();
    checkGroup(group);
    const pids = this.store.uniqueMembers(group);
    let delivered = 0;
    for (let i = 0; i < pids.length; i++) {
      // Straight to the process, without the name lookup of send. A remote pid (distribution)
      // will have no local process and go through the node's send instead.
      const proc = pids[i]!._proc as Proc | undefined;
      if (proc === undefined || proc.status === EXITED) continue;
      proc.post(msg);
      delivered++;
    }
    return delivered;
  }

  /**
   * Stops the scope (as Erlang's scope process exiting): every membership and subscription
   * is dropped without notifications, later calls but reads throw `ERR_PG_NO_SCOPE`, and the
   * name is free for a new scope.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.store.close();
    for (const sub of this.subs.values()) sub.cancel();
    this.subs.clear();
    this.scopeSubs.clear();
    this.groupSubs.clear();
    const table = scopesOf.get(this.node);
    if (table?.get(this.name) === this) table.delete(this.name);
  }

  // ---- internals ---------------------------------------------------------------------

  /** Tells subscribers about a change: whole-scope subscribers first, then the group's (as Erlang's `notify_group`). */
  private notify(change: GroupChange, group: Group, pids: readonly Pid<any>[]): void {
    if (this.subs.size === 0) return;
    for (const sub of this.scopeSubs.values()) this.node.sendTo(sub.pid, [sub.ref, change, group, pids]);
    const list = this.groupSubs.get(group);
    if (list !== undefined) for (const sub of list) this.node.sendTo(sub.pid, [sub.ref, change, group, pids]);
  }

  private subscribe(ref: Ref, pid: Pid<any>, group: Group | undefined): Subscription | undefined {
    let gone = false;
    const sub: Subscription = { ref, pid, group, cancel: () => {} };
    // The subscriber's exit ends the subscription (Erlang's pg monitors the subscriber).
    sub.cancel = this.node.onExit(pid, () => {
      if (this.subs.get(ref) === sub) this.unsubscribe(sub);
      else gone = true;
    });
    if (gone) return undefined;
    this.subs.set(ref, sub);
    return sub;
  }

  private unsubscribe(sub: Subscription): void {
    this.subs.delete(sub.ref);
    if (sub.group === undefined) {
      this.scopeSubs.delete(sub.ref);
      return;
    }
    const list = this.groupSubs.get(sub.group);
    if (list === undefined) return;
    const i = list.indexOf(sub);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.groupSubs.delete(sub.group);
  }

  private subscriber(given: Pid<any> | undefined, fn: string): Pid<any> {
    if (given !== undefined) {
      if (!(given instanceof Pid)) throw badArg(`${fn}: the subscriber must be a pid, got ${String(given)}`);
      if (given.node !== this.node.name) throw notLocal(given, this.node.name);
      return given;
    }
    const self = this.node.self();
    if (self === undefined) throw notInProcess(`${fn} without a subscriber pid`);
    if (self.node !== this.node.name) throw notLocal(self, this.node.name);
    return self;
  }

  /** Checks every pid before anything changes, as Erlang's `ensure_local` does. */
  private localPids(pidOrPids: Pid<any> | readonly Pid<any>[], fn: string): readonly Pid<any>[] {
    const pids: readonly Pid<any>[] = Array.isArray(pidOrPids) ? pidOrPids : [pidOrPids as Pid<any>];
    const node = this.node.name;
    for (const pid of pids) {
      if (!(pid instanceof Pid)) throw badArg(`pg ${fn} needs a pid or an array of pids, got ${String(pid)}`);
      if (pid.node !== node) throw notLocal(pid, node);
    }
    return pids;
  }

  private checkRunning(): void {
    if (this.stopped) throw noScope(this.node.name, this.name);
  }
}

/**
 * Starts a scope on `node` (Erlang's `pg:start/1`); scopes are independent of each other.
 * Starting a name that is already running throws `ERR_PG_SCOPE_STARTED`.
 *
 * @example
 * const groups = pg.startScope(node);               // the 'default' scope
 * const presence = pg.startScope(node, 'presence');  // another, independent one
 */
export function startScope(node: NodeCore, name: string = DEFAULT_SCOPE, opts?: ScopeOptions): PgScope {
  if (typeof name !== 'string' || name.length === 0)
    throw badArg(`a pg scope name must be a non-empty string, got ${String(name)}`);
  let table = scopesOf.get(node);
  if (table === undefined) scopesOf.set(node, (table = new Map()));
  if (table.has(name)) throw scopeStarted(node.name, name);
  const scope = new PgScope(node, name, opts);
  table.set(name, scope);
  return scope;
}

/**
 * The running scope `name` of `node`; throws `ERR_PG_NO_SCOPE` if it was not started.
 *
 * @example
 * pg.scope(self.node).join('workers', self.pid);
 */
export function scope(node: NodeCore, name: string = DEFAULT_SCOPE): PgScope {
  const found = scopesOf.get(node)?.get(name);
  if (found === undefined) throw noScope(node.name, name);
  return found;
}

/** The names of the scopes running on `node`. */
export function whichScopes(node: NodeCore): string[] {
  const table = scopesOf.get(node);
  return table === undefined ? [] : [...table.keys()];
}

/**
 * True when `m` is a pg notification ({@link PgNotification}), for `ref` if given: a match
 * function for `self.receive`.
 *
 * @example
 * const m = await self.receive((m) => pg.isNotification(m, ref));
 */
export function isNotification(m: unknown, ref?: Ref): m is PgNotification {
  return (
    Array.isArray(m) &&
    m.length === 4 &&
    (ref === undefined ? m[0] instanceof Ref : m[0] === ref) &&
    (m[1] === 'join' || m[1] === 'leave') &&
    Array.isArray(m[3])
  );
}
