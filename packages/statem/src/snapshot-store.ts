/**
 * Where a machine process keeps its last good snapshot, so that a restart (by its
 * supervisor, or by hand) resumes from it instead of from the initial state. Opt-in: pass
 * `persist: store` to `spawnMachine` / `Statem.start` / `Statem.startLink`. Without it a
 * restarted machine starts fresh, as a restarted gen_statem runs `init/1` again.
 *
 * The process saves after every event it handled without failing (so after a crash the store
 * holds the state before the failing event), loads when it starts, and clears the store when
 * the machine ends cleanly (final state, or stopped with `'normal'`/`'shutdown'`), so the
 * next start is a fresh one.
 */
import type { Snapshot } from 'xstate';
import type { PersistedTimer } from './clock-adapter.js';

/** What a store holds: xstate's persisted snapshot and the machine's pending delayed events. */
export interface PersistedMachine {
  /** `logic.getPersistedSnapshot(snapshot)`: plain data for machines whose context is plain data. */
  snapshot: Snapshot<unknown>;
  /**
   * Delayed events addressed to the machine (its `after` transitions among them), re-armed
   * with the time they had left. Empty for the actor engine, whose scheduler xstate keeps.
   */
  timers: PersistedTimer[];
}

/**
 * A snapshot store: implement it over a file, a database or a key-value service; keep its
 * calls synchronous and cheap (they run in the process's turn) — write behind if needed.
 */
export interface SnapshotStore {
  load(): PersistedMachine | undefined;
  save(persisted: PersistedMachine): void;
  clear(): void;
}

/**
 * A store in memory: enough to survive restarts by a supervisor (not a restart of Node.js).
 *
 * @example
 * const store = memoryStore();
 * await Supervisor.start(node, [
 *   { id: 'lock', start: () => Statem.startLink(node, lockMachine, { persist: store }) },
 * ]);
 */
export function memoryStore(): SnapshotStore & { readonly current: PersistedMachine | undefined } {
  let current: PersistedMachine | undefined;
  return {
    get current() {
      return current;
    },
    load: () => current,
    save: (p) => {
      current = p;
    },
    clear: () => {
      current = undefined;
    },
  };
}
