/**
 * Process-group names and the membership store behind a `pg` scope.
 *
 * A {@link Group} names a process group. Erlang's `pg` accepts any term; here a group is a
 * JSON scalar (string, finite number, boolean, null) or an array of them, nested as deep as
 * you like: `'lobby'`, `42`, `['room', 42]` (Erlang's `{room, 42}`). Arrays are compared by
 * value. Objects are refused because their key order would make two equal-looking names
 * different, and every group must survive a trip over the wire once scopes span nodes.
 *
 * A {@link GroupStore} holds the membership of one scope. The scope (see `pg.ts`) owns the
 * public API, the subscriptions and broadcast; the store owns who is in which group. The
 * local store keeps this node's members; a distributed store (later) will also hold other
 * nodes' members, synced over NATS, and report their changes through the same listener, so
 * the scope and its API stay as they are.
 */
import { badArg } from './errors.js';
import type { Pid } from './pid.js';

/** A process group's name: a JSON scalar or an array of them (Erlang's tuples), compared by value. */
export type Group = string | number | boolean | null | readonly Group[];

/** What changed in a group: the pids that joined or left, one entry per membership. */
export type GroupChange = 'join' | 'leave';

/**
 * Called by a store after every membership change, local or (later) remote, with the group's
 * canonical name and a frozen array of the pids concerned. A pid joined twice that exits is
 * listed twice in its one `'leave'` change.
 */
export type GroupChangeListener = (change: GroupChange, group: Group, pids: readonly Pid<any>[]) => void;

/**
 * The membership of one scope. Pids handed to `join` and `leave` are already checked by the
 * scope to be pids of this node; the store decides what to do with dead ones (the local store
 * skips them). Every change is reported to the listener the store was made with.
 */
export interface GroupStore {
  /** Adds one membership per listed pid (a pid may be listed, and joined, several times). */
  join(group: Group, pids: readonly Pid<any>[]): void;
  /** Removes one membership per listed pid; returns false when none of them was a member. */
  leave(group: Group, pids: readonly Pid<any>[]): boolean;
  /** Every membership in the group, a pid once per join, in no specific order (Erlang's `get_members`). */
  members(group: Group): readonly Pid<any>[];
  /** Like {@link GroupStore.members}, this node's processes only. */
  localMembers(group: Group): readonly Pid<any>[];
  /**
   * Each member once, in no specific order: the store's own array, for broadcast. Callers read
   * it at once and never keep or change it.
   */
  uniqueMembers(group: Group): readonly Pid<any>[];
  /** Groups with at least one member. */
  groups(): Group[];
  /** Groups with at least one member on this node. */
  localGroups(): Group[];
  /** Every group and its members (for `monitorScope`). */
  snapshot(): Map<Group, readonly Pid<any>[]>;
  /** Forgets every membership and stops watching processes; no change is reported. */
  close(): void;
}

/** An empty, shared member list. */
export const NO_PIDS: readonly Pid<any>[] = Object.freeze([]);

/** Throws `ERR_BADARG` unless `group` is a {@link Group}. Strings, the common case, cost one `typeof`. */
export function checkGroup(group: unknown): asserts group is Group {
  if (typeof group === 'string' || group === null || typeof group === 'boolean') return;
  if (typeof group === 'number') {
    if (Number.isFinite(group)) return;
  } else if (Array.isArray(group)) {
    for (const part of group) checkGroup(part);
    return;
  }
  throw badArg(
    `a pg group is a string, a finite number, a boolean, null or an array of them, got ${describe(group)}`,
  );
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return Object.prototype.toString.call(v);
  return typeof v;
}

function deepFreeze(v: Group): Group {
  if (Array.isArray(v)) {
    for (const part of v) deepFreeze(part);
    Object.freeze(v);
  }
  return v;
}

type Scalar = string | number | boolean | null;

/**
 * A map keyed by {@link Group} value. Scalars are keys as they are; arrays are keyed by their
 * JSON text in a map of their own, so the string `'["a"]'` and the array `['a']` stay apart.
 */
export class GroupMap<V> {
  private readonly scalars = new Map<Scalar, V>();
  private tuples: Map<string, V> | undefined = undefined;

  get size(): number {
    return this.scalars.size + (this.tuples?.size ?? 0);
  }

  get(group: Group): V | undefined {
    if (typeof group !== 'object' || group === null) return this.scalars.get(group);
    return this.tuples?.get(JSON.stringify(group));
  }

  set(group: Group, value: V): void {
    if (typeof group !== 'object' || group === null) this.scalars.set(group, value);
    else (this.tuples ??= new Map()).set(JSON.stringify(group), value);
  }

  delete(group: Group): void {
    if (typeof group !== 'object' || group === null) this.scalars.delete(group);
    else this.tuples?.delete(JSON.stringify(group));
  }

  *values(): IterableIterator<V> {
    yield* this.scalars.values();
    if (this.tuples !== undefined) yield* this.tuples.values();
  }

  clear(): void {
    this.scalars.clear();
    this.tuples = undefined;
  }
}

/**
 * The name a store keeps and reports for a group: scalars as given; arrays as a deep-frozen
 * copy, so a caller changing its array afterwards cannot rename the group.
 */
export function canonicalGroup(group: Group): Group {
  if (typeof group !== 'object' || group === null) return group;
  return deepFreeze(JSON.parse(JSON.stringify(group)) as Group);
}
