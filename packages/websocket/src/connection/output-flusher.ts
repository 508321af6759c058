/**
 * Batches socket writes: frames produced while processes run are collected per connection
 * and written once per connection when the current batch of process turns ends (one
 * microtask later), so the replies to a chunk of 16 pipelined frames, or 16 messages
 * queued for one pid, leave in one write.
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

/** Queues `conn` for a flush at the end of this batch (call once per batch per connection). */
export function scheduleFlush(conn: Flushable): void {
  pending.push(conn);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flushAll);
  }
}
