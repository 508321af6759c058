/**
 * Batches socket writes: frames produced while processes run are collected per connection
 * and written once per connection after the event loop has handled every socket that was
 * readable in this turn (`setImmediate` runs after the poll phase). So the replies to a
 * chunk of 16 pipelined frames, or 16 messages queued for one pid, leave in one write, and
 * the writes of one turn leave back to back: a peer woken by the first finds the rest
 * waiting, instead of being woken once per socket (on loopback, the wake-up costs the
 * writer more than the copy; measured in docs/benchmarks.md).
 */
export interface Flushable {
  flush(): void;
}

let pending: Flushable[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const batch = pending;
  pending = [];
  for (let i = 0; i < batch.length; i++) batch[i]!.flush();
}

/** Queues `conn` for a flush at the end of this turn (call once per turn per connection). */
export function scheduleFlush(conn: Flushable): void {
  pending.push(conn);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
