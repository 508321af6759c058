import type { NodeCore } from './node-core.js';
import {
  canonicalGroup,
  type Group,
  type GroupChangeListener,
  GroupMap,
  type GroupStore,
  NO_PIDS,
} from './pg-group.js';
import type { Pid } from './pid.js';

/**
 * One group's members. `pids` holds each member once, densely, so broadcast walks a plain
 * array; `counts[i]` is how many times `pids[i]` joined; `at` finds a pid's slot, so join and
 * leave are O(1) (a leaving pid's slot is filled by the last one).
 */
class Entry {
  readonly pids: Pid<any>[] = [];
  readonly counts: number[] = [];
  readonly at = new Map<Pid<any>, number>();
  /** Memberships, duplicates included. */
  total = 0;
  /** `members()` as last built; dropped on every change, so repeated reads allocate nothing. */
  cache: readonly Pid<any>[] | undefined = undefined;

  constructor(readonly group: Group) {}
}

/**
 * A local process in at least one group: the groups it is in (each once; the count lives in
 * the group's entry) and the canceller of its exit hook. This is Erlang pg's `local` map.
 */
class Member {
  readonly entries: Entry[] = [];
  cancel: (() => void) | undefined = undefined;
  /** Set when the exit hook fired while registering: the pid was already gone. */
  dead = false;

  constructor(readonly pid: Pid<any>) {}
}

/**
 * The membership of one scope on one node: the store every scope gets unless told otherwise.
 *
 * Automatic leave on exit costs one `node.onExit` hook per member process (not per membership,
 * and no watcher process), set when the process first joins a group of this scope and
 * cancelled when it has left them all. Erlang's pg scope process monitors each joined process
 * for the same purpose.
 *
 * @example
 * const store = new LocalGroupStore(node, (change, group, pids) => console.log(change, group, pids));
 * store.join('lobby', [pid]);   // logs: join lobby [pid]
 */
export class LocalGroupStore implements GroupStore {
  private readonly entries = new GroupMap<Entry>();
  private readonly locals = new Map<Pid<any>, Member>();

  constructor(
    private readonly node: NodeCore,
    private readonly onChange: GroupChangeListener,
  ) {}

  join(group: Group, pids: readonly Pid<any>[]): void {
    let entry = this.entries.get(group);
    let joined: Pid<any>[] | undefined;
    for (const pid of pids) {
      const member = this.member(pid);
      // A dead pid is skipped: Erlang's pg would monitor it and drop it at once on `noproc`.
      if (member === undefined) continue;
      if (entry === undefined) {
        entry = new Entry(canonicalGroup(group));
        this.entries.set(group, entry);
      }
      const i = entry.at.get(pid);
      if (i === undefined) {
        entry.at.set(pid, entry.pids.length);
        entry.pids.push(pid);
        entry.counts.push(1);
        member.entries.push(entry);
      } else {
        entry.counts[i]!++;
      }
      entry.total++;
      entry.cache = undefined;
      (joined ??= []).push(pid);
    }
    if (joined !== undefined) this.onChange('join', entry!.group, Object.freeze(joined));
  }

  leave(group: Group, pids: readonly Pid<any>[]): boolean {
    const entry = this.entries.get(group);
    if (entry === undefined) return false;
    let left: Pid<any>[] | undefined;
    for (const pid of pids) {
      const i = entry.at.get(pid);
      if (i === undefined) continue;
      if (--entry.counts[i]! === 0) this.drop(entry, i, pid);
      entry.total--;
      entry.cache = undefined;
      (left ??= []).push(pid);
    }
    if (left === undefined) return false;
    if (entry.total === 0) this.entries.delete(entry.group);
    this.onChange('leave', entry.group, Object.freeze(left));
    return true;
  }

  members(group: Group): readonly Pid<any>[] {
    const entry = this.entries.get(group);
    if (entry === undefined) return NO_PIDS;
    if (entry.cache !== undefined) return entry.cache;
    let out: Pid<any>[];
    if (entry.total === entry.pids.length) out = entry.pids.slice();
    else {
      out = [];
      const { pids, counts } = entry;
      for (let i = 0; i < pids.length; i++) for (let n = counts[i]!; n > 0; n--) out.push(pids[i]!);
    }
    return (entry.cache = Object.freeze(out));
  }

  localMembers(group: Group): readonly Pid<any>[] {
    return this.members(group);
  }

  uniqueMembers(group: Group): readonly Pid<any>[] {
    return this.entries.get(group)?.pids ?? NO_PIDS;
  }

  groups(): Group[] {
    const out: Group[] = [];
    for (const entry of this.entries.values()) out.push(entry.group);
    return out;
  }

  localGroups(): Group[] {
    return this.groups();
  }

  snapshot(): Map<Group, readonly Pid<any>[]> {
    const out = new Map<Group, readonly Pid<any>[]>();
    for (const entry of this.entries.values()) out.set(entry.group, this.members(entry.group));
    return out;
  }

  close(): void {
    for (const member of this.locals.values()) member.cancel?.();
    this.locals.clear();
    this.entries.clear();
  }

  /** The member record for `pid`, made (with its exit hook) on its first join; undefined if the pid is dead. */
  private member(pid: Pid<any>): Member | undefined {
    let member = this.locals.get(pid);
    if (member !== undefined) return member;
    member = new Member(pid);
    const m = member;
    // onExit calls the hook at once with 'noproc' for a pid that is gone (or exiting).
    const cancel = this.node.onExit(pid, () => this.exited(m));
    if (m.dead) return undefined;
    m.cancel = cancel;
    this.locals.set(pid, m);
    return m;
  }

  /** A member process ended: it leaves every group it is in, one `'leave'` per group, in join order. */
  private exited(member: Member): void {
    if (this.locals.get(member.pid) !== member) {
      member.dead = true;
      return;
    }
    this.locals.delete(member.pid);
    member.cancel = undefined;
    const pid = member.pid;
    for (const entry of member.entries) {
      const i = entry.at.get(pid)!;
      const n = entry.counts[i]!;
      this.removeSlot(entry, i, pid);
      entry.total -= n;
      entry.cache = undefined;
      if (entry.total === 0) this.entries.delete(entry.group);
      const left: Pid<any>[] = new Array(n).fill(pid);
      this.onChange('leave', entry.group, Object.freeze(left));
    }
    member.entries.length = 0;
  }

  /** `pid` has no membership left in `entry`: free its slot, and forget the pid once it is in no group. */
  private drop(entry: Entry, i: number, pid: Pid<any>): void {
    this.removeSlot(entry, i, pid);
    const member = this.locals.get(pid)!;
    const entries = member.entries;
    entries.splice(entries.indexOf(entry), 1);
    if (entries.length === 0) {
      member.cancel?.();
      this.locals.delete(pid);
    }
  }

  /** Swap-remove: the last member takes slot `i`. */
  private removeSlot(entry: Entry, i: number, pid: Pid<any>): void {
    const { pids, counts, at } = entry;
    const last = pids.length - 1;
    if (i !== last) {
      const moved = pids[last]!;
      pids[i] = moved;
      counts[i] = counts[last]!;
      at.set(moved, i);
    }
    pids.pop();
    counts.pop();
    at.delete(pid);
  }
}
